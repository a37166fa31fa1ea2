"""The aging board (账龄表): what customers owe, by owner or team, currency and days late.

One GROUP BY over the invoices that can owe anything: the outstanding amount on `as_of` is the
invoice amount less the payments made up to that day, for invoices issued by then and not
voided by then, so a board for the end of last month shows last month's position, not today's.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import case, func, or_, select, union_all
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter
from guanxi_shared.pagination import where_given

from ..domain.aging import BUCKETS, due_date_bounds
from ..schemas.invoices import AgingBoard, AgingCell, AgingRow
from .tables import Customer, Invoice, InvoicePayment

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")  # SQLite sums money as floats: ignore residues below a cent


def board(*, session: Session, principal: Principal, as_of: date,
          group_by: Literal["owner", "team"], owner_id: str | None = None,
          team_id: str | None = None, currency: str | None = None) -> AgingBoard:
    # Owed on as_of = amount - paid + what was paid after as_of (void ones: until voided).
    # Only open and void invoices, and paid ones with a payment after as_of, can owe anything:
    # two index-served selects instead of summing every payment of every invoice.
    later = (select(InvoicePayment.invoice_id.label("iid"),
                    func.sum(InvoicePayment.amount).label("after"))
             .where(InvoicePayment.paid_on > as_of)
             .group_by(InvoicePayment.invoice_id).subquery())
    group = Customer.owner_id if group_by == "owner" else Customer.team_id
    visible = owner_filter(principal, Customer.owner_id, Customer.team_id)

    def owing(stmt):
        stmt = stmt.where(Invoice.issue_date <= as_of,
                          or_(Invoice.voided_on.is_(None), Invoice.voided_on > as_of))
        if visible is not None:
            stmt = stmt.where(visible)
        return where_given(stmt, (Customer.owner_id, owner_id), (Customer.team_id, team_id),
                           (Invoice.currency, currency))

    columns = (group.label("grp"), Invoice.currency.label("cur"), Invoice.due_date.label("due"),
               (Invoice.amount - Invoice.paid + func.coalesce(later.c.after, 0)).label("owed"))
    unpaid = owing(select(*columns).select_from(Invoice)
                   .join(Customer, Customer.id == Invoice.customer_id)
                   .outerjoin(later, later.c.iid == Invoice.id)
                   .where(Invoice.status.in_(("open", "void"))))
    paid_later = owing(select(*columns).select_from(later)
                       .join(Invoice, Invoice.id == later.c.iid)
                       .join(Customer, Customer.id == Invoice.customer_id)
                       .where(Invoice.status == "paid"))
    rows_in = union_all(unpaid, paid_later).subquery()
    bounds = [(name, earliest) for name, earliest, _ in due_date_bounds(as_of)]
    bucket = case(*[(rows_in.c.due >= earliest, name) for name, earliest in bounds
                    if earliest is not None], else_="over_90")
    # grouped outside, so the CASE's date parameters are not repeated in GROUP BY
    buckets = (select(rows_in.c.grp, rows_in.c.cur, bucket.label("bucket"),
                      rows_in.c.owed.label("owed"))
               .where(rows_in.c.owed > HALF_CENT).subquery())
    stmt = (select(buckets.c.grp, buckets.c.cur, buckets.c.bucket, func.sum(buckets.c.owed),
                   func.count())
            .group_by(buckets.c.grp, buckets.c.cur, buckets.c.bucket))
    cells: dict[tuple[str | None, str], dict[str, list]] = {}
    for grp, cur, name, amount, count in session.execute(stmt):
        cell = cells.setdefault((grp, cur), {b: [Decimal(0), 0] for b in BUCKETS})[name]
        cell[0] += Decimal(str(amount))
        cell[1] += count
    rows = [_row(grp, cur, buckets) for (grp, cur), buckets in
            sorted(cells.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1]))]
    totals: dict[str, dict[str, list]] = {}
    for (_, cur), buckets in cells.items():
        into = totals.setdefault(cur, {b: [Decimal(0), 0] for b in BUCKETS})
        for name, (amount, count) in buckets.items():
            into[name][0] += amount
            into[name][1] += count
    return AgingBoard(as_of=as_of, group_by=group_by, rows=rows,
                      totals=[_row(None, cur, totals[cur]) for cur in sorted(totals)])


def _row(group: str | None, currency: str, buckets: dict[str, list]) -> AgingRow:
    cells = {name: AgingCell(amount=amount.quantize(CENT), count=count)
             for name, (amount, count) in buckets.items()}
    total = AgingCell(amount=sum((c.amount for c in cells.values()), Decimal(0)),
                      count=sum(c.count for c in cells.values()))
    return AgingRow(group=group, currency=currency, total=total, **cells)
