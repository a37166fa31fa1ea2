"""Segmentation's read model of the registry (fed by events) and its own results."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Computed, Index, text
from sqlmodel import Field, SQLModel

from guanxi_shared.customer_ref import CustomerRefBase
from guanxi_shared.models import MONEY, Timestamped, UTCDateTime, utcnow
from guanxi_shared.reasons import ReasonFields


class CustomerRef(CustomerRefBase, table=True):
    __tablename__ = "customer_ref"

    lost_reason: str | None = Field(default=None, max_length=500)
    region: str | None = Field(default=None, max_length=100)
    industry: str | None = Field(default=None, max_length=100)


AMOUNT_CENTS = "CAST(ROUND(amount * 100) AS BIGINT)"  # exact for two-decimal amounts


class PurchaseFact(Timestamped, table=True):
    __tablename__ = "purchase_fact"
    # Covers the scoring and fitting GROUP BY (cents) and the retention rebuild's (amount), so
    # none of them reads the table itself.
    __table_args__ = (Index("ix_purchase_fact_customer_date", "customer_id", "purchased_on",
                            "amount_cents", "amount"),)

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32)
    purchased_on: date
    amount: Decimal = Field(sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=3)
    # The amount in whole cents, kept by the database: summing integers over ten million
    # purchases takes a third less time than multiplying and casting each numeric first.
    amount_cents: int | None = Field(default=None, sa_column=Column(
        BigInteger, Computed(AMOUNT_CENTS, persisted=True), nullable=True))

    def written(self) -> dict[str, Any]:
        """The columns a writer gives (the database computes the cents)."""
        return self.model_dump(exclude={"amount_cents"})



class StatusChange(SQLModel, table=True):
    """When a customer became lost (流失) or came back, and why: the churn report's source."""

    __tablename__ = "status_change"
    __table_args__ = (Index("ix_status_change_at", "status", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(max_length=32, index=True)
    status: str = Field(max_length=16)
    lost_reason: str | None = Field(default=None, max_length=500)
    lost_reason_code: str | None = Field(default=None, max_length=32)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerScore(SQLModel, table=True):
    """The latest scores of each customer (one row per customer)."""

    __tablename__ = "customer_score"
    __table_args__ = (Index("ix_customer_score_segment", "segment", "monetary", "customer_id"),
                      Index("ix_customer_score_tier", "tier", "monetary", "customer_id"))

    customer_id: str = Field(primary_key=True, max_length=32)
    as_of: date
    recency_days: int
    frequency: int
    monetary: Decimal = Field(sa_type=MONEY)
    first_purchase_on: date
    last_purchase_on: date
    r_score: int
    f_score: int
    m_score: int
    segment: str = Field(max_length=40)
    tier: str = Field(max_length=16)
    clv_simple: Decimal | None = Field(default=None, sa_type=MONEY)
    clv_model: Decimal | None = Field(default=None, sa_type=MONEY)
    expected_purchases_year: float | None = None
    p_alive: float | None = None
    at_risk: bool = False
    at_risk_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON,
                                                                              nullable=False))
    # The open at-risk episode began on this day (None when not at risk): customer.at_risk is
    # published when it is set and customer.recovered when it clears, in the same transaction,
    # so recomputes, restarts and redelivered events never publish either twice.
    at_risk_since: date | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScoreRun(SQLModel, table=True):
    """A full recompute: when, as of which date, and the cut points later increments reuse."""

    __tablename__ = "score_run"

    id: int | None = Field(default=None, primary_key=True)
    as_of: date
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    customers: int
    seconds: float
    cuts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ScoreSnapshot(SQLModel, table=True):
    """Scores kept on a date, to see how a customer moved and to build migration matrices.

    A day keeps a row only for the customers whose kept scores differ from their latest row
    (or who have none): the scores as of a date are each customer's latest row on or before
    it. A million customers thus add the few thousand who changed each night, not a million
    rows."""

    __tablename__ = "score_snapshot"
    __table_args__ = (
        Index("ix_score_snapshot_customer_date", "customer_id", "snapshot_date"),
        Index("ux_score_snapshot_latest", "customer_id", unique=True,
              postgresql_where=text("latest"), sqlite_where=text("latest")),
    )

    snapshot_date: date = Field(primary_key=True)
    customer_id: str = Field(primary_key=True, max_length=32)
    r_score: int
    f_score: int
    m_score: int
    segment: str = Field(max_length=40)
    tier: str = Field(max_length=16)
    monetary: Decimal = Field(sa_type=MONEY)
    latest: bool = False  # the customer's newest row: what the next kept day compares with


KEPT_SCORES = ("r_score", "f_score", "m_score", "segment", "tier", "monetary")


class SnapshotDay(SQLModel, table=True):
    """A date scores were kept on: the customers scored then, and how many rows it kept
    (those whose scores changed since their previous row, or were new)."""

    __tablename__ = "snapshot_day"

    snapshot_date: date = Field(primary_key=True)
    customers: int
    changed: int


class Policy(Timestamped, table=True):
    """The company's scoring policy: one row, edited through /v1/policies."""

    id: int = Field(default=1, primary_key=True)
    version: int = 1
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ModelFit(SQLModel, table=True):
    """A BG/NBD + Gamma-Gamma fit and its holdout check."""

    __tablename__ = "model_fit"

    id: int | None = Field(default=None, primary_key=True)
    fitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SatisfactionScore(SQLModel, table=True):
    """Satisfaction (客户满意度) = experienced / expected value x 100%, as the needs service scores it."""

    __tablename__ = "satisfaction_score"
    __table_args__ = (Index("ix_satisfaction_customer", "customer_id", "scored_on"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(max_length=32)
    scored_on: date
    expected: float
    experienced: float
    index: float


class PurchasePeriod(SQLModel, table=True):
    """Each customer's buying per calendar period (month, quarter and year), derived from the
    purchases by one SQL statement (store/retention.py) and rebuilt for a customer whenever one
    of their purchases arrives: the retention and cohort reports add these rows up instead of
    reading a million purchases.

    `buy_days` counts days with a purchase above zero (a refund-only period has 0); `revenue`
    is the net amount dated in the period (refunds subtract); `cohort` is the customer's first
    period with a purchase day; `prev_bought` says they had purchase days in period - 1.
    """

    __tablename__ = "purchase_period"
    # The reports read one grain's periods in order; every column they need is in the index.
    __table_args__ = (Index("ix_purchase_period_report", "grain", "period", "cohort",
                            "buy_days", "prev_bought", "revenue"),)

    customer_id: str = Field(primary_key=True, max_length=32)
    grain: str = Field(primary_key=True, max_length=1)  # m, q, y
    period: int = Field(primary_key=True)
    buy_days: int
    revenue: Decimal = Field(sa_type=MONEY)
    cohort: int | None = None
    prev_bought: bool = False


class PeriodTotal(SQLModel, table=True):
    """The purchase_period rows added up per grain, cohort and period: what the company-wide
    retention and cohort reports read (a few hundred rows instead of seven million monthly rows
    at a million customers). Every change to a customer's period rows adds its difference here
    in the same transaction (store/retention.py); a full rebuild writes it afresh.

    `cohort` is -1 for rows of customers who never bought (refunds only); `customers` counts
    rows, `buyers` those with a purchase day, `retained` buyers who bought in period - 1 too,
    `repeaters` buyers with two purchase days or more."""

    __tablename__ = "period_total"

    grain: str = Field(primary_key=True, max_length=1)
    cohort: int = Field(primary_key=True)
    period: int = Field(primary_key=True)
    customers: int
    buyers: int
    retained: int
    repeaters: int
    revenue: Decimal = Field(sa_type=MONEY)


class Reason(ReasonFields, table=True):
    """Segmentation's copy of the registry's churn reasons (reasons.changed), for labels and
    the controllable share in the churn report."""

    __tablename__ = "reason"


class LastTouch(SQLModel, table=True):
    """The latest touch of each customer (a completed call, visit or task, a delivered
    message, a gift, a closed complaint), from `touch.recorded` and `complaint.closed`. One row
    per customer, replaced only by a later touch: events may arrive late or twice."""

    __tablename__ = "last_touch"

    customer_id: str = Field(primary_key=True, max_length=32)
    touched_at: datetime = Field(sa_type=UTCDateTime)
    touched_on: date = Field(description="The business date of touched_at (company timezone)")
    kind: str = Field(max_length=16)
    source_id: str | None = Field(default=None, max_length=64)
    contact_id: str | None = Field(default=None, max_length=32)


class ComplaintRef(SQLModel, table=True):
    """Complaints as the needs service reports them: open until resolved (an at-risk reason
    once past the answer deadline, due_at)."""

    __tablename__ = "complaint_ref"
    __table_args__ = (Index("ix_complaint_ref_open", "resolved_at", "due_at"),)

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    due_at: datetime = Field(sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InvoiceRef(SQLModel, table=True):
    """Invoices as the registry reports them (invoice.changed): an open one overdue more than
    30 days is an at-risk reason."""

    __tablename__ = "invoice_ref"
    __table_args__ = (Index("ix_invoice_ref_open_due", "status", "due_date"),)

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    document_id: str | None = Field(default=None, max_length=200)
    currency: str = Field(default="CNY", max_length=3)
    amount: Decimal = Field(sa_type=MONEY)
    outstanding: Decimal = Field(sa_type=MONEY)
    issue_date: date | None = None
    due_date: date
    status: str = Field(max_length=8)  # open | paid | void


class BalanceRef(SQLModel, table=True):
    """The relationship balance (情感银行) as the needs service reports it (balance.changed):
    below zero it is an at-risk reason."""

    __tablename__ = "balance_ref"

    customer_id: str = Field(primary_key=True, max_length=32)
    balance: Decimal = Field(sa_type=MONEY, index=True)
    at: datetime = Field(sa_type=UTCDateTime)
