"""Builds the web console's third-party JavaScript from the npm packages pinned in
gateway/assets/package-lock.json (integrity hashes checked by `npm ci`) into
gateway/guanxi_gateway/console/vendor/, where the gateway serves it.

The built files are committed, so `make run` needs only Python; CI runs this script with
`--check` to prove the committed copies are exactly the pinned packages' files. Run it without
`--check` after changing a version in gateway/assets/package.json (then `npm install` there to
update the lock file).
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "gateway" / "assets"
VENDOR = ROOT / "gateway" / "guanxi_gateway" / "console" / "vendor"
# (file in node_modules, name served under /console/vendor/)
FILES = [("echarts/dist/echarts.min.js", "echarts.min.js"),
         ("echarts/LICENSE", "echarts.LICENSE.txt")]


def build(into: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="guanxi-assets-"))
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(ASSETS / name, work / name)
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",  # noqa: S607
                        "--loglevel=error"], cwd=work, check=True)
        into.mkdir(parents=True, exist_ok=True)
        for source, target in FILES:
            shutil.copy(work / "node_modules" / source, into / target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="build into a temporary folder and compare with the committed files")
    args = parser.parse_args()
    if shutil.which("npm") is None:
        print("npm is not installed: cannot build the console's assets", file=sys.stderr)
        return 2
    if not args.check:
        build(VENDOR)
        print(f"built {', '.join(t for _, t in FILES)} into {VENDOR.relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        build(fresh)
        stale = [t for _, t in FILES if not (VENDOR / t).is_file()
                 or digest(VENDOR / t) != digest(fresh / t)]
    if stale:
        print(f"console assets differ from the pinned packages: {', '.join(stale)}; "
              "run scripts/build_console_assets.py", file=sys.stderr)
        return 1
    print("console assets match the pinned npm packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
