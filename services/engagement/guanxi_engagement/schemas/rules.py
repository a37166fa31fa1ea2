"""Rules (关怀规则) as clients write and read them."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

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
