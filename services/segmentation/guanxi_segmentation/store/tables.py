"""Segmentation's read model of the registry (fed by events) and its own results."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Index
from sqlmodel import Field

from guanxi_shared.models import MONEY, Timestamped


class CustomerRef(Timestamped, table=True):
    __tablename__ = "customer_ref"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    status: str = Field(max_length=16)
    owner_id: str | None = Field(default=None, max_length=64, index=True)
    team_id: str | None = Field(default=None, max_length=64, index=True)


class PurchaseFact(Timestamped, table=True):
    __tablename__ = "purchase_fact"
    __table_args__ = (Index("ix_purchase_fact_customer_date", "customer_id", "purchased_on"),)

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32)
    purchased_on: date
    amount: Decimal = Field(sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=3)
