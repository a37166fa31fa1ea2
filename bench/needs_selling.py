"""Needs: a product launch's call list over 100,000 customers, 300,000 needs and 1,000,000
purchase lines; one rep's call list page; customer suggestions; balance deposits.

Data is generated straight into the tables (executemany) on a fresh SQLite file, or on
PostgreSQL with `--postgres URL` (an empty database). Each figure is timed through the store
functions the API calls (median of the runs).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from _common import (
    SCALE,
    Timer,
    customer_rows,
    database_main,
    insert_categories,
    median_ms,
    open_database,
    row,
    start_data,
)
from sqlalchemy import text

import guanxi_needs
from guanxi_needs.domain.balance import BalanceKind
from guanxi_needs.domain.products import name_key
from guanxi_needs.schemas.products import LaunchCreate
from guanxi_needs.store import balance, selling
from guanxi_needs.store.tables import Category, CustomerRef, Need, Product, PurchaseLineRef
from guanxi_shared.auth import Principal, Role
from guanxi_shared.db import bulk_insert
from guanxi_shared.pagination import PageParams

TODAY = date(2026, 11, 1)
URGENCY = ["low", "normal", "high", "urgent"]
CLASSES = ["product", "positively_correlated", "restrictive"]
STATUSES = ["collected", "classified", "analysed", "accepted", "rejected", "fulfilled"]


def generate(sessions, customers: int, needs: int, lines: int, products: int) -> None:
    rng, now, ids = start_data(18, customers)
    with sessions() as session:
        bulk_insert(session, CustomerRef.__table__, customer_rows(ids, now, segment=None))
        categories = insert_categories(session, Category.__table__, now)
        bulk_insert(session, Product.__table__, [
            {"id": f"p{k:04d}", "name": f"产品 {k}", "name_key": name_key(f"产品 {k}"),
             "line": f"line{k % 20}", "lifecycle": "current", "price_from": Decimal(10),
             "price_to": Decimal(20), "currency": "CNY", "summary": None,
             "category_ids": [categories[k % 60]], "usp": None, "ffab": [],
             "related_product_ids": [f"p{(k + 1) % products:04d}"],
             "back_end_product_ids": [f"p{(k + 2) % products:04d}"], "launched_on": None,
             "retired_on": None, "version": 1, "created_at": now, "updated_at": now}
            for k in range(products)])
        who, cat = rng.integers(0, customers, needs), rng.integers(0, 60, needs)
        kind, state = rng.integers(0, 3, needs), rng.integers(0, 6, needs)
        urgency, age = rng.integers(0, 4, needs), rng.integers(0, 730, needs)
        bulk_insert(session, Need.__table__, [
            {"id": f"n{k:08d}", "customer_id": ids[who[k]], "contact_id": None,
             "need_class": CLASSES[kind[k]], "category_id": categories[cat[k]],
             "source": "sales", "recorded_by": "rep1", "description": f"需求 {k}",
             "urgency": URGENCY[urgency[k]], "status": STATUSES[state[k]], "feedback": None,
             "complaint_id": None, "recorded_on": TODAY - timedelta(days=int(age[k])),
             "created_at": now, "updated_at": now, "version": 1} for k in range(needs)])
        who, prod, age = (rng.integers(0, customers, lines), rng.integers(0, products, lines),
                          rng.integers(0, 730, lines))
        by_id = rng.random(lines) < 0.5  # half the lines name the product, half only say it
        bulk_insert(session, PurchaseLineRef.__table__, [
            {"purchase_id": f"pu{k:08d}", "line_no": 0, "customer_id": ids[who[k]],
             "product_id": f"p{prod[k]:04d}" if by_id[k] else None,
             "product_key": name_key(f"产品 {prod[k]}"),
             "purchased_on": TODAY - timedelta(days=int(age[k])), "amount": Decimal(100),
             "created_at": now, "updated_at": now} for k in range(lines)])
        session.commit()


def run(url: str) -> list[dict]:
    engine, sessions = open_database(url, guanxi_needs)
    customers, needs = int(100_000 * SCALE), int(300_000 * SCALE)
    lines, products = int(1_000_000 * SCALE), 200
    generate(sessions, customers, needs, lines, products)
    if engine.dialect.name == "postgresql":  # statistics, as autovacuum would gather them
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    admin = Principal(sub="u-admin", role=Role.admin)
    rep = Principal(sub="rep7", role=Role.rep, team_id="team2")
    launch_s, calls = [], 0
    for n in range(3):
        with sessions() as session, Timer() as t:
            product = session.get(Product, f"p{n:04d}")
            found = selling.launch(session=session, principal=admin, product=product,
                                   launch_in=LaunchCreate(kind="upgrade"))
            calls = found.calls
            launch_id = found.id
        launch_s.append(t.seconds)
    page_s, suggest_s, deposit_s = [], [], []
    for _ in range(20):
        with sessions() as session, Timer() as t:
            launch = selling.get_launch(session=session, launch_id=launch_id)
            selling.calls_page(session=session, principal=rep, launch=launch,
                               page=PageParams(limit=50, cursor=None), owner_id=None,
                               status=None)
        page_s.append(t.seconds)
    for k in range(20):
        with sessions() as session, Timer() as t:
            selling.suggestions(session=session, principal=admin, customer_id=f"c{k:07d}")
        suggest_s.append(t.seconds)
    for k in range(200):
        with sessions() as session, Timer() as t:
            balance.record(session, customer_id=f"c{k % 50:07d}", kind=BalanceKind.visit,
                           source_key=f"bench:{k}", occurred_at=datetime.now(UTC))
            session.commit()
        deposit_s.append(t.seconds)
    engine.dispose()
    return [
        row(f"launch call list ({customers:,} customers, {needs:,} needs, {lines:,} purchase "
            "lines)", median_ms(launch_s), "ms", 3000.0),
        row("customers on the call list", calls, "rows"),
        row("one rep's call list page (50, with reasons)", median_ms(page_s), "ms", 100.0),
        row("a customer's suggestions (related, back-end, correlated needs)",
            median_ms(suggest_s), "ms", 100.0),
        row("one balance deposit (entry, balance, event)", median_ms(deposit_s), "ms", 50.0),
    ]


if __name__ == "__main__":
    database_main(run, sqlite="needs_selling_sqlite", postgres="needs_selling_postgres")
