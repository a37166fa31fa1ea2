"""Retention (回头率, 复购率) and cohorts, added up from the purchase_period read model, or for
the whole company from its running totals (period_total).

Definitions (../shared/DOMAIN.md section 0): a purchase counts as buying when its amount is
above zero; several purchases on one day are one purchase day. Revenue is net: refunds
(negative amounts) dated in a period subtract from that period's revenue, but a period with
refunds only is not a buying period.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    Subquery,
    Table,
    and_,
    case,
    cast,
    delete,
    event,
    extract,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter
from guanxi_shared.db import for_bulk_work, rewritten, upsert
from guanxi_shared.pagination import where_given
from guanxi_shared.periods import Period, bounds, index_of, label, rate

from ..domain.periods import GRAIN, PERIODS
from .tables import CustomerRef, CustomerScore, PeriodTotal, PurchaseFact, PurchasePeriod

CENT = Decimal("0.01")


def _periods_select(customer_ids: list[str] | None) -> Select:
    """Every customer's rows for the three grains, computed from the purchases in one query:
    purchase days first, then per period, then the cohort and previous-period flags by
    window functions."""
    pf = PurchaseFact.__table__.c
    days = select(pf.customer_id, pf.purchased_on.label("day"),
                  func.max(case((pf.amount > 0, 1), else_=0)).label("bought"),
                  func.sum(pf.amount).label("amount"))
    if customer_ids is not None:
        days = days.where(pf.customer_id.in_(customer_ids))
    d = days.group_by(pf.customer_id, pf.purchased_on).cte("purchase_days")
    year = cast(extract("year", d.c.day), Integer)
    month = cast(extract("month", d.c.day), Integer)
    index = {"m": year * 12 + month - 1, "q": year * 4 + (month - 1) // 3, "y": year}
    per = union_all(*(
        select(d.c.customer_id, literal(code).label("grain"), expr.label("period"),
               func.sum(d.c.bought).label("buy_days"), func.sum(d.c.amount).label("revenue"))
        .group_by(d.c.customer_id, expr)
        for code, expr in index.items())).cte("per_period")
    bought_period = case((per.c.buy_days > 0, per.c.period))
    window = {"partition_by": (per.c.customer_id, per.c.grain)}
    return select(
        per.c.customer_id, per.c.grain, per.c.period, per.c.buy_days, per.c.revenue,
        func.min(bought_period).over(**window).label("cohort"),
        func.coalesce(func.max(bought_period).over(**window, order_by=per.c.period,
                                                  rows=(None, -1)) == per.c.period - 1,
                      false()).label("prev_bought"))


_COLUMNS = ["customer_id", "grain", "period", "buy_days", "revenue", "cohort", "prev_bought"]
_KEY = ["grain", "cohort", "period"]
_MEASURES = ["customers", "buyers", "retained", "repeaters", "revenue"]


def rebuild_periods(session: Session | Connection,
                    customer_ids: list[str] | None = None) -> None:
    """Recompute the rows of these customers (all customers when None) from their purchases,
    and the totals with them: after a purchase, a merge, a resync. No commit; for some
    customers, a Session, whose commit adds their difference to the totals."""
    table, totals = PurchasePeriod.__table__, PeriodTotal.__table__
    if customer_ids is None:
        write_every_period(session)
        if session.info.pop("period_totals_pending", False):  # counted afresh below
            session.execute(delete(_PENDING))
        session.execute(delete(totals))
        session.execute(insert(totals).from_select(_KEY + _MEASURES, _totals_select()))
        return
    _PENDING.create(session.connection(), checkfirst=True)
    session.execute(insert(_PENDING).from_select(_KEY + _MEASURES,
                                                 _totals_select(customer_ids, sign=-1)))
    session.execute(delete(table).where(table.c.customer_id.in_(customer_ids)))
    session.execute(insert(table).from_select(_COLUMNS, _periods_select(customer_ids)))
    session.execute(insert(_PENDING).from_select(_KEY + _MEASURES,
                                                 _totals_select(customer_ids)))
    session.info["period_totals_pending"] = True


# What this transaction adds to the totals (the customers' rows added up after a rebuild,
# less before it), added when it commits (in `_add_pending`), all at once in key order:
# transactions applying events for different customers then lock the shared total rows in one
# order, briefly, and never deadlock over them. A temporary table, so that what a rolled-back
# savepoint (a dead-lettered event) added goes with it.
_PENDING = Table("period_total_pending", MetaData(),
                 *(Column(c.name, c.type) for c in PeriodTotal.__table__.c),
                 prefixes=["TEMPORARY"])


@event.listens_for(Session, "before_commit")
def _add_pending(session: Session) -> None:
    if not session.info.pop("period_totals_pending", False):
        return
    # again: a savepoint rolled back (a dead-lettered event) may have taken its creation along
    _PENDING.create(session.connection(), checkfirst=True)
    key, sums = [_PENDING.c[k] for k in _KEY], [func.sum(_PENDING.c[m]) for m in _MEASURES]
    rows = session.execute(select(*key, *sums).group_by(*key)
                           .having(or_(*(total != 0 for total in sums))).order_by(*key)).all()
    session.execute(delete(_PENDING))
    upsert(session, PeriodTotal.__table__,
           [dict(zip(_KEY + _MEASURES, row, strict=True)) for row in rows], key=_KEY, add=True)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, rolled_back) -> None:
    if rolled_back.parent is None:  # the whole transaction, and the rows with it; a savepoint
        session.info.pop("period_totals_pending", None)  # leaves the rows written before it


def write_every_period(session: Session | Connection) -> None:
    """Every customer's period rows from every purchase, in place of the table's (tens of
    millions of rows at a million customers); the totals are the caller's."""
    for_bulk_work(session)
    with rewritten(session, PurchasePeriod.__table__) as target:
        session.execute(insert(target).from_select(_COLUMNS, _periods_select(None)))


def _totals_select(customer_ids: list[str] | None = None, sign: int = 1) -> Select:
    """The period rows of these customers (all when None) added up in period_total's columns,
    times `sign`."""
    c = PurchasePeriod.__table__.c
    cohort = func.coalesce(c.cohort, -1)
    bought = c.buy_days > 0
    stmt = (select(c.grain, cohort.label("cohort"), c.period,
                   (sign * func.count()).label("customers"),
                   (sign * func.sum(case((bought, 1), else_=0))).label("buyers"),
                   (sign * func.sum(case((and_(bought, c.prev_bought), 1), else_=0)))
                   .label("retained"),
                   (sign * func.sum(case((c.buy_days >= 2, 1), else_=0))).label("repeaters"),
                   (sign * func.sum(c.revenue)).label("revenue"))
            .group_by(c.grain, cohort, c.period))
    return stmt if customer_ids is None else stmt.where(c.customer_id.in_(customer_ids))


def _totals(principal: Principal, filters: dict[str, Any], period: Period, first: int,
            last: int) -> Subquery:
    """One grain's totals from period `first` to `last`, of the customers the segmentation
    lists' filters and the role rule (a rep sees only their own customers) leave: period_total
    itself when that is everyone, else their period rows added up.

    Owner, team and role limits are `customer_id IN (the chosen customers)`, and the grain is
    then compared as `grain || ''`, which no index serves: both databases start from the few
    chosen customers and read only their rows by the primary key. Without it SQLite, lacking
    statistics, reads every row of the period range first (3 to 5 s instead of 0.07 s for one
    rep over two years of 100,000 customers)."""
    pp = PurchasePeriod.__table__.c
    grain, limits = pp.grain, []
    visible = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    if visible is not None or filters.get("owner_id") or filters.get("team_id"):
        chosen = where_given(select(CustomerRef.id),
                             (CustomerRef.owner_id, filters.get("owner_id")),
                             (CustomerRef.team_id, filters.get("team_id")))
        if visible is not None:
            chosen = chosen.where(visible)
        limits.append(pp.customer_id.in_(chosen))
        grain = grain + literal("")
    if filters.get("segment") or filters.get("tier"):
        scored = where_given(select(CustomerScore.customer_id),
                             (CustomerScore.segment, filters.get("segment")),
                             (CustomerScore.tier, filters.get("tier")))
        limits.append(pp.customer_id.in_(scored))
    if not limits:
        pt = PeriodTotal.__table__
        return (select(pt).where(pt.c.grain == GRAIN[period], pt.c.period.between(first, last))
                .subquery())
    return (_totals_select().where(*limits, grain == GRAIN[period],
                                   pp.period.between(first, last)).subquery())


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def retention_report(session: Session, principal: Principal, start: date, end: date,
                     period: Period, **filters: Any) -> list[dict[str, Any]]:
    """One row per period from the one holding `start` to the one holding `end`."""
    first, last = index_of(start, period), index_of(end, period)
    t = _totals(principal, filters, period, first - 1, last).c
    is_new = t.cohort == t.period
    stmt = select(t.period, func.sum(t.buyers), func.sum(case((is_new, t.customers), else_=0)),
                  func.sum(t.retained), func.sum(t.repeaters), func.sum(t.revenue),
                  func.sum(case((is_new, t.revenue), else_=0))).group_by(t.period)
    found = {row[0]: row[1:] for row in session.execute(stmt)}
    empty = (0, 0, 0, 0, 0, 0)
    out = []
    for index in range(first, last + 1):
        sums = found.get(index, empty)
        buyers, new, retained, repeat = (int(v or 0) for v in sums[:4])
        revenue, revenue_new = _money(sums[4]), _money(sums[5])
        previous = int(found.get(index - 1, empty)[0] or 0)
        period_from, period_to = bounds(index, period)
        out.append({
            "period": label(index, period), "from": period_from, "to": period_to,
            "buyers": buyers, "new": new, "retained": retained,
            "won_back": buyers - new - retained, "lost": previous - retained,
            "previous_buyers": previous, "repeat_buyers": repeat,
            "return_rate": rate(retained, previous), "repeat_rate": rate(repeat, buyers),
            "revenue": revenue, "revenue_new": revenue_new,
            "revenue_returning": revenue - revenue_new})
    return out


def cohort_report(session: Session, principal: Principal, start: date, end: date,
                  period: Period, **filters: Any) -> list[dict[str, Any]]:
    """Customers grouped by the period of their first purchase day (from `start`'s period to
    `end`'s), and for each later period up to `end`'s, how many of them bought and what share."""
    first, last = index_of(start, period), index_of(end, period)
    t = _totals(principal, filters, period, first, last).c
    stmt = (select(t.cohort, t.period, func.sum(t.buyers), func.sum(t.revenue))
            .where(t.cohort.between(first, last)).group_by(t.cohort, t.period))
    cells: dict[int, dict[int, tuple[int, Any]]] = {}
    for cohort, index, buyers, revenue in session.execute(stmt):
        cells.setdefault(cohort, {})[index] = (int(buyers or 0), revenue)
    out = []
    for cohort in range(first, last + 1):
        row = cells.get(cohort, {})
        size = row.get(cohort, (0, 0))[0]
        cohort_from, cohort_to = bounds(cohort, period)
        later = []
        for index in range(cohort + 1, last + 1):
            buyers, revenue = row.get(index, (0, 0))
            later.append({"period": label(index, period), "offset": index - cohort,
                          "buyers": buyers, "share": rate(buyers, size),
                          "revenue": _money(revenue)})
        out.append({"cohort": label(cohort, period), "from": cohort_from, "to": cohort_to,
                    "customers": size, "revenue": _money(row.get(cohort, (0, 0))[1]),
                    "periods": later})
    return out


__all__ = ["PERIODS", "cohort_report", "rebuild_periods", "retention_report"]
