"""At-risk reasons beyond purchases: neglect past the tier's limit, a complaint open past its
answer deadline, satisfaction under 100 at the last check, an invoice overdue more than 30
days, a relationship balance below zero. Each is one query over a small table (touches are
read by the caller), aligned to the scored customers: no per-customer queries."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Integer, cast, func, literal, select
from sqlmodel import Session

from guanxi_shared.db import object_columns

from ..schemas.policy import PolicySettings
from .tables import BalanceRef, ComplaintRef, InvoiceRef, LastTouch, SatisfactionScore

INVOICE_OVERDUE_DAYS = 30
SMALL = 1000  # up to this many customers, queries name them; beyond, they read every row


def only(stmt, column, ids: list[str] | None):
    """The query for these customers, or for every customer when `ids` is None."""
    return stmt if ids is None else stmt.where(column.in_(ids))


def _only(stmt, column, ids: np.ndarray):
    return only(stmt, column, ids.tolist() if len(ids) <= SMALL else None)


class Positions:
    """Where each customer id sits in the scored ids, for whole arrays at once."""

    def __init__(self, ids: np.ndarray):
        self.text = ids.astype(str)
        self.order = np.argsort(self.text, kind="stable")
        self.sorted = self.text[self.order]

    @property
    def rank(self) -> np.ndarray:
        """Each id's place in id order: a sort key that orders as the ids do, at the cost of
        integers (ties broken by id in a million-row sort)."""
        rank = np.empty(len(self.order), dtype=np.int64)
        rank[self.order] = np.arange(len(self.order))
        return rank

    def of(self, wanted: np.ndarray) -> np.ndarray:
        """Positions of `wanted` ids in the scored ids; -1 for ids not scored."""
        if not len(self.sorted):
            return np.full(len(wanted), -1)
        at = np.minimum(np.searchsorted(self.sorted, wanted), len(self.sorted) - 1)
        return np.where(self.sorted[at] == wanted, self.order[at], -1)

    def get(self, cid: str) -> int | None:
        found = int(self.of(np.array([cid], dtype=str))[0])
        return None if found < 0 else found


def day_number(session: Session, column):
    """Days since 1970-01-01, computed by the database: parsing 70,000 dates in Python
    would cost more than reading them."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(column) - 2440587.5, Integer)
    return column - literal(date(1970, 1, 1))


def _epoch_days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def touches_query(session: Session, ids: list[str] | None = None):
    """Each customer's last touch, as a day number."""
    return only(select(LastTouch.customer_id, day_number(session, LastTouch.touched_on)),
                LastTouch.customer_id, ids)


def risk_reasons(session: Session, position: Positions, first: np.ndarray, tiers: np.ndarray,
                 as_of: date, settings: PolicySettings, out: list[list[str]],
                 touches: list[tuple]) -> None:
    """Append each reason to `out[i]`, the reasons of the customer at position i of the
    scored ids. `touches` are the rows of `touches_query` (at least the scored customers')."""
    ids = position.text

    # Neglect: days since the last touch, or since the first purchase if never touched.
    last = first.copy()
    touched = np.zeros(len(ids), dtype=bool)
    if touches:
        rows = object_columns(touches, 2)
        at = position.of(rows[:, 0].astype(str))
        days = rows[:, 1].astype(np.int64)
        keep = at >= 0
        last[at[keep]] = days[keep]
        touched[at[keep]] = True
    limit_of = settings.neglect_days.model_dump()
    limits = np.select([tiers == "invest", tiers == "keep"],
                       [limit_of["invest"], limit_of["keep"]], limit_of["reconsider"])
    gap = _epoch_days(as_of) - last
    flagged = np.flatnonzero(gap > limits)
    names = list(limit_of)
    text = np.array([f"neglected: no touch for more than the {limit_of[tier]} days the {tier} "
                     f"tier allows{'' if was else ' (never touched since the first purchase)'}"
                     for tier in names for was in (False, True)], dtype=object)
    code = np.select([tiers == name for name in names], range(len(names)), 0) * 2 + touched
    for i, reason in zip(flagged.tolist(), text[code[flagged]].tolist(), strict=True):
        out[i].append(reason)  # shared strings: tens of thousands may be flagged

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
            out[i].append(
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
            out[i].append(
                f"satisfaction index {index:g} at the last check ({scored_on}), under 100")

    # An open invoice overdue more than 30 days.
    overdue = _only(select(InvoiceRef.customer_id, func.count(), func.min(InvoiceRef.due_date))
                    .where(InvoiceRef.status == "open", InvoiceRef.outstanding > 0,
                           InvoiceRef.due_date < as_of - timedelta(days=INVOICE_OVERDUE_DAYS))
                    .group_by(InvoiceRef.customer_id), InvoiceRef.customer_id, ids)
    for cid, n, due in session.execute(overdue):
        if (i := position.get(cid)) is not None:
            out[i].append(
                f"{n} invoice{'s' if n > 1 else ''} overdue more than {INVOICE_OVERDUE_DAYS} "
                f"days (the oldest due {due}, {(as_of - due).days} days ago)")

    # The relationship balance (情感银行) overdrawn: "不断透支…关系被推入破产边缘".
    for cid, balance in session.execute(_only(
            select(BalanceRef.customer_id, BalanceRef.balance).where(BalanceRef.balance < 0),
            BalanceRef.customer_id, ids)):
        if (i := position.get(cid)) is not None:
            out[i].append(f"relationship balance negative ({balance})")
