"""Neglected customers: no touch for longer than their value tier allows."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.pagination import Page


class NeglectedCustomer(BaseModel):
    customer_id: str
    name: str
    owner_id: str | None
    team_id: str | None
    tier: Literal["invest", "keep", "reconsider"]
    last_touch_on: date | None = Field(description="Business date of the last touch; null: never")
    last_touch_kind: str | None = Field(
        description="call, visit, task, message, gift, complaint or event")
    counted_from: date = Field(description="The last touch, or the first purchase if never")
    days_without_touch: int
    limit_days: int = Field(description="What the customer's tier allows (policy neglect_days)")
    days_over: int = Field(description="days_without_touch - limit_days")


NeglectPage = Page[NeglectedCustomer]


class NeglectGroup(BaseModel):
    id: str | None = Field(description="The owner's or the team's id (null: unassigned)")
    customers: int = Field(description="Customers with a value tier, not lost")
    neglected: int
    share: float | None = Field(description="neglected / customers (0 to 1)")
    oldest_days_without_touch: int | None = Field(
        description="The longest gap among the neglected ones")
