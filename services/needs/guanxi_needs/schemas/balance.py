"""Relationship balance schemas (情感银行): the balance, its entries, the company's weights."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, create_model

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


class _Weights(UpdateModel):
    __never_null__ = frozenset(kind.value for kind in BalanceKind)  # a weight is never null


# One optional weight per BalanceKind, so a new kind is settable as soon as it is declared.
WeightsUpdate = create_model(
    "WeightsUpdate", __base__=_Weights, __doc__=(
        "Only the weights sent change. Magnitudes: the kind decides the sign (complaint, "
        "sla_missed,\ncommitment_broken and satisfaction_below_100 withdraw; the rest deposit)."),
    **{kind.value: (Weight | None, None) for kind in BalanceKind})


class PolicyUpdate(InputModel):
    weights: WeightsUpdate  # type: ignore[valid-type]


class PolicyRead(BaseModel):
    weights: dict[BalanceKind, Decimal]
    withdrawals: list[BalanceKind] = Field(description="Kinds that withdraw; the rest deposit")
    updated_by: str | None
    updated_at: datetime | None
    version: int
