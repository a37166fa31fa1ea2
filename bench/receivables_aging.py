"""Receivables: the aging board and the overdue list over 300,000 invoices of 100,000 customers.

Data is generated straight into the registry's tables (executemany) on a fresh SQLite file, or on
PostgreSQL with `--postgres URL` (an empty database): 100,000 customers of 50 reps in 5 teams,
300,000 invoices due over the last year and the next two months, of which three quarters are
paid (one payment each) and a quarter still open, 5% of them in part. Each query is timed as the API runs it (the store functions
behind /v1/receivables/aging and /v1/invoices), median of 5.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from _common import (
    SCALE,
    Timer,
    customer_rows,
    database_main,
    open_database,
    row,
    start_data,
    timed_ms,
)

import guanxi_registry
from guanxi_registry.store.aging import board
from guanxi_registry.store.invoices import list_page
from guanxi_registry.store.tables import Customer, Invoice, InvoicePayment
from guanxi_shared.auth import Principal, Role
from guanxi_shared.db import bulk_insert
from guanxi_shared.pagination import PageParams

TODAY = date(2026, 12, 1)
TARGET_MS = 500.0


def generate(sessions, customers: int, invoices: int) -> None:
    rng, now, ids = start_data(13, customers)
    with sessions() as session:
        bulk_insert(session, Customer.__table__, [
            {**customer, "name_key": customer["id"], "search_text": customer["id"]}
            for customer in customer_rows(ids, now, kind="company", tags=[], custom_fields={},
                                          version=1)])
        who = rng.integers(0, customers, invoices)
        due_in = rng.integers(-365, 60, invoices)
        amount = np.round(rng.gamma(2.0, 5000.0, invoices) + 1, 2)
        # most invoices are paid; a quarter are still open, fully or in part
        paid_share = rng.choice([1.0] * 15 + [0.0] * 4 + [0.3], invoices)
        rows, payments = [], []
        for k in range(invoices):
            total = Decimal(str(amount[k]))
            paid = (total * Decimal(str(paid_share[k]))).quantize(Decimal("0.01"))
            due = TODAY + timedelta(days=int(due_in[k]))
            rows.append({
                "id": f"i{k:08d}", "customer_id": ids[who[k]], "document_id": f"INV-{k}",
                "amount": total, "paid": paid, "outstanding": total - paid,
                "currency": "CNY" if k % 10 else "USD", "issue_date": due - timedelta(days=30),
                "due_date": due, "status": "paid" if paid == total else "open", "title": None,
                "voided_on": None, "void_reason": None, "version": 1, "created_at": now,
                "updated_at": now})
            if paid:
                payments.append({"id": f"p{k:08d}", "invoice_id": f"i{k:08d}",
                                 "payment_id": f"RC-{k}", "amount": paid, "note": None,
                                 "paid_on": due - timedelta(days=int(k % 40) - 20),
                                 "created_at": now, "updated_at": now})
        bulk_insert(session, Invoice.__table__, rows)
        bulk_insert(session, InvoicePayment.__table__, payments)
        session.commit()


def run(url: str) -> list[dict]:
    engine, sessions = open_database(url, guanxi_registry)
    customers, invoices = int(100_000 * SCALE), int(300_000 * SCALE)
    with Timer() as load:
        generate(sessions, customers, invoices)
    print(f"generated {invoices:,} invoices in {load.seconds:.1f} s")
    if engine.dialect.name == "postgresql":  # what autovacuum does after a load this size
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    admin = Principal(sub="u-admin", role=Role.admin)
    manager = Principal(sub="u-boss", role=Role.manager, team_id="team1")
    rep = Principal(sub="rep7", role=Role.rep, team_id="team2")
    page = PageParams(limit=50, cursor=None)
    cases = [
        (f"aging board by owner, {invoices:,} invoices", lambda s: board(
            session=s, principal=admin, as_of=TODAY, group_by="owner")),
        ("aging board by team", lambda s: board(
            session=s, principal=admin, as_of=TODAY, group_by="team")),
        ("aging board as of 90 days ago", lambda s: board(
            session=s, principal=admin, as_of=TODAY - timedelta(days=90), group_by="owner")),
        ("aging board, a manager's team", lambda s: board(
            session=s, principal=manager, as_of=TODAY, group_by="owner")),
        ("aging board, one rep", lambda s: board(
            session=s, principal=rep, as_of=TODAY, group_by="owner")),
        ("overdue invoices, first page by due date", lambda s: list_page(
            session=s, principal=admin, page=page, overdue=True, sort="due_date")),
        ("a rep's overdue invoices, first page", lambda s: list_page(
            session=s, principal=rep, page=page, overdue=True, sort="due_date")),
    ]
    rows = [row(name, timed_ms(sessions, work), "ms", TARGET_MS) for name, work in cases]
    engine.dispose()
    return rows


if __name__ == "__main__":
    database_main(run, sqlite="receivables_aging_sqlite", postgres="receivables_aging_postgres")
