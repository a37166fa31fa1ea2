"""Registry tables."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from guanxi_shared.models import MONEY, UTCDateTime, Versioned, new_id
from sqlalchemy import Index
from sqlmodel import Field


class Customer(Versioned, table=True):
    __table_args__ = (
        Index("ix_customer_owner_name", "owner_id", "name"),
        Index("ix_customer_created", "created_at", "id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    kind: str = Field(max_length=16)  # company | person
    name: str = Field(max_length=200, index=True)
    status: str = Field(default="prospect", max_length=16, index=True)
    owner_id: str | None = Field(default=None, max_length=64)
    team_id: str | None = Field(default=None, max_length=64, index=True)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    region: str | None = Field(default=None, max_length=100)


class Purchase(Versioned, table=True):
    __table_args__ = (Index("ix_purchase_customer_date", "customer_id", "purchased_on"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", max_length=32)
    purchased_on: date
    amount: Decimal = Field(sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=3)
    external_ref: str | None = Field(default=None, max_length=128, unique=True)
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
