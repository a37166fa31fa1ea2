"""Gateway tables: users, refresh tokens, API keys and the personal-data audit log."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from guanxi_shared.models import Timestamped, UTCDateTime, Versioned, new_id, utcnow


class User(Versioned, table=True):
    """A person who logs in (用户)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    username: str = Field(max_length=64, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    team_id: str | None = Field(default=None, max_length=64)
    active: bool = Field(default=True)
    # Bumped on logout and on changes of role/team/password: older access tokens stop working.
    token_generation: int = Field(default=1)


class RefreshToken(Timestamped, table=True):
    __tablename__ = "refresh_token"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiKey(Timestamped, table=True):
    """An integration's key (ERP, ticketing); only its SHA-256 is stored."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: str = Field(default="", max_length=2000)  # space-separated
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(max_length=64)


class AuditRecord(SQLModel, table=True):
    """Who read or changed which customer's personal data, when, from where."""

    __tablename__ = "audit_record"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=100, index=True)
    role: str = Field(max_length=20)
    ip: str = Field(default="", max_length=64)
    action: str = Field(max_length=10)  # read, change, export, erase
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    customer_id: str | None = Field(default=None, max_length=64, index=True)
    status: int
    request_id: str = Field(default="", max_length=64)


class WebhookSubscription(Timestamped, table=True):
    """An outside system that wants to hear of some event types (订阅)."""

    __tablename__ = "webhook_subscription"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    url: str = Field(max_length=2000)
    event_types: str = Field(max_length=2000)  # space-separated; "*" for all
    secret: str = Field(max_length=100)
    active: bool = Field(default=True)
    created_by: str = Field(max_length=64)


class WebhookDelivery(Timestamped, table=True):
    """One event sent (or to send) to one subscription: the delivery log."""

    __tablename__ = "webhook_delivery"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    subscription_id: str = Field(foreign_key="webhook_subscription.id", index=True,
                                 max_length=32)
    event_id: str = Field(max_length=32)
    event_type: str = Field(max_length=64)
    body: str
    status: str = Field(default="pending", max_length=16, index=True)  # pending|delivered|failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
