"""Relationship balance schemas (情感银行): the balance, its entries, the company's weights."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page

from ..domain.balance import BalanceKind

Weight = Annotated[Decimal, Field(ge=0, le=1000, max_digits=6, decimal_places=2)]


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: str
    kind: BalanceKind
    points: Decimal = Field(description="Positive: a deposit; negative: a withdrawal")
    balance_after: Decimal
    note: str | None
    occurred_at: datetime
    created_at: datetime


class EntryPage(Page[EntryRead]):
    pass


class BalanceRead(BaseModel):
    customer_id: str
    balance: Decimal
    deposits: Decimal
    withdrawals: Decimal
    entries: int
    overdrawn: bool = Field(description="Below zero: an at-risk reason (关系被推入破产边缘)")
    last_change_at: datetime | None
    recent: list[EntryRead] = Field(description="The last five entries, newest first")


class BalanceSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    customer_id: str
    balance: Decimal
    deposits: Decimal
    withdrawals: Decimal
    entries: int
    last_change_at: datetime


class BalancePage(Page[BalanceSummary]):
    pass


class WeightsUpdate(UpdateModel):
    """Only the weights sent change. Magnitudes: the kind decides the sign (complaint, sla_missed,
    commitment_broken and satisfaction_below_100 withdraw; the rest deposit)."""

    __never_null__ = frozenset({
        "greeting", "call", "visit", "gift", "task", "event", "complaint_resolved",
        "expectation_met", "expectation_exceeded", "complaint", "sla_missed",
        "commitment_broken", "satisfaction_below_100"})

    greeting: Weight | None = None
    call: Weight | None = None
    visit: Weight | None = None
    gift: Weight | None = None
    task: Weight | None = None
    event: Weight | None = None
    complaint_resolved: Weight | None = None
    expectation_met: Weight | None = None
    expectation_exceeded: Weight | None = None
    complaint: Weight | None = None
    sla_missed: Weight | None = None
    commitment_broken: Weight | None = None
    satisfaction_below_100: Weight | None = None


class PolicyUpdate(InputModel):
    weights: WeightsUpdate


class PolicyRead(BaseModel):
    weights: dict[BalanceKind, Decimal]
    withdrawals: list[BalanceKind] = Field(description="Kinds that withdraw; the rest deposit")
    updated_by: str | None
    updated_at: datetime | None
    version: int
