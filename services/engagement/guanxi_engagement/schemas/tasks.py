"""Tasks, the agenda and visits as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.models import InputModel
from guanxi_shared.pagination import Page

from .occasions import UpcomingOccasion

TaskKind = Literal["call", "visit", "gift", "mail", "email", "sms", "wechat", "log"]
Recommendation = Literal["ideal_prospect", "contact_and_sell", "find_authority",
                         "check_finances", "nurture"]  # MAN advice (needs) with tasks


class TaskCreate(InputModel):
    customer_id: str = Field(max_length=32)
    contact_id: str | None = Field(default=None, max_length=32)
    kind: TaskKind = "call"
    title: str = Field(min_length=1, max_length=300)
    due_on: date
    assignee_id: str | None = Field(default=None, max_length=64,
                                    description="Defaults to the customer's owner")


class TaskComplete(InputModel):
    outcome: str = Field(min_length=1, max_length=2000)
    result_check: str | None = Field(default=None, max_length=2000, description="结果检查")


class TaskReschedule(InputModel):
    due_on: date


class TaskReassign(InputModel):
    assignee_id: str = Field(min_length=1, max_length=64)


class TaskRead(BaseModel):
    id: str
    rule_id: str | None
    customer_id: str
    contact_id: str | None
    assignee_id: str | None
    kind: str
    title: str
    due_on: date
    occurs_on: date | None = Field(description="For a rule's task: the day of the event it "
                                   "is for (the due day is earlier by the lead time, and "
                                   "moved off rest days)")
    status: str
    outcome: str | None
    result_check: str | None
    visit_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


TaskPage = Page[TaskRead]


class ContactBrief(BaseModel):
    id: str
    name: str
    role: str | None
    cares_about: list[str]


class UpcomingBirthday(BaseModel):
    """A contact's birthday coming up; a lunar one (农历生日) resolved to its solar day."""

    contact_id: str
    customer_id: str
    name: str
    on: date = Field(description="The solar day the birthday falls on")
    calendar: Literal["solar", "lunar"]
    lunar_month: int | None = Field(description="For a lunar birthday: 农历月")
    lunar_day: int | None = Field(description="For a lunar birthday: 农历日")
    lunar_leap: bool | None = Field(description="For a lunar birthday: born in a leap month")
    turns: int | None = Field(description="Age reached, when the birth year is known")


class CustomerBrief(BaseModel):
    """What a rep needs on the call: last purchase, segment, open needs, the people, and the
    weddings, moves and achievements coming up."""

    id: str
    name: str
    segment: str | None
    tier: str | None
    last_purchase_on: date | None
    last_purchase_amount: Decimal | None
    open_needs: list[str]
    contacts: list[ContactBrief]
    upcoming_occasions: list[UpcomingOccasion] = Field(
        default_factory=list, description="Occasions in the next days, soonest first")
    upcoming_birthdays: list[UpcomingBirthday] = Field(
        default_factory=list, description="Contacts' birthdays in the next days, soonest first")
    last_gift_on: date | None = Field(default=None, description="The last gift given")
    gift_flags: list[str] = Field(
        default_factory=list, description="E.g. no gift for longer than the policy allows")
    last_touch_on: date | None = Field(
        default=None, description="Business day of the last task done, message sent, visit "
                                  "done or gift given; null: none yet")
    last_touch_kind: str | None = Field(
        default=None, description="call, visit, gift, message or task")


class AgendaItem(BaseModel):
    task: TaskRead
    customer: CustomerBrief | None


class AgendaRead(BaseModel):
    assignee_id: str
    start: date
    end: date
    items: list[AgendaItem]
    birthdays: list[UpcomingBirthday] = Field(
        default_factory=list, description="Birthdays from start to end of the contacts of "
        "the assignee's customers, lunar ones resolved to this year's solar day")
