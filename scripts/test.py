"""Runs each package's tests in its own pytest process (each service has its own tables).

Two run at a time to use both cores of a small machine, the cross-service tests (the longest,
mostly waiting on the services they start) first, so the packages' own suites run beside them
rather than before them. Output is printed per package and the exit status is non-zero when
any test fails. Extra arguments select test paths instead.
"""
from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES = ["tests", "shared/tests", "services/customer-registry/tests",
          "services/segmentation/tests", "services/engagement/tests", "services/needs/tests",
          "gateway/tests"]


def run(path: str) -> tuple[str, int, str, float]:
    start = time.monotonic()
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", path, "-q", "-p", "no:logging", "--tb=short"],
        cwd=ROOT, capture_output=True, text=True)
    return path, proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start


def main(paths: list[str]) -> int:
    targets = [p for p in paths or SUITES if (ROOT / p.split("::")[0]).exists()]
    failed = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for path, code, output, seconds in pool.map(run, targets):
            print(f"\n===== {path} ({seconds:.0f}s) =====\n{output.strip()}", flush=True)
            if code not in (0, 5):  # 5: no tests collected
                failed.append(path)
    print("\nFAILED: " + ", ".join(failed) if failed else "\nall test suites passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
