"""Tables of the event-driven flows (store/flows.py): what was acted on, referrals, at-risk
episodes and the flows' policy."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from guanxi_shared.models import Timestamped, UTCDateTime, Versioned, utcnow


class FlowMark(SQLModel, table=True):
    """One fact a flow has acted on (a purchase thanked, a departure followed up): the key
    makes a flow act once per fact, whatever event brings it and however often."""

    __tablename__ = "flow_mark"
    __table_args__ = (Index("ix_flow_mark_customer", "flow", "customer_id", "created_at"),)

    flow: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=100)
    customer_id: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ReferralRef(Timestamped, table=True):
    """Who referred a customer (referral.recorded), to thank the referrer for its first buy."""

    __tablename__ = "referral_ref"

    referred_customer_id: str = Field(primary_key=True, max_length=32)
    referrer_customer_id: str = Field(max_length=32, index=True)
    referrer_contact_id: str | None = Field(default=None, max_length=32)


class RiskEpisode(Timestamped, table=True):
    """A customer's current or last at-risk episode and the revisit task it gave."""

    __tablename__ = "risk_episode"

    customer_id: str = Field(primary_key=True, max_length=32)
    since: date
    source: str = Field(max_length=16)  # segment (segment.changed) | retention (customer.at_risk)
    open: bool = True
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    task_id: str | None = Field(default=None, max_length=32)


class FlowPolicy(Versioned, table=True):
    """How the flows behave (one row, id 'default'); admins and managers set it."""

    __tablename__ = "flow_policy"

    id: str = Field(default="default", primary_key=True, max_length=32)
    late_fact_days: int = 14
    referral_ask_every_days: int = 90
    revisit_due_days: int = 2
    nurture_every_days: int = 30
    nurture_touches: int = 3
    service_channels: list[str] = Field(default_factory=lambda: ["wechat", "sms", "email"],
                                        sa_column=Column(JSON, nullable=False))
