"""Customer events (VIP 联谊, 客户会) as clients write and read them."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from guanxi_shared.models import InputModel, Instant, UpdateModel
from guanxi_shared.pagination import Page

EventKind = Literal["vip_gathering", "customer_meeting", "other"]
EventChannel = Literal["sms", "wechat", "email"]
Rsvp = Literal["yes", "no", "maybe"]


class CustomerEventCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    kind: EventKind = Field(description="vip_gathering: VIP 联谊; customer_meeting: 客户会")
    starts_at: Instant
    ends_at: Instant | None = None
    location: str | None = Field(default=None, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=100000,
                                 description="Acceptances beyond it are refused")
    channel: EventChannel = Field(description="How invitations are announced")
    announce_days_before: int = Field(default=7, ge=0, le=60,
                                      description="Invitations go out this many days ahead")
    invitation_text: str = Field(min_length=1, max_length=2000, description=(
        "The invitation; {name}, {customer}, {event} and {date} are filled in"))
    follow_up_days: int = Field(default=2, ge=0, le=60,
                                description="Follow-up tasks fall due this many days after")

    @model_validator(mode="after")
    def _ends_after_start(self):
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError("ends_at is before starts_at")
        return self


class CustomerEventUpdate(UpdateModel):
    __read_model__ = "CustomerEventRead"

    name: str | None = Field(default=None, min_length=1, max_length=200)
    location: str | None = Field(default=None, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=100000)
    invitation_text: str | None = Field(default=None, min_length=1, max_length=2000)
    status: Literal["held", "cancelled"] | None = Field(default=None, description=(
        "held: the event took place (no-shows who accepted get a follow-up task); "
        "cancelled: announcements not yet sent are withdrawn"))


class EventCounts(BaseModel):
    invited: int
    yes: int
    no: int
    maybe: int
    pending: int
    attended: int


class CustomerEventRead(BaseModel):
    id: str
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    location: str | None
    capacity: int | None
    channel: str
    announce_days_before: int
    invitation_text: str
    follow_up_days: int
    status: str
    created_by: str | None
    counts: EventCounts
    version: int
    created_at: datetime
    updated_at: datetime


CustomerEventPage = Page[CustomerEventRead]


class InviteRequest(InputModel):
    """Who is invited: the current contacts of the customers in these segments, tiers, groups
    (分组), tags or ids (all given criteria apply), optionally only contacts in these roles."""

    segments: list[str] | None = Field(default=None, max_length=50)
    tiers: list[str] | None = Field(default=None, max_length=10)
    groups: list[str] | None = Field(default=None, max_length=50)
    tags: list[str] | None = Field(default=None, max_length=50)
    customer_ids: list[str] | None = Field(default=None, max_length=1000)
    roles: list[str] | None = Field(default=None, max_length=5, description=(
        "Contact roles, e.g. decision_maker; all current contacts when omitted"))

    @model_validator(mode="after")
    def _someone(self):
        if not any(getattr(self, f) for f in ("segments", "tiers", "groups", "tags",
                                              "customer_ids")):
            raise ValueError("name a segment, tier, group, tag or customer to invite")
        return self


class InviteResult(BaseModel):
    invited: int = Field(description="New invitations (a contact already invited is skipped)")
    announce_after: datetime = Field(description="When their invitations are sent")


class InvitationRead(BaseModel):
    id: str
    event_id: str
    customer_id: str
    contact_id: str
    contact_name: str | None
    rsvp: str
    rsvp_at: datetime | None
    attended: bool
    attended_at: datetime | None
    announcement: str | None = Field(description="The invitation message's status: pending, "
                                     "sent, blocked (with why on the message) ...")
    version: int


InvitationPage = Page[InvitationRead]


class RsvpBody(InputModel):
    answer: Rsvp


class AttendanceBody(InputModel):
    invitation_ids: list[str] = Field(min_length=1, max_length=1000)


class AttendanceResult(BaseModel):
    marked: int = Field(description="Invitations newly marked as attended")
    touches: int = Field(description="Customers whose attendance was recorded as a touch")
    follow_up_tasks: int
