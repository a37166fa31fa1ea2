"""Loyalty (客户忠诚度): per-customer card, the loyalty x value matrix, inputs and benefits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page

Group = Literal["loyal", "passive", "latent", "disloyal", "unmeasured"]
Tier = Literal["invest", "keep", "reconsider"]
BenefitKind = Literal["discount", "gift", "credit_days", "support", "rebate"]


class BenefitRuleCreate(InputModel):
    tier: Tier | None = Field(default=None, description="Every tier when omitted")
    min_years: int = Field(default=0, ge=0, le=100, description="Years of cooperation")
    kind: BenefitKind
    value: str = Field(min_length=1, max_length=100, description="e.g. 5%, 60 days, 茶叶礼盒")
    description: str = Field(min_length=1, max_length=500)


class BenefitRuleUpdate(UpdateModel):
    __read_model__ = "BenefitRuleRead"

    min_years: int | None = Field(default=None, ge=0, le=100)
    value: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, min_length=1, max_length=500)
    active: bool | None = None


class BenefitRuleRead(BaseModel):
    id: str
    tier: str | None
    min_years: int
    kind: str
    value: str
    description: str
    active: bool
    version: int


BenefitRulePage = Page[BenefitRuleRead]


class LoyaltyInputBody(InputModel):
    would_recommend: int | None = Field(default=None, ge=0, le=10,
                                        description="Would they recommend us, 0-10")
    wallet_budget: Decimal | None = Field(default=None, gt=0, max_digits=16, decimal_places=2,
                                          description="Their total yearly budget for what "
                                          "we sell (for the share of wallet)")


class LoyaltyRead(BaseModel):
    customer_id: str
    owner_id: str | None
    tier: str
    satisfaction_index: float | None
    would_recommend: int | None
    last_12: Decimal = Field(description="Bought in the last 12 months")
    previous_12: Decimal = Field(description="Bought in the 12 months before")
    wallet_budget: Decimal | None
    share_of_wallet: float | None
    attitude_score: float | None
    behaviour_high: bool
    group: Group
    value: Literal["high", "low"]
    advice: str


LoyaltyPage = Page[LoyaltyRead]


class LoyaltyCard(LoyaltyRead):
    tenure_years: int
    first_purchase_on: date | None
    benefits: list[BenefitRuleRead] = Field(description="What they have earned (离开障碍)")


class MatrixCell(BaseModel):
    group: Group
    value: Literal["high", "low"]
    customers: int
