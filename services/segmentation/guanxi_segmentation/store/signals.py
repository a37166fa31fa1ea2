"""At-risk reasons beyond purchases: neglect past the tier's limit, a complaint open past its
answer deadline, satisfaction under 100 at the last check, an invoice overdue more than 30
days, a relationship balance below zero. Each is one query over a small table (or, for touches, one column read), aligned to the
scored customers with a dictionary: no per-customer queries."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import String, cast, func, select
from sqlmodel import Session

from ..schemas.policy import PolicySettings
from .tables import BalanceRef, ComplaintRef, InvoiceRef, LastTouch, SatisfactionScore

INVOICE_OVERDUE_DAYS = 30
SMALL = 1000  # up to this many customers, queries name them; beyond, they read every row


def _only(stmt, column, ids: np.ndarray):
    return stmt.where(column.in_(ids.tolist())) if len(ids) <= SMALL else stmt


def _epoch_days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def risk_reasons(session: Session, ids: np.ndarray, first: np.ndarray, tiers: np.ndarray,
                 as_of: date, settings: PolicySettings) -> dict[int, list[str]]:
    """Reasons by the customer's position in `ids` (only customers that have one)."""
    position = {cid: i for i, cid in enumerate(ids.tolist())}
    out: dict[int, list[str]] = {}
    conn = session.connection()

    # Neglect: days since the last touch, or since the first purchase if never touched.
    touches = conn.execute(_only(select(LastTouch.customer_id, cast(LastTouch.touched_on, String)),
                                 LastTouch.customer_id, ids)).all()
    last = first.copy()
    touched = np.zeros(len(ids), dtype=bool)
    if touches:
        at = np.array([position.get(cid, -1) for cid, _ in touches])
        days = (np.array([d for _, d in touches], dtype="datetime64[D]")
                - np.datetime64("1970-01-01", "D")).astype(np.int64)
        keep = at >= 0
        last[at[keep]] = days[keep]
        touched[at[keep]] = True
    limit_of = settings.neglect_days.model_dump()
    limits = np.select([tiers == "invest", tiers == "keep"],
                       [limit_of["invest"], limit_of["keep"]], limit_of["reconsider"])
    gap = _epoch_days(as_of) - last
    for i in np.flatnonzero(gap > limits):
        since = "the last touch" if touched[i] else "the first purchase, never touched"
        out.setdefault(int(i), []).append(
            f"neglected: {int(gap[i])} days since {since} (the {tiers[i]} tier allows "
            f"{int(limits[i])})")

    # A complaint still open past its answer deadline (as of the end of `as_of`, or now).
    tz = ZoneInfo(session.info.get("timezone", "Asia/Shanghai"))
    moment = min(datetime.combine(as_of + timedelta(days=1), time(), tz).astimezone(UTC),
                 datetime.now(UTC))
    late = _only(select(ComplaintRef.customer_id, func.count(), func.min(ComplaintRef.due_at))
                 .where(ComplaintRef.resolved_at.is_(None), ComplaintRef.due_at < moment)
                 .group_by(ComplaintRef.customer_id), ComplaintRef.customer_id, ids)
    for cid, n, due in session.execute(late):
        if (i := position.get(cid)) is not None:
            due = due if due.tzinfo else due.replace(tzinfo=UTC)
            out.setdefault(i, []).append(
                f"{n} complaint{'s' if n > 1 else ''} open past the answer deadline "
                f"(due {due.astimezone(tz).strftime('%Y-%m-%d %H:%M')})")

    # Satisfaction under 100 at the last check up to `as_of`.
    s = SatisfactionScore
    ranked = _only(select(s.customer_id, s.scored_on, s.index, func.row_number().over(
        partition_by=s.customer_id, order_by=(s.scored_on.desc(), s.id.desc())).label("k"))
        .where(s.scored_on <= as_of), s.customer_id, ids).subquery()
    for cid, scored_on, index in session.execute(
            select(ranked.c.customer_id, ranked.c.scored_on, ranked.c.index)
            .where(ranked.c.k == 1, ranked.c.index < 100)):
        if (i := position.get(cid)) is not None:
            out.setdefault(i, []).append(
                f"satisfaction index {index:g} at the last check ({scored_on}), under 100")

    # An open invoice overdue more than 30 days.
    overdue = _only(select(InvoiceRef.customer_id, func.count(), func.min(InvoiceRef.due_date))
                    .where(InvoiceRef.status == "open", InvoiceRef.outstanding > 0,
                           InvoiceRef.due_date < as_of - timedelta(days=INVOICE_OVERDUE_DAYS))
                    .group_by(InvoiceRef.customer_id), InvoiceRef.customer_id, ids)
    for cid, n, due in session.execute(overdue):
        if (i := position.get(cid)) is not None:
            out.setdefault(i, []).append(
                f"{n} invoice{'s' if n > 1 else ''} overdue more than {INVOICE_OVERDUE_DAYS} "
                f"days (the oldest due {due}, {(as_of - due).days} days ago)")

    # The relationship balance (情感银行) overdrawn: "不断透支…关系被推入破产边缘".
    for cid, balance in session.execute(_only(
            select(BalanceRef.customer_id, BalanceRef.balance).where(BalanceRef.balance < 0),
            BalanceRef.customer_id, ids)):
        if (i := position.get(cid)) is not None:
            out.setdefault(i, []).append(f"relationship balance negative ({balance})")
    return out
