"""Contacts' birthdays coming up: solar and lunar, resolved to the solar day they fall on."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, false, func, or_, select, true, tuple_
from sqlmodel import Session

from ..domain.calendar import lunar_birthday_keys, solar_birthday_keys
from .tables import ContactRef, CustomerRef

UNKNOWN_YEAR = 1904  # the registry's year for a birthday given without one


def birthdays_between(session: Session, *, start: date, end: date, customers) -> list[dict]:
    """Current contacts of the customers `customers` selects (a SQL condition on
    customer_ref) whose birthday falls from `start` to `end`, soonest first: one query on the
    birthday indexes. A lunar birthday is given as the solar day it falls on."""
    if end < start or not (1901 <= start.year and end.year <= 2099):
        return []
    span = min((end - start).days, 365)
    solar: dict[tuple, date] = {}
    lunar: dict[tuple, date] = {}
    for n in range(span + 1):
        day = start + timedelta(days=n)
        for key in solar_birthday_keys(day):
            solar.setdefault(key, day)
        for key in lunar_birthday_keys(day):
            lunar.setdefault(key, day)
    co = ContactRef.__table__.c
    lunar_keys = [(m, d, true() if leap else false()) for m, d, leap in lunar]
    rows = session.execute(
        select(ContactRef).join(CustomerRef, CustomerRef.id == ContactRef.customer_id)
        .where(customers, co.left_on.is_(None), or_(
            and_(func.coalesce(co.birthday_calendar, "solar") != "lunar",
                 tuple_(co.birth_month, co.birth_day).in_(list(solar))),
            and_(co.birthday_calendar == "lunar",
                 or_(*(and_(co.lunar_birthday_month == m, co.lunar_birthday_day == d,
                            co.lunar_birthday_leap == leap) for m, d, leap in lunar_keys))))))
    found = []
    for contact in rows.scalars():
        if contact.birthday_calendar == "lunar":
            on = lunar.get((contact.lunar_birthday_month, contact.lunar_birthday_day,
                            bool(contact.lunar_birthday_leap)))
        else:
            on = solar.get((contact.birth_month, contact.birth_day))
        if on is None:
            continue
        born = contact.birthday
        found.append({
            "contact_id": contact.id, "customer_id": contact.customer_id, "name": contact.name,
            "on": on, "calendar": "lunar" if contact.birthday_calendar == "lunar" else "solar",
            "lunar_month": contact.lunar_birthday_month if contact.birthday_calendar == "lunar"
            else None,
            "lunar_day": contact.lunar_birthday_day if contact.birthday_calendar == "lunar"
            else None,
            "lunar_leap": bool(contact.lunar_birthday_leap)
            if contact.birthday_calendar == "lunar" else None,
            "turns": on.year - born.year if born and born.year != UNKNOWN_YEAR
            and contact.birthday_calendar != "lunar" else None})
    return sorted(found, key=lambda b: (b["on"], b["name"], b["contact_id"]))
