"""Needs tables: the registry read model, needs library, opportunities, expectations, complaints."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from guanxi_shared.customer_ref import CustomerRefBase
from guanxi_shared.models import MONEY, Timestamped, UTCDateTime, Versioned, new_id, utcnow


class CustomerRef(CustomerRefBase, table=True):
    """The registry's customer as needs knows it, plus the segment segmentation reports."""

    __tablename__ = "customer_ref"

    segment: str | None = Field(default=None, max_length=64, index=True)


class ContactRef(Timestamped, table=True):
    """A contact and the role they play in deals (决策者, 主导者, 支持者, 中立者, 反对者)."""

    __tablename__ = "contact_ref"

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    name: str = Field(max_length=200)
    role: str | None = Field(default=None, max_length=32)


class Category(Versioned, table=True):
    """A node of the company's business category tree for needs."""

    __tablename__ = "need_category"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    parent_id: str | None = Field(default=None, max_length=32, index=True)


class Need(Versioned, table=True):
    __tablename__ = "need"
    # covering indexes: the analytics GROUP BYs and distinct-customer counts read only these
    __table_args__ = (Index("ix_need_category_class_customer", "category_id", "need_class",
                            "customer_id"),
                      Index("ix_need_class_recorded_customer", "need_class", "recorded_on",
                            "customer_id"),
                      Index("ix_need_source_recorded_customer", "source", "recorded_on",
                            "customer_id"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    contact_id: str | None = Field(default=None, max_length=32)
    need_class: str = Field(max_length=24)
    category_id: str | None = Field(default=None, max_length=32)
    source: str = Field(max_length=16)
    recorded_by: str = Field(max_length=64)
    description: str = Field(max_length=4000)
    urgency: str = Field(max_length=8)
    status: str = Field(default="collected", max_length=16, index=True)
    feedback: str | None = Field(default=None, max_length=2000)
    complaint_id: str | None = Field(default=None, max_length=32)
    recorded_on: date = Field(index=True)


class NeedHistory(Timestamped, table=True):
    """Who changed a need, when, and from what to what."""

    __tablename__ = "need_history"

    id: int | None = Field(default=None, primary_key=True)
    need_id: str = Field(max_length=32, index=True)
    change: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    changed_by: str = Field(max_length=64)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=2000)


class Opportunity(Versioned, table=True):
    __tablename__ = "opportunity"
    __table_args__ = (Index("ix_opportunity_stage_close", "stage", "expected_close_on"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    need_id: str | None = Field(default=None, max_length=32, index=True)
    title: str = Field(max_length=200)
    money: bool
    money_evidence: str | None = Field(default=None, max_length=1000)
    authority: bool
    authority_evidence: str | None = Field(default=None, max_length=1000)
    need: bool
    need_evidence: str | None = Field(default=None, max_length=1000)
    business_need: str | None = Field(default=None, max_length=2000)
    purchase_period: str | None = Field(default=None, max_length=100)
    budget: Decimal | None = Field(default=None, sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=3)
    decision_maker_id: str | None = Field(default=None, max_length=32)
    decision_route: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    competitors: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    owner_id: str | None = Field(default=None, max_length=64, index=True)
    support_team: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    protection_days: int
    last_activity_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    protected_until: datetime = Field(sa_type=UTCDateTime, index=True)
    stage: str = Field(default="prospecting", max_length=16)
    probability: Decimal = Field(sa_type=MONEY)
    expected_amount: Decimal = Field(sa_type=MONEY)
    expected_close_on: date | None = None
    closed_on: date | None = None
    outcome_reason: str | None = Field(default=None, max_length=1000)


class OpportunityActivity(Timestamped, table=True):
    """A follow-up on an opportunity; each one renews the protection period."""

    __tablename__ = "opportunity_activity"

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=24)
    note: str | None = Field(default=None, max_length=2000)
    by: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Expectation(Versioned, table=True):
    """One goal of the expectation management table (期望值管理表)."""

    __tablename__ = "expectation"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    goal_kind: str = Field(max_length=16)
    goal: str = Field(max_length=500)
    stage_no: int | None = None
    expected_return: str | None = Field(default=None, max_length=1000)
    solution: str | None = Field(default=None, max_length=2000)
    safeguards: str | None = Field(default=None, max_length=2000)
    acceptance_criteria: str | None = Field(default=None, max_length=2000)
    reached_on: date | None = None
    reported_on: date | None = None


class ExpectationCheck(Timestamped, table=True):
    """A result check over time, with the expected and experienced value scores."""

    __tablename__ = "expectation_check"

    id: int | None = Field(default=None, primary_key=True)
    expectation_id: str = Field(max_length=32, index=True)
    checked_on: date
    result: str = Field(max_length=2000)
    reached: bool = False
    expected_score: Decimal | None = Field(default=None, sa_type=MONEY)
    experienced_score: Decimal | None = Field(default=None, sa_type=MONEY)
    checked_by: str = Field(max_length=64)


class Complaint(Versioned, table=True):
    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_status_due", "status", "due_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    contact_id: str | None = Field(default=None, max_length=32)
    channel: str = Field(max_length=16)
    severity: str = Field(max_length=16)
    summary: str = Field(max_length=4000)
    status: str = Field(default="opened", max_length=16)
    assignee_id: str | None = Field(default=None, max_length=64, index=True)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str | None = Field(default=None, max_length=4000)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    satisfaction: int | None = None
    satisfaction_note: str | None = Field(default=None, max_length=1000)


class ComplaintLog(Timestamped, table=True):
    """Investigation notes, customer notifications and escalations, in order."""

    __tablename__ = "complaint_log"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=16)   # note | notified | escalated
    text: str = Field(max_length=4000)
    by: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Product(Versioned, table=True):
    """A catalogue entry with how to present it: its USP (独特销售主张) and FFAB sheet."""

    __tablename__ = "product"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, unique=True)  # the name case-folded: one per name
    line: str = Field(max_length=100, index=True)
    lifecycle: str = Field(default="new", max_length=16, index=True)
    price_from: Decimal = Field(sa_type=MONEY)
    price_to: Decimal = Field(sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=3)
    summary: str | None = Field(default=None, max_length=2000)
    category_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    usp: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    ffab: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    related_product_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    back_end_product_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    launched_on: date | None = None
    retired_on: date | None = None


class PurchaseLineRef(Timestamped, table=True):
    """One line of a registry purchase, as needs knows it: who bought which product when."""

    __tablename__ = "purchase_line_ref"
    __table_args__ = (Index("ix_purchase_line_ref_product", "product_key", "customer_id"),
                      Index("ix_purchase_line_ref_product_id", "product_id", "customer_id"))

    purchase_id: str = Field(primary_key=True, max_length=32)
    line_no: int = Field(primary_key=True)
    customer_id: str = Field(max_length=32, index=True)
    product_id: str | None = Field(default=None, max_length=32)
    product_key: str = Field(max_length=200)  # the line's product name, lower-cased
    purchased_on: date
    amount: Decimal = Field(sa_type=MONEY)


class ProductLaunch(Timestamped, table=True):
    """A product launched or upgraded (宣传式), with its call list computed when recorded."""

    __tablename__ = "product_launch"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    product_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=16)
    launched_on: date
    note: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=64)
    calls: int = 0


class LaunchCall(Versioned, table=True):
    """One customer on a launch's call list: score, owner, and what the rep made of it."""

    __tablename__ = "launch_call"
    __table_args__ = (Index("ix_launch_call_rank", "launch_id", "position"),)

    launch_id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(primary_key=True, max_length=32, index=True)
    position: int  # 1 = the best fit of the whole launch
    score: int
    latest_evidence_on: date
    status: str = Field(default="to_call", max_length=16)
    outcome_note: str | None = Field(default=None, max_length=2000)
    called_by: str | None = Field(default=None, max_length=64)
    called_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LaunchEvidence(SQLModel, table=True):
    """Why a customer is on a launch's call list: one matching need or purchase each."""

    __tablename__ = "launch_evidence"
    __table_args__ = (Index("ix_launch_evidence_call", "launch_id", "customer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    launch_id: str = Field(max_length=32)
    customer_id: str = Field(max_length=32)
    kind: str = Field(max_length=24)
    ref_id: str = Field(max_length=64)
    detail: str = Field(max_length=4000)
    points: int
    evidence_on: date


class BalancePolicy(Versioned, table=True):
    """The company's weights for the relationship balance (one row), set by an admin."""

    __tablename__ = "balance_policy"

    id: str = Field(default="company", primary_key=True, max_length=16)
    weights: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    updated_by: str | None = Field(default=None, max_length=64)


class RelationshipBalance(Timestamped, table=True):
    """One customer's running balance (情感银行)."""

    __tablename__ = "relationship_balance"

    customer_id: str = Field(primary_key=True, max_length=32)
    balance: Decimal = Field(sa_type=MONEY, index=True)
    deposits: Decimal = Field(sa_type=MONEY)
    withdrawals: Decimal = Field(sa_type=MONEY)
    entries: int = 0
    last_change_at: datetime = Field(sa_type=UTCDateTime)


class BalanceEntry(Timestamped, table=True):
    """One deposit or withdrawal; `source_key` names the fact, so a fact counts once."""

    __tablename__ = "balance_entry"
    __table_args__ = (Index("ix_balance_entry_customer", "customer_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    points: Decimal = Field(sa_type=MONEY)
    balance_after: Decimal = Field(sa_type=MONEY)
    source_key: str = Field(max_length=128, unique=True)
    note: str | None = Field(default=None, max_length=500)
    occurred_at: datetime = Field(sa_type=UTCDateTime)


class Commitment(Versioned, table=True):
    """A promise a rep made to a contact, with its due date (答应的事一定做到)."""

    __tablename__ = "commitment"
    __table_args__ = (Index("ix_commitment_status_due", "status", "due_on"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    contact_id: str | None = Field(default=None, max_length=32)
    promise: str = Field(max_length=2000)
    due_on: date
    origin: str = Field(max_length=16)
    origin_ref: str | None = Field(default=None, max_length=64)
    made_by: str = Field(max_length=64, index=True)
    status: str = Field(default="open", max_length=16)
    kept_on: date | None = None
    outcome_note: str | None = Field(default=None, max_length=2000)
    flagged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ExperienceMap(Versioned, table=True):
    """A product's touchpoints before, during and after the purchase and in use (客户体验地图)."""

    __tablename__ = "experience_map"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    product_id: str | None = Field(default=None, max_length=32, index=True)
    repurchase_after_days: int | None = None
    auto_apply: bool = True
    touchpoints: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class CareStep(Versioned, table=True):
    """A dated care step generated from a map for one purchase; needs' own follow-up item."""

    __tablename__ = "care_step"
    __table_args__ = (UniqueConstraint("map_id", "purchase_ref", "touchpoint_no"),
                      Index("ix_care_step_status_due", "status", "due_on"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    map_id: str = Field(max_length=32)
    purchase_ref: str = Field(max_length=64)
    touchpoint_no: int
    stage: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    title: str = Field(max_length=200)
    due_on: date
    status: str = Field(default="open", max_length=16)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=2000)
