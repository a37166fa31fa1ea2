"""`make bench`: every benchmark in its own process, then the results tables (file and README).

The scale benchmarks (bench/scale_*.py: 100,000 and 1,000,000 customers on PostgreSQL, some
minutes each) run only when asked for, `make bench ARGS=scale`, and have their own table."""
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
MARKS = {False: ("<!-- bench:start -->", "<!-- bench:end -->"),
         True: ("<!-- bench-scale:start -->", "<!-- bench-scale:end -->")}
SCALE = "scale"


def is_scale(name: str) -> bool:
    return name.startswith(SCALE)


def scripts(names: list[str]) -> list[Path]:
    """Every benchmark but the scale ones, or those named on the command line
    (`bench/run.py load`; `scale` names every scale benchmark)."""
    found = sorted(p for p in BENCH.glob("*.py") if p.name not in {"_common.py", "run.py"})
    if not names:
        return [p for p in found if not is_scale(p.stem)]
    return [p for p in found if p.stem in names or (SCALE in names and is_scale(p.stem))]


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
    """SQLite (but for a scale benchmark); PostgreSQL too, on a fresh database, when a server
    answers and the benchmark takes `--postgres URL`."""
    if not is_scale(script.stem):
        yield script.stem, []
    text = script.read_text()  # its own --postgres flag, or the shared database_main's
    takes_postgres = is_scale(script.stem) or '"--postgres"' in text or "database_main(" in text
    if takes_postgres and postgres_available():
        url = create_postgres_database(f"gx_bench_{script.stem}")
        try:
            yield f"{script.stem} (postgresql)", ["--postgres", url]
        finally:
            drop_postgres_database(url)


def fmt_target(r: dict) -> str:
    if r.get("target") is None:
        return ""
    return f"{'≤' if r.get('lower_is_better', True) else '≥'} {r['target']:,} {r['unit']}"


def verdict(r: dict) -> str:
    return {True: "✅", False: "❌", None: ""}[r.get("pass")]


def table(results: list[dict], failures: dict[str, int | str]) -> str:
    lines = ["| benchmark | metric | value | target | pass |", "|---|---|---|---|---|"]
    for result in results:
        lines += [f"| {result['benchmark']} | {r['metric']} | {r['value']:,} {r['unit']} "
                  f"| {fmt_target(r)} | {verdict(r)} |" for r in result["rows"]]
    return "\n".join(lines + failed(failures, 2)) + "\n"


def scale_table(results: list[dict], failures: dict[str, int | str]) -> str:
    """Each figure at the small and the large size, and how many times it grew."""
    sizes = next((r["sizes"] for r in results if "sizes" in r),
                 [[100_000, 1_000_000], [1_000_000, 10_000_000]])
    small, big = (f"{c:,} customers / {p:,} purchases" for c, p in sizes)
    lines = [f"| benchmark | metric | {small} | {big} | growth | target | pass |",
             "|---|---|---|---|---|---|---|"]
    for result in results:
        lines += [f"| {result['benchmark']} | {r['metric']} | {r['small']:,} {r['unit']} "
                  f"| {r['value']:,} {r['unit']} | ×{r['growth']} | {fmt_target(r)} "
                  f"| {verdict(r)} |" for r in result["rows"]]
    return "\n".join(lines + failed(failures, 4)) + "\n"


def failed(failures: dict[str, int | str], blanks: int) -> list[str]:
    return [f"| {name} | benchmark failed ({code if isinstance(code, str) else f'exit {code}'}) "
            f"|{' |' * blanks} ❌ |" for name, code in failures.items()]


def update_readme(text: str, scale: bool) -> None:
    start, end = MARKS[scale]
    readme = README.read_text() if README.exists() else ""
    if start not in readme or end not in readme:
        heading = "### Scale (1,000,000 customers)" if scale else "## Benchmarks"
        readme = readme.rstrip("\n") + f"\n\n{heading}\n\n{start}\n{end}\n"
    head, rest = readme.split(start, 1)
    README.write_text(f"{head}{start}\n{text}{end}{rest.split(end, 1)[1]}")


def main(names: list[str]) -> int:
    started = time.time()
    failures: dict[str, int | str] = {}
    for script in scripts(names):
        if is_scale(script.stem) and not postgres_available():
            failures[script.stem] = "no PostgreSQL server answers"
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
    info = machine()
    header = (f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {info['cpus']} cores, "
              f"{info['memory_gib']} GiB memory, Python {info['python']}; "
              f"a fixed Python loop took {info['python_loop_s']} s at the end of the run "
              "(`speed_gauge` in bench/_common.py; each result file has its own).\n\n")
    texts = {}
    for scale in (False, True):
        texts[scale] = header + (scale_table if scale else table)(
            [r for r in results if is_scale(r["benchmark"]) == scale],
            {name: code for name, code in failures.items() if is_scale(name) == scale})
        if any(is_scale(s.stem) == scale for s in scripts(names)):  # the README: this run's
            update_readme(texts[scale], scale)
            print("\n" + texts[scale])
    (RESULTS / "RESULTS.md").write_text(f"# Benchmark results\n\n{texts[False]}\n"
                                        f"## Scale (1,000,000 customers)\n\n{texts[True]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
