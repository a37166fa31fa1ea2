"""Aging buckets by hand: due today is current, one day late is 1-30, and so on."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from guanxi_registry.domain.aging import bucket_of, due_date_bounds, outstanding_after

AS_OF = date(2026, 12, 2)


@pytest.mark.parametrize(("days_late", "bucket"), [
    (-10, "current"), (0, "current"), (1, "days_1_30"), (30, "days_1_30"),
    (31, "days_31_60"), (60, "days_31_60"), (61, "days_61_90"), (90, "days_61_90"),
    (91, "over_90"), (4000, "over_90")])
def test_bucket_boundaries(days_late, bucket):
    assert bucket_of(AS_OF - timedelta(days=days_late), AS_OF) == bucket


def test_bounds_are_the_same_rule_as_due_dates():
    bounds = due_date_bounds(AS_OF)
    assert bounds[0] == ("current", date(2026, 12, 2), None)
    assert bounds[1] == ("days_1_30", date(2026, 11, 2), date(2026, 12, 1))
    assert bounds[4] == ("over_90", None, date(2026, 9, 2))
    for days in range(-3, 200):
        due = AS_OF - timedelta(days=days)
        inside = [name for name, first, last in bounds
                  if (first is None or due >= first) and (last is None or due <= last)]
        assert inside == [bucket_of(due, AS_OF)]


def test_partial_payments_and_overpayment():
    assert outstanding_after(Decimal("100.00"), Decimal("30.00"), Decimal("50.00")) == 20
    assert outstanding_after(Decimal("100.00"), Decimal("30.00"), Decimal("70.00")) == 0
    with pytest.raises(ValueError, match=r"exceeds the outstanding 70\.00"):
        outstanding_after(Decimal("100.00"), Decimal("30.00"), Decimal("70.01"))
