"""Complaint schemas (投诉): channel, severity, SLA, steps, notifications, satisfaction."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from guanxi_shared.models import InputModel
from guanxi_shared.pagination import Page

from ..domain.complaint_rules import ComplaintStatus, Severity
from .common import AboutCustomer, Id, Identified, LongText, Score, Text, UserId
from .needs import NeedClass, Urgency


class Channel(StrEnum):
    phone = "phone"
    sms = "sms"
    email = "email"
    wechat = "wechat"
    qq = "qq"
    visit = "visit"
    mail = "mail"
    web = "web"
    other = "other"


class ComplaintCreate(AboutCustomer):
    channel: Channel
    severity: Severity
    summary: LongText
    assignee_id: UserId | None = None


class ComplaintAssign(InputModel):
    assignee_id: UserId


class ComplaintNote(InputModel):
    text: LongText
    notify_customer: bool = False


class ComplaintResolve(InputModel):
    resolution: LongText


class ComplaintSatisfaction(InputModel):
    score: Score
    note: Text | None = None


class ComplaintNeed(InputModel):
    need_class: NeedClass = NeedClass.product
    category_id: Id | None = None
    description: LongText
    urgency: Urgency = Urgency.normal


class ComplaintLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    text: str
    by: str
    at: datetime


class ComplaintRead(Identified):
    customer_id: str
    contact_id: str | None
    channel: Channel
    severity: Severity
    summary: str
    status: ComplaintStatus
    assignee_id: str | None
    opened_at: datetime
    due_at: datetime
    overdue: bool
    escalated_at: datetime | None
    resolution: str | None
    closed_at: datetime | None
    satisfaction: int | None
    satisfaction_note: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class ComplaintDetail(ComplaintRead):
    log: list[ComplaintLogRead]


class ComplaintPage(Page[ComplaintRead]):
    pass
