"""Customer events (VIP 联谊, 客户会): the event, and one invitation per invited contact with
their answer (RSVP) and attendance."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from guanxi_shared.models import UTCDateTime, Versioned, new_id


class CustomerEvent(Versioned, table=True):
    __tablename__ = "customer_event"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)  # vip_gathering | customer_meeting | other
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    location: str | None = Field(default=None, max_length=300)
    capacity: int | None = None
    channel: str = Field(max_length=16)  # how the invitation is announced
    announce_days_before: int = 7
    invitation_text: str = Field(max_length=2000)
    follow_up_days: int = 2
    status: str = Field(default="planned", max_length=16)  # planned | held | cancelled
    created_by: str | None = Field(default=None, max_length=64)


class EventInvitation(Versioned, table=True):
    """A contact invited to an event: RSVP (pending, yes, no, maybe) and attendance."""

    __tablename__ = "event_invitation"
    __table_args__ = (UniqueConstraint("event_id", "contact_id", name="uq_invitation_contact"),
                      Index("ix_invitation_customer", "customer_id"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    event_id: str = Field(max_length=32)
    customer_id: str = Field(max_length=32)
    contact_id: str = Field(max_length=32)
    rsvp: str = Field(default="pending", max_length=8)
    rsvp_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attended: bool = False
    attended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    invited_by: str | None = Field(default=None, max_length=64)
