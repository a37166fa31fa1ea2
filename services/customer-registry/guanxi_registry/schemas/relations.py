"""Referrals (引荐), groups (分组) and notes as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page


class ReferralCreate(InputModel):
    referrer_customer_id: str = Field(max_length=32)
    referrer_contact_id: str | None = Field(default=None, max_length=32)
    referred_customer_id: str = Field(max_length=32)
    referred_on: date | None = None
    note: str | None = Field(default=None, max_length=500)


class ReferralRead(BaseModel):
    id: str
    referrer_customer_id: str
    referrer_contact_id: str | None
    referred_customer_id: str
    referred_on: date
    note: str | None
    created_at: datetime


ReferralPage = Page[ReferralRead]


class ReferralNode(BaseModel):
    customer_id: str
    name: str
    depth: int
    referred_by: str | None
    referred_on: date | None


class ReferralTree(BaseModel):
    root_customer_id: str
    nodes: list[ReferralNode]


class TopReferrer(BaseModel):
    customer_id: str
    name: str
    referred_customers: int
    referred_revenue: Decimal


class GroupCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)


class GroupUpdate(UpdateModel):
    __read_model__ = "GroupRead"

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)


class GroupRead(BaseModel):
    id: str
    name: str
    description: str | None
    member_count: int = 0
    version: int
    created_at: datetime


GroupPage = Page[GroupRead]


class GroupMembers(InputModel):
    customer_ids: list[str] = Field(min_length=1, max_length=1000)


class NoteCreate(InputModel):
    customer_id: str = Field(max_length=32)
    contact_id: str | None = Field(default=None, max_length=32)
    format: Literal["html", "markdown"] = "html"
    body: str = Field(min_length=1, max_length=20000,
                      description="HTML is sanitised (scripts, handlers and styles removed)")


class NoteUpdate(UpdateModel):
    __read_model__ = "NoteRead"

    body: str = Field(min_length=1, max_length=20000)


class NoteRead(BaseModel):
    id: str
    customer_id: str
    contact_id: str | None
    author_id: str
    format: str
    body: str
    version: int
    created_at: datetime
    updated_at: datetime


NotePage = Page[NoteRead]
