"""Period arithmetic shared by the retention and renewal reports, by hand."""
from datetime import date

from guanxi_shared import periods


def test_period_arithmetic():
    day = date(2026, 11, 30)
    for period, text, first, last in (("month", "2026-11", date(2026, 11, 1), day),
                                      ("quarter", "2026-Q4", date(2026, 10, 1),
                                       date(2026, 12, 31)),
                                      ("year", "2026", date(2026, 1, 1), date(2026, 12, 31))):
        index = periods.index_of(day, period)
        assert periods.label(index, period) == text
        assert periods.bounds(index, period) == (first, last)
    assert periods.label(periods.index_of(date(2026, 1, 1), "month") - 1, "month") == "2025-12"
    assert periods.label(periods.index_of(date(2026, 1, 1), "quarter") - 1,
                         "quarter") == "2025-Q4"
    assert periods.bounds(periods.index_of(date(2024, 2, 10), "month"), "month")[1] == date(
        2024, 2, 29)
    assert periods.bounds(9999, "year") == (date(9999, 1, 1), date(9999, 12, 31))
    assert periods.rate(1, 3) == 0.3333 and periods.rate(0, 0) is None
