"""Life occasions (人生大事): recording them, who may see them, which are due on a day, which
come up soon."""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, not_, or_, select, true
from sqlmodel import Session

from guanxi_shared.auth import Principal, where_visible
from guanxi_shared.errors import Invalid
from guanxi_shared.pagination import PageParams, paginate, where_given, where_within

from ..domain.calendar import days_after
from ..domain.occasions import next_occurrence, recurs_by_default
from ..schemas.occasions import OccasionCreate, OccasionUpdate
from .records import add, change, first_or_404
from .tables import ContactRef, CustomerRef, Occasion

oc = Occasion.__table__.c
audit = logging.getLogger("guanxi.audit")


def visible_occasions(principal: Principal):
    """Occasions of the customers the caller may see."""
    stmt = select(Occasion).join(CustomerRef, CustomerRef.id == Occasion.customer_id)
    return where_visible(stmt, principal, CustomerRef.owner_id, CustomerRef.team_id)


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


def get_visible(*, session: Session, principal: Principal, occasion_id: str) -> Occasion:
    return first_or_404(session, visible_occasions(principal).where(Occasion.id == occasion_id),
                        "Occasion", occasion_id)


def check_contact(session: Session, customer_id: str, contact_id: str | None) -> None:
    """The contact, when one is named, must be one of the customer's."""
    if contact_id is None:
        return
    contact = session.get(ContactRef, contact_id)
    if contact is None or contact.customer_id != customer_id:
        raise Invalid(f"Contact {contact_id} is not a contact of customer {customer_id}",
                      errors=[{"loc": ["body", "contact_id"], "field": "contact_id",
                               "type": "unknown_contact", "msg": "not a contact of the customer"}])


def record(*, session: Session, occasion_in: OccasionCreate, recorded_by: str) -> Occasion:
    """A wedding, a move or an achievement; rules with the life_event trigger greet it."""
    check_contact(session, occasion_in.customer_id, occasion_in.contact_id)
    recurs = occasion_in.recurs_yearly if occasion_in.recurs_yearly is not None \
        else recurs_by_default(occasion_in.kind)
    return add(session, Occasion.model_validate({
        **occasion_in.model_dump(mode="json"), "recurs_yearly": recurs,
        "month": occasion_in.occurs_on.month, "day": occasion_in.occurs_on.day,
        "recorded_by": recorded_by}))


def list_page(*, session: Session, principal: Principal, page: PageParams,
              filters: dict[str, Any]) -> tuple[list[Occasion], str | None]:
    stmt = where_given(visible_occasions(principal),
                       (Occasion.customer_id, filters.get("customer_id")),
                       (Occasion.contact_id, filters.get("contact_id")),
                       (Occasion.kind, filters.get("kind")))
    stmt = where_within(stmt, Occasion.occurs_on, filters.get("occurs_from"),
                        filters.get("occurs_to"))
    return paginate(session, stmt, sort=Occasion.id, key=Occasion.id, page=page)


def update(*, session: Session, occasion: Occasion, occasion_in: OccasionUpdate) -> Occasion:
    if "contact_id" in occasion_in.model_fields_set:
        check_contact(session, occasion.customer_id, occasion_in.contact_id)
    changes = occasion_in.model_dump(exclude_unset=True)
    if occasion_in.occurs_on is not None:
        changes = {"month": occasion_in.occurs_on.month, "day": occasion_in.occurs_on.day,
                   **changes}
    return change(session, occasion, changes)


def delete(*, session: Session, occasion: Occasion, by: str) -> None:
    """Greetings already made stay in the log; the deletion is audited."""
    session.delete(occasion)
    session.commit()
    audit.info("occasion deleted", extra={"customer_id": occasion.customer_id,
                                          "occasion_id": occasion.id, "by": by})


def of_customer(*, session: Session, customer_id: str) -> list[Occasion]:
    return list(session.scalars(select(Occasion).where(Occasion.customer_id == customer_id)))
