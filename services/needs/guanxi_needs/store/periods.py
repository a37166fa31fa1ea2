"""Calendar buckets of a date column in SQL, for both SQLite and PostgreSQL."""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session


class Period(StrEnum):
    day = "day"
    month = "month"
    year = "year"
    all = "all"


_SQLITE = {Period.day: "%Y-%m-%d", Period.month: "%Y-%m", Period.year: "%Y"}
_POSTGRES = {Period.day: "YYYY-MM-DD", Period.month: "YYYY-MM", Period.year: "YYYY"}


def bucket(session: Session, column: Any, period: Period) -> Any:
    """A text label such as '2026-11' for the period containing the date in `column`."""
    if period == Period.all:
        return None
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime(_SQLITE[period], column)
    return func.to_char(column, _POSTGRES[period])


def days_between(session: Session, later: Any, earlier: Any) -> Any:
    """Whole days from the datetime `earlier` to the date `later`, as a number."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(func.date(earlier))
    return later - func.date(earlier)
