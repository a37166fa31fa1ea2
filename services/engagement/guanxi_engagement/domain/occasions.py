"""Life occasions (人生大事) of customers and contacts: weddings, moves, achievements.

A yearly occasion (a wedding anniversary, 结婚纪念日) falls on the same month and day every
year from its date on; one on 29 February falls on 28 February in common years, as solar
birthdays do. A one-off occasion (a move, 乔迁; an award, 获奖) falls only on its date.
"""
from __future__ import annotations

from datetime import MAXYEAR, date

from .calendar import date_in

KINDS = ("wedding", "move", "achievement", "other")
# Years allowed for an occasion's date: keeps yearly arithmetic far from date.max.
FIRST_YEAR, LAST_YEAR = 1900, 2099


def recurs_by_default(kind: str) -> bool:
    """A wedding is greeted again on each anniversary; a move or an award only once."""
    return kind == "wedding"


def occurrence_in(year: int, *, occurs_on: date, recurs_yearly: bool) -> date | None:
    """The day the occasion falls on in `year` (None when it does not fall in that year)."""
    if not recurs_yearly:
        return occurs_on if occurs_on.year == year else None
    if year < occurs_on.year:
        return None
    return date_in(year, occurs_on.month, occurs_on.day)


def next_occurrence(*, occurs_on: date, recurs_yearly: bool, on: date) -> date | None:
    """The first day on or after `on` that the occasion falls on (None: never again)."""
    if occurs_on >= on:
        return occurs_on
    if not recurs_yearly:
        return None
    for year in (on.year, on.year + 1):
        if year > MAXYEAR:
            return None
        day = occurrence_in(year, occurs_on=occurs_on, recurs_yearly=True)
        if day is not None and day >= on:
            return day
    return None
