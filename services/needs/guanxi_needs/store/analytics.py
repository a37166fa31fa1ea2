"""Needs analytics in SQL: counts and trends, niche candidates (利基市场)."""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import distinct, func, select
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.pagination import where_within

from ..schemas.needs import NeedStats, NicheCandidate, StatsRow
from .access import visible_condition
from .periods import Period, bucket
from .tables import Category, CustomerRef, Need


class StatsBy(StrEnum):
    category = "category"
    need_class = "need_class"
    source = "source"
    segment = "segment"
    status = "status"


_KEYS = {StatsBy.category: Need.category_id, StatsBy.need_class: Need.need_class,
         StatsBy.source: Need.source, StatsBy.segment: CustomerRef.segment,
         StatsBy.status: Need.status}


def _scope(stmt: Any, principal: Principal, *, needs_segment: bool) -> Any:
    cond = visible_condition(principal)
    if cond is None and not needs_segment:
        return stmt
    stmt = stmt.join(CustomerRef, CustomerRef.id == Need.customer_id)
    return stmt if cond is None else stmt.where(cond)


def stats(*, session: Session, principal: Principal, by: StatsBy, period: Period,
          recorded_from: date | None, recorded_to: date | None) -> NeedStats:
    """Needs and distinct customers per key (and per period for a trend), one GROUP BY."""
    key = _KEYS[by].label("key")
    when = bucket(session, Need.recorded_on, period)
    columns = [key] + ([when.label("period")] if when is not None else [])
    stmt = select(*columns, func.count().label("needs"),
                  func.count(distinct(Need.customer_id)).label("customers")).select_from(Need)
    stmt = where_within(_scope(stmt, principal, needs_segment=by == StatsBy.segment),
                        Need.recorded_on, recorded_from, recorded_to)
    groups = [key] + ([when] if when is not None else [])
    stmt = stmt.group_by(*groups).order_by(*(reversed(groups)))
    rows = [StatsRow(key=r.key, period=getattr(r, "period", None), needs=r.needs,
                     customers=r.customers) for r in session.execute(stmt)]
    return NeedStats(by=by.value, period=period.value, rows=rows)


def niches(*, session: Session, principal: Principal, min_customers: int,
           recorded_from: date | None, recorded_to: date | None,
           limit: int) -> list[NicheCandidate]:
    """Category and class pairs that many different customers ask for."""
    customers = func.count(distinct(Need.customer_id))
    stmt = (select(Need.category_id, Need.need_class, customers.label("customers"),
                   func.count().label("needs"), func.min(Need.description).label("example"))
            .select_from(Need))
    stmt = where_within(_scope(stmt, principal, needs_segment=False), Need.recorded_on,
                        recorded_from, recorded_to)
    stmt = (stmt.group_by(Need.category_id, Need.need_class).having(customers >= min_customers)
            .order_by(customers.desc(), Need.category_id, Need.need_class).limit(limit))
    rows = session.execute(stmt).all()
    names = dict(session.execute(select(Category.id, Category.name).where(
        Category.id.in_({r.category_id for r in rows if r.category_id}))).tuples().all())
    return [NicheCandidate(category_id=r.category_id, category=names.get(r.category_id),
                           need_class=r.need_class, customers=r.customers, needs=r.needs,
                           example=r.example) for r in rows]
