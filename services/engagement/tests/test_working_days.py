"""Lead times and working days, hand-checked against the State Council's published schedules
(2026: 国庆 10月1-7日 off, 9月20日 (Sunday) and 10月10日 (Saturday) worked; 春节 2月15-23日 off,
2月14日 and 2月28日 (Saturdays) worked) and the lunar calendar (2025: 闰六月 from 7月25日;
2023: 闰二月 from 3月22日)."""
from datetime import date

from guanxi_engagement.domain.calendar import (
    OfficialDay,
    WorkCalendar,
    birthday_in,
    due_events,
    lunar_birthday_keys,
    statutory_days,
)

LIBRARY = WorkCalendar()


def test_a_task_due_in_national_day_week_moves_to_the_working_day_before_or_after():
    assert LIBRARY.shift(date(2026, 10, 3), "previous") == date(2026, 9, 30)
    assert LIBRARY.shift(date(2026, 10, 3), "next") == date(2026, 10, 8)
    assert LIBRARY.shift(date(2026, 10, 3), "keep") == date(2026, 10, 3)


def test_an_adjusted_saturday_is_a_working_day_and_an_ordinary_saturday_is_not():
    assert LIBRARY.is_working_day(date(2026, 10, 10))       # 调休 Saturday
    assert LIBRARY.shift(date(2026, 10, 10), "previous") == date(2026, 10, 10)
    assert not LIBRARY.is_working_day(date(2026, 10, 17))   # an ordinary Saturday
    assert LIBRARY.shift(date(2026, 10, 17), "previous") == date(2026, 10, 16)


def test_a_gift_for_the_spring_festival_lands_on_the_adjusted_saturday_before_it():
    # Spring Festival 2026 is 2月17日, in the days off 2月15-23日; 2月14日 is a 调休 Saturday.
    assert due_events(day=date(2026, 2, 14), lead=0, direction="previous",
                      calendar=LIBRARY)[:4] == [
        (date(2026, 2, 14), date(2026, 2, 14)), (date(2026, 2, 15), date(2026, 2, 14)),
        (date(2026, 2, 16), date(2026, 2, 14)), (date(2026, 2, 17), date(2026, 2, 14))]
    # With a week's lead time the gift is due 2月10日, a Tuesday: created that day only.
    owed = {event: due for event, due in due_events(day=date(2026, 2, 10), lead=7,
                                                    direction="previous", calendar=LIBRARY)}
    assert owed[date(2026, 2, 17)] == date(2026, 2, 10)
    assert date(2026, 2, 17) not in dict(due_events(day=date(2026, 2, 9), lead=7,
                                                    direction="previous", calendar=LIBRARY))


def test_an_occurrence_missed_on_its_due_day_is_created_late_once_while_its_day_is_ahead():
    mid_autumn = date(2026, 9, 25)  # a Friday, first day off; due 7 days before: 9月18日
    late = dict(due_events(day=date(2026, 9, 21), lead=7, direction="previous",
                           calendar=LIBRARY))
    assert late[mid_autumn] == date(2026, 9, 18)
    created = dict(due_events(day=date(2026, 9, 21), lead=7, direction="previous",
                              calendar=LIBRARY, already={mid_autumn}.__contains__))
    assert mid_autumn not in created
    passed = dict(due_events(day=date(2026, 9, 26), lead=7, direction="previous",
                             calendar=LIBRARY))
    assert mid_autumn not in passed


def test_direction_next_creates_on_the_due_day_after_the_event():
    # A task for 10月3日 with direction next is due 10月8日, after the event.
    owed = dict(due_events(day=date(2026, 10, 8), lead=0, direction="next", calendar=LIBRARY))
    assert owed[date(2026, 10, 3)] == date(2026, 10, 8)
    assert date(2026, 10, 3) not in dict(due_events(day=date(2026, 10, 3), lead=0,
                                                    direction="next", calendar=LIBRARY))


def test_a_year_the_library_does_not_know_has_only_statutory_days_off_until_loaded():
    assert not LIBRARY.known(2031) and LIBRARY.source(2031) == "statutory"
    statutory = {d.on for d in statutory_days(2031)}
    # 2031: 春节 1月23日 (除夕 1月22日); 中秋 falls on 10月1日 itself.
    assert {date(2031, 1, 22), date(2031, 1, 25), date(2031, 10, 1), date(2031, 10, 3)} \
        <= statutory
    assert LIBRARY.shift(date(2031, 10, 2), "previous") == date(2031, 9, 30)
    assert LIBRARY.is_working_day(date(2031, 10, 6))  # a Monday: not known to be off
    schedule = [*(OfficialDay(date(2031, 10, d), "国庆节", False) for d in range(1, 8)),
                OfficialDay(date(2031, 9, 28), "国庆节", True)]
    loaded = WorkCalendar({2031: schedule}.get)
    assert loaded.known(2031) and loaded.source(2031) == "loaded"
    assert loaded.shift(date(2031, 10, 6), "previous") == date(2031, 9, 30)
    assert loaded.is_working_day(date(2031, 9, 28))  # the loaded 调休 Sunday
    assert loaded.source(2026) == "library"


def test_a_loaded_year_replaces_the_library_for_that_year():
    loaded = WorkCalendar({2026: [OfficialDay(date(2026, 10, 1), "国庆节", False)]}.get)
    assert loaded.is_working_day(date(2026, 10, 5))  # a Monday, off in the library's 2026
    assert not loaded.is_working_day(date(2026, 10, 1))


def test_a_birthday_in_the_2025_leap_sixth_month():
    # Born on 闰六月初十: in 2025 that is 8月3日, not the ordinary 六月初十 (7月4日).
    assert birthday_in(2025, calendar="lunar", birthday=None, lunar_month=6, lunar_day=10,
                       lunar_leap=True) == date(2025, 8, 3)
    assert birthday_in(2025, calendar="lunar", birthday=None, lunar_month=6, lunar_day=10,
                       lunar_leap=False) == date(2025, 7, 4)
    assert lunar_birthday_keys(date(2025, 8, 3)) == [(6, 10, True)]
    assert lunar_birthday_keys(date(2025, 7, 4)) == [(6, 10, False)]
    # 2026 has no leap month: the leap-born celebrate on the ordinary 六月初十, 7月23日.
    assert birthday_in(2026, calendar="lunar", birthday=None, lunar_month=6, lunar_day=10,
                       lunar_leap=True) == date(2026, 7, 23)
    assert set(lunar_birthday_keys(date(2026, 7, 23))) == {(6, 10, False), (6, 10, True)}


def test_a_birthday_in_the_2023_leap_second_month():
    assert birthday_in(2023, calendar="lunar", birthday=None, lunar_month=2, lunar_day=10,
                       lunar_leap=True) == date(2023, 3, 31)
    assert birthday_in(2024, calendar="lunar", birthday=None, lunar_month=2, lunar_day=10,
                       lunar_leap=True) == date(2024, 3, 19)
