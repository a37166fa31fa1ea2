"""Visits (拜访), their checklist, time plan and follow-up as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guanxi_shared.models import InputModel, Instant, UpdateModel
from guanxi_shared.pagination import Page

from .tasks import TaskKind

VisitPurpose = Literal["bond", "sell", "ask_help", "solve_problem"]
Phase = Literal["before", "after"]


class ChecklistItem(InputModel):
    item: str = Field(min_length=1, max_length=200)
    item_en: str | None = Field(default=None, max_length=200)
    done: bool = False
    phase: Phase = Field(default="before", description="before: prepare; after: review")
    mistake: int | None = Field(default=None, ge=1, le=21,
                                description="The course's visiting mistake it guards against")


class VisitTopic(InputModel):
    """One point of the outline and its minutes: business (主题) or small talk (家常)."""

    topic: str = Field(min_length=1, max_length=200)
    minutes: int = Field(ge=1, le=480)
    kind: Literal["business", "small_talk"] = "business"


class VisitCreate(InputModel):
    customer_id: str = Field(max_length=32)
    contact_id: str | None = Field(default=None, max_length=32, description="Target contact")
    purpose: VisitPurpose
    appointment_at: Instant
    checklist: list[ChecklistItem] = Field(
        default_factory=list, max_length=50,
        description="Your own preparation items: background, materials, gifts. The company's "
        "checklist (the 21 visiting mistakes and the thank-you) is added unless "
        "company_checklist is false")
    company_checklist: bool = True
    planned_minutes: int | None = Field(default=None, ge=5, le=480,
                                        description="The time limit (mistake 19)")
    agenda: list[VisitTopic] = Field(default_factory=list, max_length=30,
                                     description="The outline; its minutes fit the time limit")


class VisitUpdate(UpdateModel):
    __read_model__ = "VisitRead"

    contact_id: str | None = Field(default=None, max_length=32)
    purpose: VisitPurpose | None = None
    appointment_at: Instant | None = None
    checklist: list[ChecklistItem] | None = Field(default=None, max_length=80)
    planned_minutes: int | None = Field(default=None, ge=5, le=480)
    agenda: list[VisitTopic] | None = Field(default=None, max_length=30)


class VisitComplete(InputModel):
    """Closing a visit names the next step (mistake 21: no follow-up): a next appointment, or
    the reason there is none, which managers see."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["next_appointment_on"],
         "properties": {"next_appointment_on": {"type": "string"}}},
        {"required": ["no_follow_up_reason"],
         "properties": {"no_follow_up_reason": {"type": "string"}}}]})

    result: str = Field(min_length=1, max_length=4000)
    next_appointment_on: date | None = Field(
        default=None, description="A promised next appointment becomes a follow-up task")
    no_follow_up_reason: str | None = Field(
        default=None, min_length=3, max_length=500,
        description="Required when there is no next appointment; listed for managers")
    actual_minutes: int | None = Field(default=None, ge=1, le=1440)
    thanks_by: TaskKind = Field(default="wechat",
                                description="How the thank-you after the visit is sent; it "
                                "becomes a task due the day of the visit")

    @model_validator(mode="after")
    def _next_step(self):
        if self.next_appointment_on is None and self.no_follow_up_reason is None:
            raise ValueError("A visit is closed with its next step (mistake 21: no follow-up): "
                             "give next_appointment_on or no_follow_up_reason")
        return self


class TimeSplitRead(BaseModel):
    business_minutes: int
    small_talk_minutes: int
    unplanned_minutes: int | None


class VisitRead(BaseModel):
    id: str
    customer_id: str
    contact_id: str | None
    owner_id: str | None
    purpose: str
    appointment_at: datetime
    checklist: list[dict]
    planned_minutes: int | None
    agenda: list[dict]
    time_split: TimeSplitRead
    warnings: list[str] = Field(description="What the course would point out in the plan or "
                                "its result: no time limit, no outline, too commercial, "
                                "stayed too long, no follow-up")
    status: str
    result: str | None
    next_appointment_on: date | None
    no_follow_up_reason: str | None
    follow_up_missing: bool = Field(description="Done without a next appointment (mistake 21)")
    actual_minutes: int | None
    completed_at: datetime | None
    thanks_task_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


VisitPage = Page[VisitRead]


class VisitCheckCreate(InputModel):
    phase: Phase
    label_zh: str = Field(min_length=1, max_length=200)
    label_en: str = Field(min_length=1, max_length=200)
    position: int = Field(default=100, ge=0, le=10000)
    mistake: int | None = Field(default=None, ge=1, le=21)


class VisitCheckUpdate(UpdateModel):
    __read_model__ = "VisitCheckRead"

    phase: Phase | None = None
    label_zh: str | None = Field(default=None, min_length=1, max_length=200)
    label_en: str | None = Field(default=None, min_length=1, max_length=200)
    position: int | None = Field(default=None, ge=0, le=10000)
    active: bool | None = Field(default=None, description="false retires the item")


class VisitCheckRead(BaseModel):
    id: str
    position: int
    phase: str
    label_zh: str
    label_en: str
    mistake: int | None
    active: bool
    version: int


VisitCheckPage = Page[VisitCheckRead]


class LackingFollowUp(BaseModel):
    """A done visit whose next step is missing or late (mistake 21), for managers."""

    visit: VisitRead
    why: Literal["no_follow_up", "follow_up_overdue"]
    follow_up_due_on: date | None


LackingFollowUpPage = Page[LackingFollowUp]
