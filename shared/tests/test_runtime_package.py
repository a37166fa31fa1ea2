"""The runtime package ships nothing for tests: fixtures and the process runner live in
shared/testing (guanxi_testing), which no service image installs."""
from __future__ import annotations

import ast
from pathlib import Path

import guanxi_shared

TEST_ONLY = {"pytest", "guanxi_testing"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    return {name.split(".")[0] for name in names}


def test_guanxi_shared_imports_no_test_support():
    modules = sorted(Path(guanxi_shared.__file__).parent.rglob("*.py"))
    assert len(modules) > 10
    found = {str(p.name): sorted(imported_roots(p) & TEST_ONLY) for p in modules}
    assert {name: roots for name, roots in found.items() if roots} == {}


def test_every_library_guanxi_shared_imports_is_a_declared_dependency():
    """A service image installs guanxi_shared's declared dependencies and its own, nothing
    else: a library only another service happens to pull in would be missing from some."""
    import re
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    declared = {re.split(r"[\[<>=!~ ;]", d, maxsplit=1)[0].lower().replace("_", "-")
                for d in tomllib.loads(pyproject.read_text())["project"]["dependencies"]}
    providers = packages_distributions()
    modules = sorted(Path(guanxi_shared.__file__).parent.rglob("*.py"))
    roots = set().union(*(imported_roots(p) for p in modules))
    third_party = roots - set(sys.stdlib_module_names) - {"guanxi_shared", "__future__"}
    missing = {root: providers.get(root) for root in third_party
               if not {d.lower().replace("_", "-") for d in providers.get(root, [root])}
               & declared}
    assert missing == {}
