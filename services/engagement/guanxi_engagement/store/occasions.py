"""Life occasions: who may see them, which are due on a day, which come up soon."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, exists, not_, or_, select, true
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter

from ..domain.calendar import days_after
from ..domain.occasions import next_occurrence
from .tables import ContactRef, CustomerRef, Occasion

oc = Occasion.__table__.c


def visible_occasions(principal: Principal):
    """Occasions of the customers the caller may see."""
    stmt = select(Occasion).join(CustomerRef, CustomerRef.id == Occasion.customer_id)
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    return stmt if condition is None else stmt.where(condition)


def occasion_falls(kind: str | None, days):
    """SQL condition on `occasion`: it falls on the event day of its row in `days` (columns
    occurs_on, m, d: a one-off on its date, a yearly one on its month and day from its date on,
    29 February on the 28th in common years), is of `kind` (None: any), and the contact it
    concerns, if any, has not left."""
    concerned = ContactRef.__table__.alias("concerned")
    departed = exists().where(concerned.c.id == oc.contact_id,
                              concerned.c.left_on.is_not(None))
    condition = and_(oc.month == days.c.m, oc.day == days.c.d,
                     oc.occurs_on <= days.c.occurs_on,
                     or_(oc.recurs_yearly == true(), oc.occurs_on == days.c.occurs_on),
                     not_(departed))
    return condition if kind is None else and_(condition, oc.kind == kind)


def upcoming_occasions(*, session: Session, customer_ids: list[str], start: date,
                       days: int) -> dict[str, list[dict]]:
    """Occasions falling within `days` days from `start`, per customer, soonest first: one
    query for all the customers."""
    if not customer_ids or days < 0:
        return {}
    end = days_after(start, days)
    if end is None:
        return {}
    found: dict[str, list[dict]] = defaultdict(list)
    rows = session.scalars(select(Occasion).where(
        Occasion.customer_id.in_(customer_ids), Occasion.occurs_on <= end,
        or_(Occasion.recurs_yearly == true(), Occasion.occurs_on >= start)))
    for occasion in rows:
        on = next_occurrence(occurs_on=occasion.occurs_on, recurs_yearly=occasion.recurs_yearly,
                             on=start)
        if on is not None and on <= end:
            found[occasion.customer_id].append(
                {"id": occasion.id, "contact_id": occasion.contact_id, "kind": occasion.kind,
                 "on": on, "years": on.year - occasion.occurs_on.year, "note": occasion.note})
    for items in found.values():
        items.sort(key=lambda o: (o["on"], o["id"]))
    return found
