"""Segmentation: full RFM + Pareto + segments over 100,000 customers and 1,000,000 purchases,
the BG/NBD + Gamma-Gamma fit on 100,000 customers, and one incremental update after a purchase.

Data is generated straight into the read model (not through the API) on a fresh SQLite file,
or on PostgreSQL with `--postgres URL` (an empty database).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from _common import (
    SCALE,
    Timer,
    customer_rows,
    database_main,
    median_ms,
    open_database,
    row,
    start_data,
)

import guanxi_segmentation
from guanxi_segmentation.events import on_purchase
from guanxi_segmentation.store.modelling import fit
from guanxi_segmentation.store.scoring import full_recompute
from guanxi_segmentation.store.tables import CustomerRef, PurchaseFact
from guanxi_shared.db import bulk_insert
from guanxi_shared.events import Event

AS_OF = date(2026, 11, 1)


def generate(sessions, customers: int, purchases: int) -> None:
    """Pareto-like spend and Poisson-like repeat buying over two years."""
    rng, now, ids = start_data(7, customers)
    with sessions() as session:
        bulk_insert(session, CustomerRef.__table__, customer_rows(ids, now))
        weights = rng.pareto(1.2, customers) + 0.05
        # every customer bought once; the other purchases follow Pareto-like weights
        owner = np.concatenate([np.arange(customers), rng.choice(
            customers, size=purchases - customers, p=weights / weights.sum())])
        days = rng.integers(0, 730, size=purchases)
        amounts = np.round(rng.gamma(2.0, 150.0, size=purchases), 2)
        for start in range(0, purchases, 200_000):
            end = min(start + 200_000, purchases)
            bulk_insert(session, PurchaseFact.__table__, [
                {"id": f"p{k:08d}", "customer_id": ids[owner[k]],
                 "purchased_on": AS_OF - timedelta(days=int(days[k])),
                 "amount": float(amounts[k]), "currency": "CNY", "created_at": now,
                 "updated_at": now} for k in range(start, end)])
        session.commit()


def settle(engine) -> None:
    """Statistics and the visibility map as autovacuum leaves them on a running database."""
    postgres = engine.dialect.name == "postgresql"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("purchase_fact", "customer_ref"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}" if postgres else f"ANALYZE {table}")
        if postgres:  # the loaded gigabyte is flushed now, not in the middle of the timing
            conn.exec_driver_sql("CHECKPOINT")


def run(url: str) -> list[dict]:
    engine, sessions = open_database(url, guanxi_segmentation,
                                     subscribers={"engagement": "http://127.0.0.1:1"})
    customers, purchases = int(100_000 * SCALE), int(1_000_000 * SCALE)
    generate(sessions, customers, purchases)
    settle(engine)
    rows = []
    with sessions() as session, Timer() as t:
        run_ = full_recompute(session=session, as_of=AS_OF)
    rows.append(row(f"full RFM + Pareto + segments, {run_.customers:,} customers / "
                    f"{purchases:,} purchases", t.seconds, "s", 3.0))
    with sessions() as session, Timer() as t:
        full_recompute(session=session, as_of=AS_OF, snapshot=True)
    rows.append(row("the same, also keeping the day's scores (the first kept day: everyone)",
                    t.seconds, "s"))
    with sessions() as session, Timer() as t:
        result = fit(session=session, cut_off=AS_OF - timedelta(days=180), time_unit="weeks",
                     holdout_end=AS_OF)
    rows.append(row(f"BG/NBD + Gamma-Gamma fit, {result['customers']:,} customers", t.seconds,
                    "s", 10.0))
    with sessions() as session:
        full_recompute(session=session, as_of=AS_OF)  # scores now carry the model columns
    rows.append(incremental_update(sessions))
    engine.dispose()
    return rows


def incremental_update(sessions) -> dict:
    """One purchase's rescoring, as the purchase.recorded handler does it: median of 50."""
    samples = []
    for k in range(50):
        event = Event(id=f"bench{k}", type="purchase.recorded", source="bench",
                      occurred_at=datetime.now(UTC),
                      data={"id": f"new{k}", "customer_id": f"c{k * 7:07d}",
                            "purchased_on": AS_OF.isoformat(), "amount": "199.00"})
        with sessions() as session, Timer() as t:
            on_purchase(session, event)
            session.commit()
        samples.append(t.seconds)
    return row("incremental update after one purchase (median of 50)",
               median_ms(samples), "ms", 50.0)


if __name__ == "__main__":
    database_main(run, sqlite="segmentation_sqlite", postgres="segmentation_postgres")
