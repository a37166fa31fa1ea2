"""Calendar periods (month, quarter, year) as consecutive integers, so that "the previous
period" is simply the index minus one, in Python and in SQL alike. Used by segmentation's
retention report and engagement's renewal report.

month: year * 12 + month - 1; quarter: year * 4 + (month - 1) // 3; year: the year.
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
    if period == "month":
        year, first_month, months = index // 12, index % 12 + 1, 1
    elif period == "quarter":
        year, first_month, months = index // 4, (index % 4) * 3 + 1, 3
    else:
        year, first_month, months = index, 1, 12
    last_month = first_month + months - 1
    return (date(year, first_month, 1),
            date(year, last_month, calendar.monthrange(year, last_month)[1]))


def rate(part: int, whole: int) -> float | None:
    """A share rounded to four places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None
