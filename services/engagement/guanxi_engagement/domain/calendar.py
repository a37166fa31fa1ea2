"""The Chinese business calendar: festivals (节日), solar terms, official holidays and birthdays.

Birthday rules, in the users' words:
- A solar birthday on 29 February is celebrated on 28 February in common years.
- A lunar birthday (农历生日) is celebrated on the day of the current lunar year with the same
  lunar month and day. Someone born in a leap month (闰月) celebrates in that leap month when the
  year has it, otherwise in the ordinary month of the same number (born in 2023's 闰二月: in
  2024, with no leap month, on the ordinary second month's day). Someone born in an ordinary
  month celebrates in the ordinary month even in a year that repeats it as a leap month.
  Someone born on the 30th celebrates on the 29th when the month is short (小月, 29 days).

Working days (工作日): Saturdays and Sundays are rest days and the official days off (放假) too;
the make-up working days (调休上班, usually a Saturday or Sunday) are working days. The official
schedule comes from an admin's loaded schedule for the year, else from the calendar library
(lunar_python's HolidayUtil), else, for a year neither knows, only the statutory days off by law
(全国年节及纪念日放假办法, 2025 revision) are known: that year's schedule is reported missing.
"""
from __future__ import annotations

import calendar as solar_calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from lunar_python import Lunar, LunarYear, Solar
from lunar_python.util import HolidayUtil

LUNAR_FESTIVALS = {  # occasion: (lunar month, lunar day, name)
    "spring_festival": (1, 1, "春节 Spring Festival"),
    "lantern": (1, 15, "元宵节 Lantern Festival"),
    "dragon_boat": (5, 5, "端午节 Dragon Boat Festival"),
    "qixi": (7, 7, "七夕 Qixi"),
    "mid_autumn": (8, 15, "中秋节 Mid-Autumn Festival"),
    "double_ninth": (9, 9, "重阳节 Double Ninth Festival"),
}
SOLAR_FESTIVALS = {
    "new_year": (1, 1, "元旦 New Year's Day"),
    "labour_day": (5, 1, "劳动节 Labour Day"),
    "national_day": (10, 1, "国庆节 National Day"),
}


@dataclass(frozen=True)
class CalendarDay:
    on: date
    occasion: str
    name: str
    kind: str  # festival | holiday | adjusted_workday | company


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date:
    """The solar date of a day of lunar year `year`, with the short-month and leap rules above."""
    lunar_year = LunarYear.fromYear(year)
    use_leap = leap and lunar_year.getLeapMonth() == month
    lunar_month = lunar_year.getMonth(-month if use_leap else month)
    solar = Lunar.fromYmd(year, -month if use_leap else month,
                          min(day, lunar_month.getDayCount())).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def festivals(year: int) -> list[CalendarDay]:
    days = [CalendarDay(lunar_to_solar(year, m, d), key, name, "festival")
            for key, (m, d, name) in LUNAR_FESTIVALS.items()]
    days += [CalendarDay(date(year, m, d), key, name, "festival")
             for key, (m, d, name) in SOLAR_FESTIVALS.items()]
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    days.append(CalendarDay(date(year, qingming.getMonth(), qingming.getDay()), "qingming",
                            "清明 Qingming", "festival"))
    days.append(CalendarDay(nth_sunday(year, 5, 2), "mothers_day", "母亲节 Mother's Day",
                            "festival"))
    days.append(CalendarDay(nth_sunday(year, 6, 3), "fathers_day", "父亲节 Father's Day",
                            "festival"))
    return days


@dataclass(frozen=True)
class OfficialDay:
    """One day of the official schedule: a day off (work False) or a make-up working day."""

    on: date
    name: str
    work: bool


Direction = Literal["previous", "next", "keep"]
Source = Literal["loaded", "library", "statutory"]
# The longest run of rest days (Spring Festival or National Day week with the weekends around
# it) is 9 days; a shift never goes further than this.
MAX_SHIFT = 15
# How far ahead the daily run looks for an event whose occurrence is due: the rule's lead time
# plus the longest shift, at most a year.
MAX_LEAD = 366


@lru_cache(maxsize=256)
def library_schedule(year: int) -> tuple[OfficialDay, ...]:
    """The library's published days off and 调休 working days of `year` (empty: not known)."""
    days = (OfficialDay(date.fromisoformat(h.getDay()), h.getName(), bool(h.isWork()))
            for h in HolidayUtil.getHolidays(year))
    return tuple(sorted((d for d in days if d.on.year == year), key=lambda d: d.on))


@lru_cache(maxsize=256)
def statutory_days(year: int) -> tuple[OfficialDay, ...]:
    """The days off fixed by law, known before the schedule is published: 元旦, 除夕 and the
    first three days of the Spring Festival, 清明, 5月1-2日, 端午, 中秋, 10月1-3日."""
    spring = lunar_to_solar(year, 1, 1)
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    days = [(date(year, 1, 1), "元旦"),
            *((spring + timedelta(days=n), "春节") for n in range(-1, 3)),
            (date(year, qingming.getMonth(), qingming.getDay()), "清明节"),
            (date(year, 5, 1), "劳动节"), (date(year, 5, 2), "劳动节"),
            (lunar_to_solar(year, 5, 5), "端午节"), (lunar_to_solar(year, 8, 15), "中秋节"),
            *((date(year, 10, n), "国庆节") for n in (1, 2, 3))]
    named = {on: name for on, name in reversed(days) if on.year == year}  # 中秋 on 10月1日
    return tuple(OfficialDay(on, name, False) for on, name in sorted(named.items()))


class WorkCalendar:
    """Which days are working days, from the loaded schedules, else the library's, else
    the statutory days off (the year is then reported as not known)."""

    def __init__(self, loaded: Callable[[int], Sequence[OfficialDay] | None] = lambda _: None):
        self._loaded = loaded
        self._years: dict[int, tuple[Source, dict[date, OfficialDay]]] = {}

    def _year(self, year: int) -> tuple[Source, dict[date, OfficialDay]]:
        if year not in self._years:
            loaded = self._loaded(year)
            if loaded is not None:
                source, days = "loaded", loaded
            elif library_schedule(year):
                source, days = "library", library_schedule(year)
            else:
                source, days = "statutory", statutory_days(year)
            self._years[year] = (source, {d.on: d for d in days})
        return self._years[year]

    def source(self, year: int) -> Source:
        return self._year(year)[0]

    def known(self, year: int) -> bool:
        """The official schedule of `year` is known (loaded or in the library)."""
        return self.source(year) != "statutory"

    def official(self, year: int) -> list[OfficialDay]:
        """The days the schedule names (days off and make-up working days), in order."""
        return sorted(self._year(year)[1].values(), key=lambda d: d.on)

    def is_working_day(self, day: date) -> bool:
        named = self._year(day.year)[1].get(day)
        return named.work if named is not None else day.weekday() < 5

    def shift(self, day: date, direction: Direction) -> date:
        """`day` when it is a working day (or the direction is keep), else the previous or
        next working day."""
        if direction == "keep":
            return day
        step = timedelta(days=-1 if direction == "previous" else 1)
        moved = day
        for _ in range(MAX_SHIFT):
            if self.is_working_day(moved):
                return moved
            moved += step
        return day  # no working day near: a schedule that is all days off keeps the day

    def missing_years(self, years: Iterable[int]) -> list[int]:
        return [y for y in years if not self.known(y)]


def due_events(*, day: date, lead: int, direction: Direction, calendar: WorkCalendar,
               already: Callable[[date], bool] = lambda _: False) -> list[tuple[date, date]]:
    """(event day, due day) of the occurrences a daily run on `day` creates for a dated
    trigger with `lead` days of lead time.

    An event on D is due on D - lead, moved to a working day by `direction`. It is created on
    its due day; when its due day has passed and the event has not (the rule is new, its lead
    time was lengthened, a schedule was loaded or a run was missed) it is created late, unless
    `already(D)` says it was created before. With direction next, an event whose due day
    moved past it is created on that due day.
    """
    lead = max(0, min(lead, MAX_LEAD))
    found = []
    first = -MAX_SHIFT if direction == "next" else 0
    for offset in range(first, lead + MAX_SHIFT + 1):
        event = day + timedelta(days=offset)
        due = calendar.shift(event - timedelta(days=lead), direction)
        if due == day or (due < day <= event and not already(event)):
            found.append((event, due))
    return found


def official_days(year: int, calendar: WorkCalendar | None = None) -> list[CalendarDay]:
    """Days off and adjusted working days (调休) as known (loaded, in the library, or only
    the statutory days off when the year's schedule is not known)."""
    calendar = calendar or WorkCalendar()
    return [CalendarDay(d.on, "official", d.name, "adjusted_workday" if d.work else "holiday")
            for d in calendar.official(year)]


@lru_cache(maxsize=64)
def _festival_days(year: int) -> dict[date, frozenset[str]]:
    found: dict[date, set[str]] = {}
    for d in festivals(year):
        found.setdefault(d.on, set()).add(d.occasion)
    return {on: frozenset(keys) for on, keys in found.items()}


def occasions_on(day: date) -> set[str]:
    return set(_festival_days(day.year).get(day, ()))


def solar_birthday_keys(day: date) -> list[tuple[int, int]]:
    """(month, day) of solar birthdays celebrated on `day`."""
    keys = [(day.month, day.day)]
    if (day.month, day.day) == (2, 28) and not solar_calendar.isleap(day.year):
        keys.append((2, 29))
    return keys


def lunar_birthday_keys(day: date) -> list[tuple[int, int, bool]]:
    """(lunar month, lunar day, born in a leap month) of lunar birthdays celebrated on `day`."""
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    month, lunar_day, in_leap = abs(lunar.getMonth()), lunar.getDay(), lunar.getMonth() < 0
    lunar_year = LunarYear.fromYear(lunar.getYear())
    month_length = lunar_year.getMonth(lunar.getMonth()).getDayCount()
    days = [lunar_day] + ([30] if lunar_day == month_length == 29 else [])
    if in_leap:
        return [(month, d, True) for d in days]
    keys = [(month, d, False) for d in days]
    if lunar_year.getLeapMonth() != month:
        keys += [(month, d, True) for d in days]
    return keys


def days_after(day: date, days: int) -> date | None:
    """`days` days after `day`; None past the calendar's ends (a rule's lead time of years)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def date_in(year: int, month: int, day: int) -> date:
    """A yearly date (anniversary, 29 February) in `year`, moved to the month's last day."""
    return date(year, month, min(day, solar_calendar.monthrange(year, month)[1]))


def birthday_in(year: int, *, calendar: str, birthday: date | None, lunar_month: int | None,
                lunar_day: int | None, lunar_leap: bool = False) -> date | None:
    """The solar date a contact's birthday falls on in `year` (None when not known)."""
    if calendar == "lunar" and lunar_month and lunar_day:
        return lunar_to_solar(year, lunar_month, lunar_day, lunar_leap)
    return date_in(year, birthday.month, birthday.day) if birthday else None
