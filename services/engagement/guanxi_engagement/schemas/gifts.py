"""The gift catalogue, taboos, checks and log (礼品) as clients see them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page


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
