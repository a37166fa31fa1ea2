"""A customer's value card as clients read it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class ValueCard(BaseModel):
    customer_id: str
    purchase_count: int
    total_spend: Decimal
    last_purchase_on: date | None
