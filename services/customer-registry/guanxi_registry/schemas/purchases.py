"""Purchase records (购买记录) as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from guanxi_shared.models import InputModel
from pydantic import BaseModel, Field


class PurchaseCreate(InputModel):
    customer_id: str = Field(min_length=1, max_length=32)
    purchased_on: date
    amount: Decimal = Field(max_digits=16, decimal_places=2,
                            description="Negative for a refund")
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    external_ref: str | None = Field(
        default=None, max_length=128,
        description="The ERP's order id; re-sending the same order records nothing new")


class PurchaseRead(BaseModel):
    id: str
    customer_id: str
    purchased_on: date
    amount: Decimal
    currency: str
    external_ref: str | None
    created_at: datetime
