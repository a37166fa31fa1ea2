"""Needs: analytics over 200,000 needs and the pipeline forecast over 50,000 opportunities.

Data is generated straight into the tables (executemany) on a fresh SQLite file, or on
PostgreSQL with `--postgres URL` (an empty database). Each query is timed as the API runs it
(the store functions behind /v1/needs/stats, /v1/needs/niches and /v1/pipeline), median of 5.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from _common import (
    SCALE,
    customer_rows,
    database_main,
    insert_categories,
    open_database,
    row,
    start_data,
    timed_ms,
)

import guanxi_needs
from guanxi_needs.store.analytics import StatsBy, niches, stats
from guanxi_needs.store.periods import Period
from guanxi_needs.store.pipeline import PipelineBy, pipeline
from guanxi_needs.store.tables import Category, CustomerRef, Need, Opportunity
from guanxi_shared.auth import Principal, Role
from guanxi_shared.db import bulk_insert

TODAY = date(2026, 11, 1)
TARGET_MS = 500.0
CLASSES = ["product", "positively_correlated", "restrictive", "special"]
SOURCES = ["sales", "implementation", "service", "other"]
STATUSES = ["collected", "classified", "analysed", "accepted", "planned", "rejected"]
STAGES = ["prospecting", "qualified", "proposal", "negotiation", "won", "lost"]
PROBABILITY = [Decimal("0.10"), Decimal("0.30"), Decimal("0.50"), Decimal("0.75"),
               Decimal("1.00"), Decimal("0.00")]
SEGMENTS = ["champions", "loyal", "at_risk", "hibernating", None]


def generate(sessions, customers: int, needs: int, opportunities: int) -> None:
    rng, now, ids = start_data(6, customers)
    with sessions() as session:
        bulk_insert(session, CustomerRef.__table__, [
            {**customer, "segment": SEGMENTS[i % 5]}
            for i, customer in enumerate(customer_rows(ids, now))])
        categories = insert_categories(session, Category.__table__, now)
        who, cat = rng.integers(0, customers, needs), rng.integers(0, 61, needs)
        kind, src = rng.integers(0, 4, needs), rng.integers(0, 4, needs)
        state, age = rng.integers(0, 6, needs), rng.integers(0, 730, needs)
        bulk_insert(session, Need.__table__, [
            {"id": f"n{k:08d}", "customer_id": ids[who[k]], "contact_id": None,
             "need_class": CLASSES[kind[k]] if cat[k] < 60 else "special",
             "category_id": categories[cat[k]] if cat[k] < 60 else None,
             "source": SOURCES[src[k]], "recorded_by": "rep1", "description": f"需求 {k}",
             "urgency": "normal", "status": STATUSES[state[k]], "feedback": None,
             "complaint_id": None, "recorded_on": TODAY - timedelta(days=int(age[k])),
             "created_at": now, "updated_at": now, "version": 1} for k in range(needs)])
        who = rng.integers(0, customers, opportunities)
        stage, age = rng.integers(0, 6, opportunities), rng.integers(0, 365, opportunities)
        amount = np.round(rng.gamma(2.0, 20000.0, opportunities), 2)
        bulk_insert(session, Opportunity.__table__, [
            {"id": f"o{k:08d}", "customer_id": ids[who[k]], "need_id": None,
             "title": f"机会 {k}", "money": bool(k % 2), "authority": bool(k % 3),
             "need": True, "currency": "CNY", "decision_route": [], "competitors": [],
             "owner_id": f"rep{who[k] % 50}", "support_team": [], "protection_days": 30,
             "last_activity_at": now - timedelta(days=int(age[k]) % 60),
             "protected_until": now + timedelta(days=30 - int(age[k]) % 60),
             "stage": STAGES[stage[k]], "probability": PROBABILITY[stage[k]],
             "expected_amount": Decimal(str(amount[k])),
             "expected_close_on": TODAY + timedelta(days=int(age[k]) - 120),
             "closed_on": TODAY - timedelta(days=int(age[k]) // 2) if stage[k] >= 4 else None,
             "created_at": now - timedelta(days=int(age[k])), "updated_at": now, "version": 1}
            for k in range(opportunities)])
        session.commit()


def run(url: str) -> list[dict]:
    engine, sessions = open_database(url, guanxi_needs)
    customers, needs, opps = int(20_000 * SCALE), int(200_000 * SCALE), int(50_000 * SCALE)
    generate(sessions, customers, needs, opps)
    admin = Principal(sub="u-admin", role=Role.admin)
    manager = Principal(sub="u-boss", role=Role.manager, team_id="team1")
    year = {"recorded_from": TODAY - timedelta(days=365), "recorded_to": TODAY}
    cases = [
        (f"needs stats by category, {needs:,} needs", lambda s: stats(
            session=s, principal=admin, by=StatsBy.category, period=Period.all,
            recorded_from=None, recorded_to=None)),
        ("needs trend by class and month", lambda s: stats(
            session=s, principal=admin, by=StatsBy.need_class, period=Period.month,
            recorded_from=None, recorded_to=None)),
        ("needs by segment, last 12 months", lambda s: stats(
            session=s, principal=admin, by=StatsBy.segment, period=Period.all, **year)),
        ("needs by source and month, a manager's team", lambda s: stats(
            session=s, principal=manager, by=StatsBy.source, period=Period.month,
            recorded_from=None, recorded_to=None)),
        ("niche candidates (>= 50 customers)", lambda s: niches(
            session=s, principal=admin, min_customers=50, recorded_from=None,
            recorded_to=None, limit=50)),
        (f"pipeline by stage + forecast, win rate, cycle, {opps:,} opportunities",
         lambda s: pipeline(session=s, principal=admin, group_by=PipelineBy.stage,
                            close_from=None, close_to=None)),
        ("pipeline by close month", lambda s: pipeline(
            session=s, principal=admin, group_by=PipelineBy.month, close_from=None,
            close_to=None)),
        ("pipeline by owner, a manager's team", lambda s: pipeline(
            session=s, principal=manager, group_by=PipelineBy.owner, close_from=None,
            close_to=None)),
    ]
    rows = [row(name, timed_ms(sessions, work), "ms", TARGET_MS) for name, work in cases]
    engine.dispose()
    return rows


if __name__ == "__main__":
    database_main(run, sqlite="needs_analytics_sqlite", postgres="needs_analytics_postgres")
