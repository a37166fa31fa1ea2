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

import numpy as np

from guanxi_shared.db import bulk_insert, make_engine, make_sessionmaker, migrate

RESULTS = Path(__file__).parent / "results"
# Every benchmark's data sizes are multiplied by BENCH_SCALE (0.01 for a quick try).
SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def machine() -> dict:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(terse=True),
            "python_loop_s": speed_gauge()}


def speed_gauge() -> float:
    """Seconds a fixed pure-Python loop (5 million additions) takes. Our machines' speed
    moves by half or more within an hour, so a run says how fast its machine was."""
    started, total = time.perf_counter(), 0
    for i in range(5_000_000):
        total += i
    return round(time.perf_counter() - started, 2)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "mean": statistics.fmean(ms)}


def median_ms(samples_s: list[float]) -> float:
    return float(np.median(samples_s)) * 1000


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


def timed_ms(sessions, work: Callable, runs: int = 5) -> float:
    """The median milliseconds of `work(session)`, each run in a fresh session."""
    samples = []
    for _ in range(runs):
        with sessions() as session, Timer() as t:
            work(session)
        samples.append(t.seconds)
    return median_ms(samples)


def open_database(url: str, service, **session_options):
    """The service package's migrations run on `url`; its engine and sessionmaker."""
    engine = make_engine(url)
    migrate(engine, Path(service.__file__).parent / "migrations")
    return engine, make_sessionmaker(engine, **session_options)


def start_data(seed: int, customers: int) -> tuple[np.random.Generator, datetime, list[str]]:
    """What every generator starts from: random numbers from a fixed seed (each run loads the
    same data), the time the rows are written at, and the customers' ids, c0000000 upwards."""
    ids = [f"c{i:07d}" for i in range(customers)]
    return np.random.default_rng(seed), datetime.now(UTC), ids


def customer_rows(ids: list[str], now: datetime, **columns: object) -> list[dict]:
    """Active customers named 客户<id>, dealt round 50 reps in 5 teams, with `columns` too."""
    return [{"id": cid, "name": f"客户{cid}", "status": "active", "owner_id": f"rep{i % 50}",
             "team_id": f"team{i % 5}", **columns, "created_at": now, "updated_at": now}
            for i, cid in enumerate(ids)]


def insert_categories(session, table, now: datetime, count: int = 60) -> list[str]:
    """`count` top-level categories cat000 upwards, named 品类<id>, into `table`; their ids."""
    ids = [f"cat{i:03d}" for i in range(count)]
    bulk_insert(session, table, [
        {"id": c, "name": f"品类{c}", "parent_id": None, "version": 1, "created_at": now,
         "updated_at": now} for c in ids])
    return ids


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
SCALE_SIZES = [(int(100_000 * SCALE), int(1_000_000 * SCALE)),
               (int(1_000_000 * SCALE), int(10_000_000 * SCALE))]


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
