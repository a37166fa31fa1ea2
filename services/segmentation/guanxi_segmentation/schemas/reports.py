"""What segmentation answers: grid, segments, Pareto, churn, migrations, value cards, fits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.models import InputModel
from guanxi_shared.pagination import Page
from guanxi_shared.reasons import ReasonBreakdown


class GridCell(BaseModel):
    r: int
    f: int
    m: int
    customers: int
    revenue: Decimal


class Grid(BaseModel):
    as_of: date | None
    cells: list[GridCell] = Field(description="All 125 cells, R, F and M from 1 to 5")


class SegmentSummary(BaseModel):
    name: str
    label: str
    strategy: str
    r_scores: list[int]
    fm_scores: list[int]
    customers: int
    share: float
    at_risk: int
    revenue: Decimal


class ScoredCustomer(BaseModel):
    customer_id: str
    name: str
    owner_id: str | None = None
    segment: str
    tier: str
    r_score: int
    f_score: int
    m_score: int
    recency_days: int
    frequency: int
    monetary: Decimal
    clv_simple: Decimal | None
    clv_model: Decimal | None
    p_alive: float | None
    at_risk: bool
    at_risk_reasons: list[str]
    at_risk_since: date | None = Field(
        description="the day the customer's current at-risk episode began; null when not at risk")


ScoredCustomerPage = Page[ScoredCustomer]


class CurvePoint(BaseModel):
    customer_share: float
    value_share: float


class TierSummary(BaseModel):
    tier: Literal["invest", "keep", "reconsider"]
    customers: int
    value: float
    strategy: str


class ParetoReport(BaseModel):
    measure: Literal["revenue", "profit"]
    customers: int
    total: float
    top_20_percent_share: float
    curve: list[CurvePoint]
    tiers: list[TierSummary]


class Share(BaseModel):
    name: str
    count: int
    percent: float


class ChurnPeriod(ReasonBreakdown):
    """Customers lost in the period, the segment they were in, and why: each reason of the
    company list in percent, and the share the company could have prevented (controllable)."""

    period: str
    lost: int
    segments: list[Share]


class MigrationCell(BaseModel):
    from_: str = Field(alias="from")
    to: str
    customers: int


class MigrationMatrix(BaseModel):
    from_date: date
    to_date: date
    cells: list[MigrationCell]
    moved: int
    stayed: int


class RfmScores(BaseModel):
    as_of: date
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int


class Named(BaseModel):
    name: str
    label: str | None = None
    strategy: str


class TrendPoint(BaseModel):
    from_: date = Field(alias="from")
    to: date
    purchases: int
    spend: Decimal


class SatisfactionPoint(BaseModel):
    scored_on: date
    expected: float
    experienced: float
    index: float


class HistoryPoint(BaseModel):
    date: date
    r: int
    f: int
    m: int
    segment: str
    tier: str


class ValueCard(BaseModel):
    customer_id: str
    name: str
    status: str
    purchase_count: int
    total_spend: Decimal
    first_purchase_on: date | None
    last_purchase_on: date | None
    scored: bool
    rfm: RfmScores | None
    segment: Named | None
    tier: Named | None
    clv_simple: Decimal | None
    clv_model: Decimal | None
    expected_purchases_next_year: float | None
    p_alive: float | None
    at_risk: bool
    at_risk_reasons: list[str]
    at_risk_since: date | None = Field(
        description="the day the customer's current at-risk episode began; null when not at risk")
    relationship_balance: Decimal | None = Field(
        description="情感银行, from the needs service; below zero is an at-risk reason")
    trend: list[TrendPoint]
    satisfaction: list[SatisfactionPoint]
    history: list[HistoryPoint]


class RecomputeRequest(InputModel):
    as_of: date | None = Field(default=None, ge=date(1900, 1, 1),
                               description="Default: today (company timezone)")
    snapshot: bool = Field(default=True, description="Also keep the scores as of that day "
                           "(only the customers whose kept scores changed add a row)")


class RecomputeResult(BaseModel):
    as_of: date
    customers: int
    seconds: float


class SnapshotDate(BaseModel):
    snapshot_date: date
    customers: int = Field(description="Customers scored that day")
    changed: int = Field(description="Rows the day kept: customers whose kept scores (R, F, M, "
                         "segment, tier, monetary) changed since their previous kept row, or "
                         "who had none")


class FitRequest(InputModel):
    cut_off: date = Field(description="Observation ends here; later purchases are the holdout")
    time_unit: Literal["days", "weeks"] = "weeks"
    holdout_end: date | None = Field(default=None, description="Default: today")
    apply: bool = Field(default=True, description="Rescore every customer with the new fit")


class BgNbdParams(BaseModel):
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


class GammaGammaParams(BaseModel):
    p: float
    q: float
    gamma: float
    log_likelihood: float


class Holdout(BaseModel):
    from_: date = Field(alias="from")
    to: date
    predicted_purchases: float
    actual_purchases: int
    mean_absolute_error: float
    correlation: float | None


class FitResult(BaseModel):
    cut_off: date
    time_unit: str
    customers: int
    fitted_on: int | None = Field(default=None, description="Customers the parameters were "
                                  "estimated on: all, or a random 100,000 of a larger base")
    repeat_customers: int
    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams
    holdout: Holdout | None
    seconds: float


MAX_YUAN = 1e12  # keeps every result finite


class SimpleClvRequest(InputModel):
    """DOMAIN.md's example: 75 + 3 x 2 x 150 = 975 yuan."""

    first_sale_profit: float = Field(ge=0, le=MAX_YUAN, examples=[75])
    repeat_profit: float = Field(ge=0, le=MAX_YUAN, examples=[150])
    purchases_per_year: float = Field(ge=0, le=10000, examples=[3])
    lifetime_years: float = Field(gt=0, le=100, examples=[2])
    acquisition_cost: float = Field(default=0, ge=0, le=MAX_YUAN)
    retention_cost_per_year: float = Field(default=0, ge=0, le=MAX_YUAN)


class SimpleClvResult(BaseModel):
    lifetime_value: float
    break_even_acquisition_cost: float
