"""The Chinese business calendar: festivals (节日), solar terms, official holidays and birthdays.

Birthday rules, in the users' words:
- A solar birthday on 29 February is celebrated on 28 February in common years.
- A lunar birthday (农历生日) is celebrated on the day of the current lunar year with the same
  lunar month and day. Someone born in a leap month (闰月) celebrates in that leap month when the
  year has it, otherwise in the ordinary month of the same number. Someone born on the 30th
  celebrates on the 29th when the month is short (小月, 29 days).
"""
from __future__ import annotations

import calendar as solar_calendar
from dataclasses import dataclass
from datetime import date, timedelta

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
OCCASIONS = (*LUNAR_FESTIVALS, *SOLAR_FESTIVALS, "qingming", "mothers_day", "fathers_day")


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


def official_days(year: int) -> list[CalendarDay]:
    """Days off and adjusted working days (调休) as published; empty before publication."""
    return [CalendarDay(date.fromisoformat(h.getDay()), "official", h.getName(),
                        "adjusted_workday" if h.isWork() else "holiday")
            for h in HolidayUtil.getHolidays(year)]


def occasions_on(day: date) -> set[str]:
    return {d.occasion for d in festivals(day.year) if d.on == day}


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
