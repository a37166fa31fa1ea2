"""Rules (关怀规则) and the calendar as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page

from ..store.triggers import TRIGGERS, lead_times, rule_problem

TriggerName = Literal[tuple(TRIGGERS)]
ChannelName = Literal["email", "sms", "wechat", "log", "call", "visit", "gift", "mail"]
MessageKind = Literal["greeting", "marketing", "service"]
Ids = list[str] | None


class Audience(InputModel):
    """Who the rule is for; empty means every active customer. Lists are OR within a field."""

    segments: Ids = Field(default=None, max_length=50)
    tiers: Ids = Field(default=None, max_length=10)
    groups: Ids = Field(default=None, max_length=50)
    tags: Ids = Field(default=None, max_length=50)
    owner_ids: Ids = Field(default=None, max_length=200)
    customer_ids: Ids = Field(default=None, max_length=1000)


class RuleFields(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    occasion: str | None = Field(
        default=None, max_length=64,
        description="Festival key (e.g. spring_festival), company date id, or for a "
                    "life_event rule the occasion kind (wedding, move, achievement, other; "
                    "none: every kind)")
    channel: ChannelName | None = None
    kind: MessageKind | None = None
    template_id: str | None = Field(default=None, max_length=32)
    every_days: int | None = Field(default=None, ge=1, le=366, description="Revisit cadence")
    days_before: int | None = Field(
        default=None, ge=0, le=366,
        description=f"Lead time in days for every dated trigger ({lead_times()}). "
                    "The occurrence for an event on day D is "
                    "due on D minus the lead time, moved off rest days by the policy's "
                    "workday_shift for tasks and non-greeting messages, and created once")
    audience: Audience | None = None
    active: bool | None = None


class RuleCreate(RuleFields):
    name: str = Field(min_length=1, max_length=200)
    trigger: TriggerName = Field(description="When the rule acts: " + "; ".join(
        f"{name}: {entry.doc}" for name, entry in TRIGGERS.items()))
    channel: ChannelName = "log"

    @model_validator(mode="after")
    def trigger_needs(self) -> RuleCreate:
        if problem := rule_problem(self.trigger, self.model_dump()):
            raise ValueError(problem[1])
        return self


class RuleUpdate(RuleFields, UpdateModel):
    """Only the fields sent change; send If-Match with the ETag you read."""

    __read_model__ = "RuleRead"


class RuleRead(BaseModel):
    id: str
    name: str
    trigger: str
    occasion: str | None
    channel: str
    kind: str
    template_id: str | None
    every_days: int | None
    days_before: int | None
    audience: dict
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


RulePage = Page[RuleRead]


class RunCreate(InputModel):
    on: date = Field(description="The business date to run (company timezone), in the years "
                                 "the calendar covers (1901 to 2099)")
    send: bool = Field(default=True, description="Also send the messages now due")

    @field_validator("on")
    @classmethod
    def in_calendar(cls, value: date) -> date:
        # Lunar dates are computed for these years only; lead times and cadences stay clear
        # of date.min and date.max.
        if not 1901 <= value.year <= 2099:
            raise ValueError("the date must be between 1901 and 2099")
        return value


class RunRead(BaseModel):
    on: date
    created: int
    sent: dict[str, int]
    warnings: list[str] = Field(description="E.g. next year's official holiday schedule is "
                                "not known yet")


class RunRecord(BaseModel):
    id: str
    run_on: date
    trigger: str = Field(description="scheduler, catch-up or api")
    created: int
    warnings: list[str]
    created_at: datetime


RunRecordPage = Page[RunRecord]


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
