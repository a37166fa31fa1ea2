"""Segmentation: retention per month over the whole range, cohorts, and the neglect list, over
100,000 customers and 1,000,000 purchases (two years) and a last touch for 70% of them, each
timed through the store as the API calls it (median of several runs; an admin's view, no
filter, unless the row says one rep's).

Data is generated straight into the read model as bench/segmentation_scoring.py does, on a
fresh SQLite file, or on PostgreSQL with `--postgres URL` (an empty database).
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import numpy as np
from _common import SCALE, Timer, database_main, open_database, row
from segmentation_scoring import AS_OF, generate, settle

import guanxi_segmentation
from guanxi_segmentation.store.neglect import neglect_list, neglect_summary
from guanxi_segmentation.store.retention import cohort_report, rebuild_periods, retention_report
from guanxi_segmentation.store.scoring import full_recompute
from guanxi_segmentation.store.tables import LastTouch
from guanxi_shared.auth import Principal, Role
from guanxi_shared.db import bulk_insert_columns
from guanxi_shared.pagination import PageParams

ADMIN = Principal(sub="bench", role=Role.admin)
REP = Principal(sub="rep7", role=Role.rep)
RUNS = 7


def timed(sessions, call) -> tuple[float, object]:
    """Median seconds of RUNS calls, each in a fresh session (as a request has)."""
    samples, result = [], None
    for _ in range(RUNS):
        with sessions() as session, Timer() as t:
            result = call(session)
        samples.append(t.seconds)
    return float(np.median(samples)), result


def run(url: str) -> list[dict]:
    engine, sessions = open_database(url, guanxi_segmentation)
    customers, purchases = int(100_000 * SCALE), int(1_000_000 * SCALE)
    generate(sessions, customers, purchases)
    rows = []
    with sessions() as session, Timer() as t:
        rebuild_periods(session)
        session.commit()
    rows.append(row(f"build the retention read model from {purchases:,} purchases", t.seconds,
                    "s"))
    touches(sessions, customers)
    with sessions() as session:
        full_recompute(session=session, as_of=AS_OF)  # the tiers the neglect limits use
    settle(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        postgres = engine.dialect.name == "postgresql"
        for table in ("purchase_period", "last_touch", "customer_score"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}" if postgres else f"ANALYZE {table}")
    start, end = AS_OF - timedelta(days=730), AS_OF
    seconds, months = timed(sessions, lambda s: retention_report(s, ADMIN, start, end, "month"))
    rows.append(row(f"retention per month, {len(months)} months, {customers:,} customers",
                    seconds * 1000, "ms", 500.0))
    seconds, _ = timed(sessions, lambda s: retention_report(s, ADMIN, start, end, "quarter"))
    rows.append(row("retention per quarter, the same range", seconds * 1000, "ms", 500.0))
    seconds, _ = timed(sessions, lambda s: retention_report(s, REP, start, end, "month"))
    rows.append(row("retention per month, one rep's customers", seconds * 1000, "ms", 500.0))
    seconds, cohorts = timed(sessions, lambda s: cohort_report(s, ADMIN, start, end, "month"))
    cells = sum(len(c["periods"]) for c in cohorts)
    rows.append(row(f"monthly cohorts ({len(cohorts)} cohorts, {cells} cells)", seconds * 1000,
                    "ms", 500.0))
    page = PageParams(limit=50, cursor=None)
    seconds, _ = timed(sessions, lambda s: neglect_list(s, ADMIN, AS_OF, page))
    rows.append(row("neglect list, first page of 50, oldest first", seconds * 1000, "ms",
                    500.0))
    seconds, _ = timed(sessions, lambda s: neglect_list(s, REP, AS_OF, page))
    rows.append(row("neglect list, one rep's customers", seconds * 1000, "ms", 500.0))
    seconds, groups = timed(sessions, lambda s: neglect_summary(s, ADMIN, AS_OF, "owner"))
    neglected = sum(g["neglected"] for g in groups)
    rows.append(row(f"neglect summary per owner ({len(groups)} owners, {neglected:,} "
                    "neglected)", seconds * 1000, "ms", 500.0))
    engine.dispose()
    return rows


def touches(sessions, customers: int) -> None:
    """A last touch for 70% of the customers, spread over the year before AS_OF."""
    rng = np.random.default_rng(11)
    chosen = np.flatnonzero(rng.random(customers) < 0.7)
    seconds_ago = rng.integers(0, 365 * 86400, size=len(chosen))
    at = [datetime.combine(AS_OF, time(), UTC) - timedelta(seconds=int(s)) for s in seconds_ago]
    with sessions() as session:
        bulk_insert_columns(session, LastTouch.__table__, {
            "customer_id": [f"c{i:07d}" for i in chosen], "touched_at": at,
            "touched_on": [a.date() for a in at], "kind": ["call"] * len(chosen),
            "source_id": [f"t{i}" for i in chosen], "contact_id": [None] * len(chosen)})
        session.commit()


if __name__ == "__main__":
    database_main(run, sqlite="segmentation_retention_sqlite",
                  postgres="segmentation_retention_postgres")
