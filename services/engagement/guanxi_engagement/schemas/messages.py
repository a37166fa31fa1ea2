"""Templates, messages, consents, policies, gifts and contracts as clients see them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page
from guanxi_shared.reasons import CODE_PATTERN

from .rules import Audience, MessageKind

SendChannel = Literal["email", "sms", "wechat", "log"]
Texts = dict[str, str]


class TemplateCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    subject: Texts = Field(default_factory=dict, description="Per language, e.g. {'zh': ...}")
    body: Texts = Field(min_length=1, description="Per language; placeholders {name} "
                        "{customer} {occasion} {date}, and {note} (a life event's note)")


class TemplateUpdate(UpdateModel):
    __read_model__ = "TemplateRead"

    name: str | None = Field(default=None, min_length=1, max_length=100)
    subject: Texts | None = None
    body: Texts | None = Field(default=None, min_length=1)


class TemplateRead(BaseModel):
    id: str
    name: str
    subject: dict
    body: dict
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


class GiftCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    category: str = Field(min_length=1, max_length=32, description="e.g. tea, clock, pear")
    cost: Decimal = Field(ge=0, max_digits=16, decimal_places=2)


class GiftRead(BaseModel):
    id: str
    name: str
    category: str
    cost: Decimal
    active: bool
    version: int


GiftPage = Page[GiftRead]


class GiftGive(InputModel):
    gift_id: str = Field(max_length=32)
    customer_id: str = Field(max_length=32)
    contact_id: str | None = Field(
        default=None, max_length=32,
        description="The recipient, one of the customer's contacts: taboos of their native "
                    "place (籍贯) and ethnicity or customs are checked, and their hobbies")
    occasion: str | None = Field(default=None, max_length=64, description="e.g. sick, wedding")
    given_on: date


class GiftCheckRead(BaseModel):
    """What logging the gift would meet: reasons that block it, and warnings."""

    blocked: list[str]
    warnings: list[str]
    fits: list[str] = Field(default_factory=list,
                            description="The recipient's hobbies the gift fits")


Scope = list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=100)]]


class GiftTabooCreate(InputModel):
    """A company taboo: gifts of `category` block (or warn) for the recipients in scope.

    Each scope that is given must match: a region is part of the recipient contact's native
    place (籍贯), an ethnicity part of their ethnicity or customs; groups and tags match when
    the customer has one of them. No scope: everyone. Categories match by meaning: 钟, 钟表,
    clock and watch are one.
    """

    category: str = Field(min_length=1, max_length=32, description="e.g. clock, knife, green_hat")
    reason: str = Field(min_length=1, max_length=300)
    block: bool = Field(default=True, description="False: only warn")
    occasion: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="Only for this occasion (e.g. sick, wedding)")
    regions: Scope = Field(default_factory=list, max_length=50)
    groups: Scope = Field(default_factory=list, max_length=50)
    tags: Scope = Field(default_factory=list, max_length=50)
    ethnicities: Scope = Field(default_factory=list, max_length=60,
                               description="e.g. 回族: only for recipients of these customs")


class GiftTabooUpdate(UpdateModel):
    """Only the fields sent change; occasion may be set to null, the others may not."""

    __read_model__ = "GiftTabooRead"

    reason: str | None = Field(default=None, min_length=1, max_length=300)
    block: bool | None = None
    occasion: str | None = Field(default=None, min_length=1, max_length=64)
    regions: Scope | None = Field(default=None, max_length=50)
    groups: Scope | None = Field(default=None, max_length=50)
    tags: Scope | None = Field(default=None, max_length=50)
    ethnicities: Scope | None = Field(default=None, max_length=60)
    active: bool | None = None


class GiftTabooRead(BaseModel):
    id: str
    category: str
    reason: str
    block: bool
    occasion: str | None
    regions: list[str]
    groups: list[str]
    tags: list[str]
    ethnicities: list[str]
    active: bool
    version: int


GiftTabooPage = Page[GiftTabooRead]


class GiftLogRead(BaseModel):
    id: str
    gift_id: str
    customer_id: str
    contact_id: str | None
    occasion: str | None
    cost: Decimal
    given_on: date
    warnings: list[str]


class GiftOverdueRead(BaseModel):
    """A customer given no gift for longer than the policy allows."""

    customer_id: str
    name: str
    owner_id: str | None
    last_given_on: date | None = Field(description="None: never given a gift")
    days_since: int | None
    reason: str


GiftOverduePage = Page[GiftOverdueRead]


class ContractCreate(InputModel):
    customer_id: str = Field(max_length=32)
    title: str = Field(min_length=1, max_length=200)
    ends_on: date
    amount: Decimal = Field(ge=0, max_digits=16, decimal_places=2)


class ContractRenewal(InputModel):
    renewal: Literal["renewed", "lost"]
    reason_code: str | None = Field(
        default=None, max_length=32, pattern=CODE_PATTERN,
        description="Why it was not renewed: a code of the company's reasons list "
                    "(registry GET /v1/reasons); required with renewal lost")
    reason: str | None = Field(default=None, max_length=500, description="A note beside it")

    @model_validator(mode="after")
    def lost_needs_code(self) -> ContractRenewal:
        if self.renewal == "lost" and not self.reason_code:
            raise ValueError("a contract not renewed needs a reason_code")
        if self.renewal == "renewed" and self.reason_code:
            raise ValueError("a renewed contract takes no reason_code")
        return self


class ContractRead(BaseModel):
    id: str
    customer_id: str
    title: str
    ends_on: date
    amount: Decimal
    renewal: str
    reason: str | None
    reason_code: str | None = None
    version: int
