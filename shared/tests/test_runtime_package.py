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
