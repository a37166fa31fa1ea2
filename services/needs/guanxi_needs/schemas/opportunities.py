"""Opportunity schemas: MAN qualification, decision route, protection period, pipeline."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from guanxi_shared.models import InputModel, UpdateModel, changeable
from guanxi_shared.pagination import Page

from ..domain.man import ManAction
from ..domain.opportunity_rules import Stage
from .common import Currency, Id, Identified, ShortText, Text, UserId

Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]


class DealRole(StrEnum):
    decision_maker = "decision_maker"  # 决策者
    leader = "leader"                  # 主导者
    supporter = "supporter"            # 支持者
    neutral = "neutral"                # 中立者
    opponent = "opponent"              # 反对者


class RouteStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: Id
    role: DealRole


class Qualification(InputModel):
    money: bool
    money_evidence: Text | None = None
    authority: bool
    authority_evidence: Text | None = None
    need: bool
    need_evidence: Text | None = None


class OpportunityCreate(Qualification):
    customer_id: Id | None = None
    need_id: Id | None = None
    title: ShortText
    business_need: Text | None = None
    purchase_period: Annotated[str, Field(max_length=100)] | None = None
    budget: Amount | None = None
    currency: Currency = "CNY"
    decision_maker_id: Id | None = None
    decision_route: list[RouteStep] = Field(default_factory=list, max_length=50)
    competitors: list[ShortText] = Field(default_factory=list, max_length=50)
    owner_id: UserId | None = None
    support_team: list[UserId] = Field(default_factory=list, max_length=50)
    protection_days: Annotated[int, Field(ge=1, le=365)] | None = None
    stage: Stage = Stage.prospecting
    expected_amount: Amount = Decimal(0)
    expected_close_on: date | None = None


class OpportunityUpdate(changeable(
        OpportunityCreate, "title", "money", "money_evidence", "authority", "authority_evidence",
        "need", "need_evidence", "business_need", "purchase_period", "budget",
        "decision_maker_id", "decision_route", "competitors", "support_team", "stage",
        "expected_amount", "expected_close_on"), UpdateModel):  # type: ignore[misc]
    __read_model__ = "OpportunityRead"

    # a PATCH has never limited how many of these it takes
    decision_route: list[RouteStep] | None = None
    competitors: list[ShortText] | None = None
    support_team: list[UserId] | None = None


class OpportunityClose(InputModel):
    reason: Text
    closed_on: date | None = None
    amount: Amount | None = None


class ActivityCreate(InputModel):
    kind: Annotated[str, Field(min_length=1, max_length=24)] = "follow_up"
    note: Text | None = None


class OpportunityRead(Identified):
    customer_id: str
    need_id: str | None
    title: str
    money: bool
    money_evidence: str | None
    authority: bool
    authority_evidence: str | None
    need: bool
    need_evidence: str | None
    recommended_action: ManAction
    advice: str
    business_need: str | None
    purchase_period: str | None
    budget: Decimal | None
    currency: str
    decision_maker_id: str | None
    decision_route: list[RouteStep]
    competitors: list[str]
    owner_id: str | None
    support_team: list[str]
    protection_days: int
    last_activity_at: datetime
    protected_until: datetime
    in_pool: bool
    stage: Stage
    probability: Decimal
    expected_amount: Decimal
    expected_close_on: date | None
    closed_on: date | None
    outcome_reason: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class OpportunityPage(Page[OpportunityRead]):
    pass


class PipelineRow(BaseModel):
    key: str | None
    opportunities: int
    amount: Decimal
    weighted: Decimal


class Pipeline(BaseModel):
    group_by: str
    rows: list[PipelineRow]
    open_opportunities: int
    weighted_forecast: Decimal
    won: int
    lost: int
    win_rate: float | None
    average_cycle_days: float | None
