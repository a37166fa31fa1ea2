"""What every benchmark shares: timing, percentiles, the machine, and the results file."""
from __future__ import annotations

import json
import os
import platform
import statistics
import time
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


def report(benchmark: str, rows: list[dict]) -> None:
    """Print the rows as a table and write bench/results/<benchmark>.json."""
    RESULTS.mkdir(exist_ok=True)
    result = {"benchmark": benchmark, "date": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": machine(), "rows": rows}
    (RESULTS / f"{benchmark}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n{benchmark}")
    for r in rows:
        target = "" if r["target"] is None else f"(target {'<=' if r['lower_is_better'] else '>='} {r['target']} {r['unit']})"
        verdict = {True: "PASS", False: "FAIL", None: ""}[r["pass"]]
        print(f"  {r['metric']:<55} {r['value']:>12,.3f} {r['unit']:<6} {target} {verdict}")
