"""Load: a mixed workload through the gateway from concurrent clients, then a check of every write.

Starts the five real processes on free ports (SQLite; `--postgres` for one fresh PostgreSQL
database per service), runs reads, searches, creates, updates with If-Match, purchases and
agenda queries for `--seconds` (default 30), and reports throughput, p50/p95/p99 and 5xx.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from _common import SCALE, latency_summary, report, row

# The workload and its verification live with the fault tests, which run the same clients.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from harness import run_workload, start_suite, verify

from guanxi_shared.suite import APPS
from guanxi_testing.fixtures import create_postgres_database, drop_postgres_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30 * SCALE)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL database; each service gets its own on that server")
    args = parser.parse_args()
    if args.postgres:
        os.environ["GUANXI_TEST_POSTGRES_URL"] = args.postgres
    databases = ({name: create_postgres_database(f"gx_load_{name}") for name in APPS}
                 if args.postgres else {})
    suite = start_suite(Path(tempfile.mkdtemp(prefix="guanxi-load-")), databases)
    try:
        ledger = run_workload(suite, args.seconds, clients=args.clients)
        verify(suite, ledger)
    finally:
        suite.stop_all()
        for url in databases.values():
            drop_postgres_database(url)
    everything = [s for samples in ledger.latencies.values() for s in samples]
    overall = latency_summary(everything)
    errors = sum(n for status, n in ledger.statuses.items()
                 if status == "transport" or status >= 500)
    backend = "postgresql" if args.postgres else "sqlite"
    rows = [row(f"throughput, {args.clients} clients ({backend})", len(everything) / args.seconds,
                "req/s", None, lower_is_better=False),
            row("latency p50 (all requests)", overall["p50"], "ms"),
            row("latency p95 (all requests)", overall["p95"], "ms"),
            row("latency p99 (all requests)", overall["p99"], "ms"),
            row("5xx and dropped connections", errors, "count", 0),
            row("acknowledged writes verified (customers + purchases)",
                len(ledger.customers) + len(ledger.purchases), "count")]
    rows += [row(f"latency p95: {kind}", latency_summary(samples)["p95"], "ms")
             for kind, samples in sorted(ledger.latencies.items())]
    report("load" if not args.postgres else "load_postgres", rows)
    for line in ledger.server_errors[:10]:
        print("5xx:", line)


if __name__ == "__main__":
    main()
