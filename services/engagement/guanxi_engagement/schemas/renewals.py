"""The renewal report (续费报表): due, renewed, not renewed, still open, and why not."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.reasons import ReasonBreakdown


class Tally(BaseModel):
    contracts: int
    amount: Decimal = Field(description="Sum of the contracts' amounts")


class RenewalPeriod(ReasonBreakdown):
    """Contracts ending in the period; the reasons are those of the contracts not renewed,
    in percent of them, with the share the company could have prevented (controllable)."""

    period: str = Field(description="YYYY-MM, YYYY-Qn, YYYY, or 'total'")
    first_day: date
    last_day: date
    due: Tally
    renewed: Tally
    not_renewed: Tally
    open: Tally = Field(description="Not yet recorded as renewed or not")
    renewal_rate: float | None = Field(description="Renewed / (renewed + not renewed); null "
                                                   "while none is decided")


class RenewalReport(BaseModel):
    period: Literal["month", "quarter", "year"]
    from_: date = Field(alias="from")
    to: date
    rows: list[RenewalPeriod]
    total: RenewalPeriod
