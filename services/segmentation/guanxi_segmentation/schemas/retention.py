"""Retention per period (回头率, 复购率) and cohorts."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class RetentionPeriod(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    period: str = Field(description="YYYY-MM, YYYY-Qn or YYYY", examples=["2026-03"])
    from_: date = Field(alias="from", description="First day of the period")
    to: date = Field(description="Last day of the period")
    buyers: int = Field(description="Customers with at least one purchase day in the period")
    new: int = Field(description="Buyers whose first purchase day ever is in the period")
    retained: int = Field(description="Buyers who also bought in the previous period")
    won_back: int = Field(description="Buyers neither new nor retained (came back after a gap)")
    lost: int = Field(description="Buyers of the previous period who did not buy in this one")
    previous_buyers: int = Field(description="Buyers of the previous period")
    repeat_buyers: int = Field(description="Buyers with two or more purchase days in the period")
    return_rate: float | None = Field(
        description="回头率: retained / buyers of the previous period (0 to 1); null when the "
                    "previous period had no buyers")
    repeat_rate: float | None = Field(
        description="复购率: repeat buyers / buyers (0 to 1); null without buyers")
    revenue: Decimal = Field(description="Net amount dated in the period: refunds subtract")
    revenue_new: Decimal = Field(description="Net revenue from the period's new customers")
    revenue_returning: Decimal = Field(
        description="Net revenue from everyone else (customers who had bought before)")


class CohortCell(BaseModel):
    period: str
    offset: int = Field(description="Periods after the cohort's own (1 = the next one)")
    buyers: int = Field(description="Customers of the cohort with a purchase day in the period")
    share: float | None = Field(description="buyers / cohort size (0 to 1)")
    revenue: Decimal = Field(description="The cohort's net revenue in the period")


class Cohort(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    cohort: str = Field(description="The period of the customers' first purchase day")
    from_: date = Field(alias="from")
    to: date
    customers: int = Field(description="Customers whose first purchase day is in this period")
    revenue: Decimal = Field(description="Their net revenue in that first period")
    periods: list[CohortCell] = Field(description="Every later period up to the end of the range")
