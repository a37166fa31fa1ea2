"""Needs library schemas (需求库): create, update, status change, read, page, history, stats."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from guanxi_shared.models import InputModel, UpdateModel, changeable, readable
from guanxi_shared.pagination import Page

from ..domain.need_flow import NeedStatus
from .common import AboutCustomer, Id, Identified, LongText, ShortText, Text


class NeedClass(StrEnum):
    product = "product"                              # 产品需求
    positively_correlated = "positively_correlated"  # 正相关需求
    restrictive = "restrictive"                      # 限制性需求
    special = "special"                              # 特殊需求: fits no business category


class NeedSource(StrEnum):
    sales = "sales"
    implementation = "implementation"
    service = "service"
    other = "other"


class Urgency(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class NeedCreate(AboutCustomer):
    need_class: NeedClass
    category_id: Id | None = None
    source: NeedSource
    description: LongText
    urgency: Urgency = Urgency.normal


class NeedUpdate(changeable(NeedCreate, "need_class", "category_id", "description", "urgency",
                            "contact_id"), UpdateModel):  # type: ignore[misc]
    __read_model__ = "NeedRead"


class NeedTransition(InputModel):
    status: NeedStatus
    feedback: Text | None = None
    note: Text | None = None


class NeedRead(Identified):
    customer_id: str
    contact_id: str | None
    need_class: NeedClass
    category_id: str | None
    source: NeedSource
    recorded_by: str
    description: str
    urgency: Urgency
    status: NeedStatus
    feedback: str | None
    complaint_id: str | None
    recorded_on: date
    created_at: datetime
    updated_at: datetime
    version: int


class NeedPage(Page[NeedRead]):
    pass


class NeedChange(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    change: str
    from_status: str | None
    to_status: str | None
    changed_by: str
    changed_at: datetime
    note: str | None


class StatsRow(BaseModel):
    key: str | None
    period: str | None
    needs: int
    customers: int


class NeedStats(BaseModel):
    by: str
    period: str
    rows: list[StatsRow]


class NicheCandidate(BaseModel):
    """A need shared by many customers: a candidate niche market (利基市场)."""

    category_id: str | None
    category: str | None
    need_class: NeedClass
    customers: int
    needs: int
    example: str


class CategoryCreate(InputModel):
    name: ShortText
    parent_id: Id | None = None


class CategoryRead(readable(CategoryCreate), Identified):  # type: ignore[misc]
    version: int
