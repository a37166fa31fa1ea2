"""Loyalty inputs per customer and the benefit rules per tier and tenure (离开障碍)."""
from __future__ import annotations

from decimal import Decimal

from sqlmodel import Field

from guanxi_shared.models import MONEY, Versioned, new_id


class LoyaltyInput(Versioned, table=True):
    """What a rep learnt: would the customer recommend us (0-10), and their total yearly
    budget for what we sell (for the share of wallet)."""

    __tablename__ = "loyalty_input"

    customer_id: str = Field(primary_key=True, max_length=32)
    would_recommend: int | None = None
    wallet_budget: Decimal | None = Field(default=None, sa_type=MONEY)
    recorded_by: str | None = Field(default=None, max_length=64)


class BenefitRule(Versioned, table=True):
    """A benefit a customer earns by tier and years of cooperation: quantity discount, gifts,
    longer credit, support that grows with the years."""

    __tablename__ = "benefit_rule"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    tier: str | None = Field(default=None, max_length=16)  # None: every tier
    min_years: int = 0
    kind: str = Field(max_length=16)  # discount | gift | credit_days | support | rebate
    value: str = Field(max_length=100)
    description: str = Field(max_length=500)
    active: bool = True
