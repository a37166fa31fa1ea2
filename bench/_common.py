"""What every benchmark shares: timing, percentiles, the machine, and the results file."""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def machine() -> dict:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(terse=True)}


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "mean": statistics.fmean(ms)}


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def row(metric: str, value: float, unit: str, target: float | None = None,
        lower_is_better: bool = True) -> dict:
    passed = None if target is None else (value <= target if lower_is_better else value >= target)
    return {"metric": metric, "value": round(value, 3), "unit": unit, "target": target,
            "lower_is_better": lower_is_better, "pass": passed}


def report(benchmark: str, rows: list[dict], **extra: object) -> None:
    """Print the rows as a table and write bench/results/<benchmark>.json (with `extra`)."""
    RESULTS.mkdir(exist_ok=True)
    result = {"benchmark": benchmark, "date": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": machine(), "rows": rows, **extra}
    (RESULTS / f"{benchmark}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n{benchmark}")
    for r in rows:
        target = "" if r["target"] is None else f"(target {'<=' if r['lower_is_better'] else '>='} {r['target']} {r['unit']})"
        verdict = {True: "PASS", False: "FAIL", None: ""}[r["pass"]]
        print(f"  {r['metric']:<55} {r['value']:>12,.3f} {r['unit']:<6} {target} {verdict}")


def database_main(run: Callable[[str], list[dict]], *, sqlite: str, postgres: str) -> None:
    """`run(url)` on a fresh SQLite file, or with `--postgres URL` on that empty database;
    the rows are reported under the name given for that database."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="URL of an empty PostgreSQL database")
    url = parser.parse_args().postgres
    if url:
        report(postgres, run(url))
        return
    with tempfile.TemporaryDirectory() as tmp:
        report(sqlite, run(f"sqlite:///{tmp}/bench.db"))


# The scale benchmarks (bench/scale_*.py, `make bench ARGS=scale`): each measures both sizes,
# (customers, purchases), and reports the larger one's figures with how much each grew.
_SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SCALE_SIZES = [(int(100_000 * _SCALE), int(1_000_000 * _SCALE)),
               (int(1_000_000 * _SCALE), int(10_000_000 * _SCALE))]


def scale_main(benchmark: str, measure: Callable[[str, int, int], list[dict]]) -> None:
    """`--postgres URL` of an empty database; `measure(url, customers, purchases)` at each
    size, then the big size's rows, each with the small size's value and the factor between."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", required=True, help="URL of an empty PostgreSQL database")
    url = parser.parse_args().postgres
    small, big = (measure(url, customers, purchases) for customers, purchases in SCALE_SIZES)
    report(benchmark, [{**b, "small": s["value"],
                        "growth": round(b["value"] / max(s["value"], 1e-9), 1)}
                       for s, b in zip(small, big, strict=True)], sizes=SCALE_SIZES)


def reset_schema(engine) -> None:
    """An empty PostgreSQL database again: the previous size's tables go in one statement."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
