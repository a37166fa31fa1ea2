"""Templates, messages, consents and the respect policy as clients see them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page

from .rules import Audience, MessageKind

SendChannel = Literal["email", "sms", "wechat", "log"]
Texts = dict[str, str]


class TemplateCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    subject: Texts = Field(default_factory=dict, description="Per language, e.g. {'zh': ...}")
    body: Texts = Field(min_length=1, description="Per language; placeholders {name} "
                        "{customer} {occasion} {date}, {note} (a life event's note), and "
                        "{product.name} {product.line} {product.usp} {product.pitch} (USP and "
                        "FFAB) of the template's product; an unknown one is a 422")
    product_id: str | None = Field(default=None, max_length=32,
                                   description="The catalogue product {product.*} quotes")


class TemplateUpdate(UpdateModel):
    __read_model__ = "TemplateRead"

    name: str | None = Field(default=None, min_length=1, max_length=100)
    subject: Texts | None = None
    body: Texts | None = Field(default=None, min_length=1)
    product_id: str | None = Field(default=None, max_length=32)


class TemplateRead(BaseModel):
    id: str
    name: str
    subject: dict
    body: dict
    product_id: str | None
    version: int


TemplatePage = Page[TemplateRead]


class MassGreeting(InputModel):
    """A greeting to every contact of a selected group of customers (群发)."""

    channel: SendChannel = "log"
    kind: MessageKind = "greeting"
    occasion: str = Field(min_length=1, max_length=64)
    template_id: str | None = Field(default=None, max_length=32)
    audience: Audience
    on: date | None = Field(default=None, description="Business date; defaults to today")


class MessageRead(BaseModel):
    id: str
    rule_id: str | None
    contact_id: str
    customer_id: str
    channel: str
    kind: str
    occasion: str | None
    occasion_id: str | None = Field(description="The life event greeted, if any")
    occurs_on: date = Field(description="The day of the event greeted (holiday, birthday, "
                            "...); sent from send_after, earlier by the rule's lead time")
    status: str
    reason: str | None
    body: str | None
    send_after: datetime
    sent_at: datetime | None


MessagePage = Page[MessageRead]


class ConsentSet(InputModel):
    contact_id: str = Field(max_length=32)
    channel: SendChannel
    granted: bool
    source: str | None = Field(default=None, max_length=200, description="How it was given")


class ConsentRead(BaseModel):
    contact_id: str
    channel: str
    granted: bool
    source: str | None
    updated_at: datetime


class PolicyUpdate(UpdateModel):
    """Only the fields sent change; none of them may be null."""

    __read_model__ = "PolicyRead"

    quiet_start: int | None = Field(default=None, ge=0, le=23)
    quiet_end: int | None = Field(default=None, ge=0, le=23)
    marketing_cap: int | None = Field(default=None, ge=0, le=100)
    marketing_window_days: int | None = Field(default=None, ge=1, le=365)
    greetings_per_day: int | None = Field(default=None, ge=0, le=10)
    workday_shift: Literal["previous", "next", "keep"] | None = Field(
        default=None, description="A task or gift (or a non-greeting message) due on a public "
        "holiday or rest day moves to the previous or next working day, or keeps its day")
    gift_max_days_between: int | None = Field(
        default=None, ge=1, le=3650,
        description="A customer given no gift for longer than this is flagged (null: never)")


class PolicyRead(BaseModel):
    id: str
    quiet_start: int
    quiet_end: int
    marketing_cap: int
    marketing_window_days: int
    greetings_per_day: int
    workday_shift: str
    gift_max_days_between: int | None
    version: int
