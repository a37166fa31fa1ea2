"""Purchase records (购买记录) as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from guanxi_shared.models import InputModel
from guanxi_shared.pagination import Page

Amount = Decimal


class PurchaseLine(InputModel):
    product: str = Field(min_length=1, max_length=200)
    product_id: str | None = Field(
        default=None, min_length=1, max_length=32,
        description="The catalogue product (needs' /v1/products) when known; otherwise the "
                    "needs service matches the line by product name")
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Decimal = Field(max_digits=16, decimal_places=2)


class PurchaseCreate(InputModel):
    customer_id: str = Field(min_length=1, max_length=32)
    purchased_on: date
    amount: Decimal | None = Field(
        default=None, max_digits=16, decimal_places=2,
        description="Total; negative for a refund. Computed from lines when omitted")
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    channel: str | None = Field(default=None, max_length=50, examples=["store", "online", "erp"])
    lines: list[PurchaseLine] = Field(default_factory=list, max_length=500)
    external_ref: str | None = Field(
        default=None, max_length=128,
        description="The ERP's order id; re-sending the same order records nothing new")

    @model_validator(mode="after")
    def amount_from_lines(self) -> PurchaseCreate:
        total = sum((ln.quantity * ln.unit_price for ln in self.lines), Decimal(0))
        if self.amount is None:
            if not self.lines:
                raise ValueError("give an amount or lines")
            self.amount = total.quantize(Decimal("0.01"))
        elif self.lines and abs(total - self.amount) > Decimal("0.01"):
            raise ValueError(f"amount {self.amount} does not match the lines' total {total}")
        return self


class PurchaseBulk(InputModel):
    purchases: list[PurchaseCreate] = Field(min_length=1, max_length=5000)


class PurchaseRead(BaseModel):
    id: str
    customer_id: str
    purchased_on: date
    amount: Decimal
    currency: str
    channel: str | None
    lines: list[dict[str, Any]]
    external_ref: str | None
    created_at: datetime
    updated_at: datetime


PurchasePage = Page[PurchaseRead]


class BulkItemResult(BaseModel):
    index: int
    outcome: Literal["created", "existing", "rejected"]
    id: str | None = None
    reason: str | None = None


class PurchaseBulkResult(BaseModel):
    created: int
    existing: int
    rejected: int
    items: list[BulkItemResult]
