"""`make bench`: every benchmark in its own process, then one results table (file and README)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from _common import RESULTS, machine

from guanxi_testing.fixtures import (
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
)

BENCH = Path(__file__).parent
README = BENCH.parent / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def scripts(names: list[str]) -> list[Path]:
    """Every benchmark, or only those named on the command line (`bench/run.py load`)."""
    found = sorted(p for p in BENCH.glob("*.py") if p.name not in {"_common.py", "run.py"})
    return [p for p in found if not names or p.stem in names]


def cpu_busy(seconds: float = 1.0) -> float | None:
    """The share of CPU time not idle over `seconds` (Linux; None elsewhere)."""
    def sample() -> list[int]:
        return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    try:
        before = sample()
        time.sleep(seconds)
        after = sample()
    except OSError:
        return None
    delta = [a - b for a, b in zip(after, before, strict=False)]
    return 1 - delta[3] / max(sum(delta), 1)  # waiting for the disk counts as busy


def wait_until_quiet(limit: float = 60.0) -> None:
    """Before each benchmark: the previous one's after-work (the kernel writing back what it
    wrote, PostgreSQL vacuuming what it loaded, a dropped database's files) finishes first, or
    it skews the next timing."""
    os.sync()  # the dirty pages of the last one's gigabytes are written now, not during this
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        busy = cpu_busy()
        if busy is None or busy < 0.1:
            return


def run(script: Path, *args: str) -> tuple[int, float]:
    wait_until_quiet()
    print(f"\n===== {script.name} {' '.join(args)} =====", flush=True)
    start = time.monotonic()
    code = subprocess.run([sys.executable, str(script), *args],  # noqa: S603
                          cwd=BENCH.parent).returncode
    return code, time.monotonic() - start


def variants(script: Path) -> Iterator[tuple[str, list[str]]]:
    """SQLite always; PostgreSQL too, on a fresh database, when a server answers and the
    benchmark takes `--postgres URL`."""
    yield script.stem, []
    if '"--postgres"' in script.read_text() and postgres_available():
        url = create_postgres_database(f"gx_bench_{script.stem}")
        try:
            yield f"{script.stem} (postgresql)", ["--postgres", url]
        finally:
            drop_postgres_database(url)


def fmt_target(r: dict) -> str:
    if r.get("target") is None:
        return ""
    return f"{'≤' if r.get('lower_is_better', True) else '≥'} {r['target']:,} {r['unit']}"


def table(results: list[dict], failures: dict[str, int]) -> str:
    info = machine()
    lines = [f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['cpus']} cores, "
             f"{info['memory_gib']} GiB memory, Python {info['python']}.", "",
             "| benchmark | metric | value | target | pass |", "|---|---|---|---|---|"]
    for result in results:
        for r in result["rows"]:
            verdict = {True: "✅", False: "❌", None: ""}[r.get("pass")]
            lines.append(f"| {result['benchmark']} | {r['metric']} | {r['value']:,} {r['unit']} "
                         f"| {fmt_target(r)} | {verdict} |")
    lines += [f"| {name} | benchmark failed (exit {code}) | | | ❌ |"
              for name, code in failures.items()]
    return "\n".join(lines) + "\n"


def update_readme(text: str) -> None:
    readme = README.read_text() if README.exists() else ""
    if START not in readme or END not in readme:
        readme = readme.rstrip("\n") + f"\n\n## Benchmarks\n\n{START}\n{END}\n"
    head, rest = readme.split(START, 1)
    README.write_text(f"{head}{START}\n{text}{END}{rest.split(END, 1)[1]}")


def main(names: list[str]) -> int:
    started = time.time()
    failures = {}
    for script in scripts(names):
        for name, args in variants(script):
            code, seconds = run(script, *args)
            print(f"----- {name}: exit {code} in {seconds:.0f}s", flush=True)
            if code != 0:
                failures[name] = code
    results = []
    for path in sorted(RESULTS.glob("*.json")):
        result = json.loads(path.read_text())
        if path.stat().st_mtime < started:  # not run this time (a name was given): say when
            result["benchmark"] += f" (run {result['date'][:10]})"
        results.append(result)
    text = table(results, failures)
    (RESULTS / "RESULTS.md").write_text("# Benchmark results\n\n" + text)
    update_readme(text)
    print("\n" + text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
