"""Calendar buckets of a date column in SQL, for both SQLite and PostgreSQL."""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, cast, func
from sqlmodel import Session


class Period(StrEnum):
    day = "day"
    week = "week"  # labelled by its Monday, e.g. '2026-11-23'
    month = "month"
    quarter = "quarter"  # e.g. '2026-Q4'
    year = "year"
    all = "all"


_SQLITE = {Period.day: "%Y-%m-%d", Period.month: "%Y-%m", Period.year: "%Y"}
_POSTGRES = {Period.day: "YYYY-MM-DD", Period.month: "YYYY-MM", Period.year: "YYYY",
             Period.quarter: 'YYYY-"Q"Q'}


def bucket(session: Session, column: Any, period: Period) -> Any:
    """A text label such as '2026-11' for the period containing the date in `column`."""
    if period == Period.all:
        return None
    if session.get_bind().dialect.name == "sqlite":
        if period == Period.week:  # 'weekday 0' moves to the coming Sunday (or stays)
            return func.date(column, "weekday 0", "-6 days")
        if period == Period.quarter:
            month = cast(func.strftime("%m", column), Integer)
            return func.strftime("%Y-Q", column).concat(func.cast((month + 2) / 3, Integer))
        return func.strftime(_SQLITE[period], column)
    if period == Period.week:
        return func.to_char(func.date_trunc("week", column), "YYYY-MM-DD")
    return func.to_char(column, _POSTGRES[period])


def days_between(session: Session, later: Any, earlier: Any) -> Any:
    """Whole days from the datetime `earlier` to the date `later`, as a number."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(func.date(earlier))
    return later - func.date(earlier)
