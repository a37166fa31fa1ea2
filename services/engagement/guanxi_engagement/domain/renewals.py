"""Renewal report periods (续费): month, quarter or year as consecutive integers.

month: year * 12 + month - 1; quarter: year * 4 + (month - 1) // 3; year: the year. The
contract counts in the period its end date (ends_on) falls in: that is when it is due.
"""
from __future__ import annotations

import calendar
from datetime import date
from typing import Literal

Period = Literal["month", "quarter", "year"]


def index_of(day: date, period: Period) -> int:
    if period == "month":
        return day.year * 12 + day.month - 1
    if period == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    return day.year


def label(index: int, period: Period) -> str:
    """YYYY-MM, YYYY-Qn or YYYY."""
    if period == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if period == "quarter":
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    return f"{index:04d}"


def bounds(index: int, period: Period) -> tuple[date, date]:
    """The first and the last day of the period."""
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    if period == "month":
        year, first = index // 12, index % 12 + 1
    elif period == "quarter":
        year, first = index // 4, (index % 4) * 3 + 1
    else:
        year, first = index, 1
    last = first + months - 1
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def renewal_rate(renewed: int, not_renewed: int) -> float | None:
    """Renewed among the contracts decided; None while none is decided."""
    decided = renewed + not_renewed
    return round(renewed / decided, 4) if decided else None
