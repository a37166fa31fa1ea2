"""The calendar, company dates and official holiday schedules as clients see them."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.models import InputModel


class CalendarEntry(BaseModel):
    on: date
    occasion: str
    name: str
    kind: str


ScheduleSource = Literal["loaded", "library", "statutory"]


class CalendarRead(BaseModel):
    year: int
    schedule_known: bool = Field(description="The official holiday schedule (days off and "
                                 "调休 working days) of the year is known")
    schedule_source: ScheduleSource = Field(
        description="loaded by an admin, from the calendar library, or (not known) only the "
                    "statutory days off")
    days: list[CalendarEntry]


class OfficialDayIn(InputModel):
    on: date
    name: str = Field(default="", max_length=50, description="e.g. 国庆节")


class OfficialScheduleLoad(InputModel):
    """A year's official schedule as the State Council published it (国务院办公厅关于...放假
    安排的通知): every day off, and the make-up working days (调休上班)."""

    days_off: list[OfficialDayIn] = Field(min_length=1, max_length=120)
    workdays: list[OfficialDayIn] = Field(default_factory=list, max_length=30,
                                          description="Saturdays or Sundays worked (调休)")


class OfficialDayRead(BaseModel):
    on: date
    name: str


class OfficialScheduleRead(BaseModel):
    year: int
    known: bool
    source: ScheduleSource
    days_off: list[OfficialDayRead]
    workdays: list[OfficialDayRead]


class ScheduleStatus(BaseModel):
    year: int
    known: bool
    source: ScheduleSource


class CompanyDateCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
