"""Receivables aging (账龄): which bucket an unpaid amount falls in on a given day.

Days past due = as_of - due_date. An invoice due today or later is `current`; one day late is
the first overdue day. The buckets are the ones finance teams read: current, 1-30, 31-60,
61-90 and over 90 days past due.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")


@dataclass(frozen=True)
class Bucket:
    name: str
    first_day: int | None  # days past due, inclusive; None = no lower end (not yet due)
    last_day: int | None  # inclusive; None = no upper end


BUCKET_RANGES = (Bucket("current", None, 0), Bucket("days_1_30", 1, 30),
                 Bucket("days_31_60", 31, 60), Bucket("days_61_90", 61, 90),
                 Bucket("over_90", 91, None))


def days_past_due(due_date: date, as_of: date) -> int:
    return (as_of - due_date).days


def bucket_of(due_date: date, as_of: date) -> str:
    days = days_past_due(due_date, as_of)
    for bucket in BUCKET_RANGES:
        if ((bucket.first_day is None or days >= bucket.first_day)
                and (bucket.last_day is None or days <= bucket.last_day)):
            return bucket.name
    raise AssertionError("the buckets cover every day")


def due_date_bounds(as_of: date) -> list[tuple[str, date | None, date | None]]:
    """Each bucket as a due-date range (earliest, latest, both inclusive; None = open).

    Comparing the indexed due_date column with dates computed once keeps the query portable
    (no date arithmetic in SQL).
    """
    return [(b.name,
             None if b.last_day is None else as_of - timedelta(days=b.last_day),
             None if b.first_day is None else as_of - timedelta(days=b.first_day))
            for b in BUCKET_RANGES]


def outstanding_after(amount: Decimal, paid: Decimal, payment: Decimal) -> Decimal:
    """What is still owed after `payment`; a payment above what is owed is refused."""
    owed = amount - paid
    if payment <= 0:
        raise ValueError("a payment must be above zero")
    if payment > owed:
        raise ValueError(f"the payment {payment} exceeds the outstanding {owed}")
    return owed - payment
