"""Contracts and their renewal (续费) as clients see them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from guanxi_shared.models import InputModel
from guanxi_shared.reasons import CODE_PATTERN


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
