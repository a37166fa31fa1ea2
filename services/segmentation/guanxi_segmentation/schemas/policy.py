"""The company's scoring policy (bins, segment mapping, margins, at-risk rules)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from guanxi_shared.models import InputModel

from ..domain.segments import DEFAULT_RULES, SegmentRule

Cuts = tuple[float, float, float, float]


class FixedBins(InputModel):
    recency_days: Cuts = Field(description="Ascending day counts; fewer days scores higher")
    frequency: Cuts
    monetary: Cuts

    @model_validator(mode="after")
    def ascending(self) -> FixedBins:
        for name in ("recency_days", "frequency", "monetary"):
            cuts = getattr(self, name)
            if list(cuts) != sorted(cuts):
                raise ValueError(f"{name} cut points must be ascending")
        return self


class NeglectDays(InputModel):
    """How many days without a touch each value tier tolerates (客户关怀)."""

    invest: int = Field(default=30, ge=1, le=3650, description="Top 20% of customers by value")
    keep: int = Field(default=90, ge=1, le=3650, description="The middle 60%")
    reconsider: int = Field(default=180, ge=1, le=3650, description="The bottom 20%")


class PolicySettings(InputModel):
    binning: Literal["quintiles", "fixed"] = "quintiles"
    fixed_bins: FixedBins | None = None
    segment_rules: list[SegmentRule] = Field(default_factory=lambda: list(DEFAULT_RULES),
                                             min_length=1, max_length=50)
    margin_rate: float = Field(default=0.3, gt=0, le=1,
                               description="Profit share of revenue, for profit-based values")
    expected_lifetime_years: float = Field(default=2.0, gt=0, le=50)
    acquisition_cost: float = Field(default=0.0, ge=0)
    at_risk_gap_factor: float = Field(
        default=2.0, gt=1, le=10,
        description="At risk when the days since the last purchase exceed this many times the "
                    "customer's own average gap between purchases")
    falling_spend_ratio: float = Field(
        default=0.5, gt=0, lt=1,
        description="At risk when the last window's spend is below this share of the window before")
    trend_window_days: int = Field(default=180, ge=30, le=730)
    neglect_days: NeglectDays = Field(
        default_factory=NeglectDays,
        description="A customer is neglected after this many days without a touch, per tier")

    @model_validator(mode="after")
    def fixed_needs_bins(self) -> PolicySettings:
        if self.binning == "fixed" and self.fixed_bins is None:
            raise ValueError("binning 'fixed' needs fixed_bins")
        return self
