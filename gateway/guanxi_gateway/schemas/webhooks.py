"""Webhook subscriptions and deliveries."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from guanxi_shared.models import InputModel


class WebhookCreate(InputModel):
    url: HttpUrl
    event_types: list[str] = Field(min_length=1, max_length=50,
                                   description='Event types (docs/events.md) or "*"')

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"url": "https://erp.example.com/hooks/guanxi",
         "event_types": ["customer.updated", "opportunity.won"]}]})


class WebhookRead(BaseModel):
    id: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Verifies Guanxi-Signature; shown this once only")


class DeliveryRead(BaseModel):
    id: str
    subscription_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
