"""Inbound feeds (ERP orders, tickets) and personal-data requests."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guanxi_shared.models import InputModel


class ErpOrder(InputModel):
    """An order from the ERP, recorded once as a purchase (购买记录) whatever the retries."""

    order_id: str = Field(min_length=1, max_length=100, description="The ERP's own order id")
    customer_id: str = Field(min_length=1, max_length=32)
    ordered_on: date
    amount: Decimal = Field(max_digits=16, decimal_places=2)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"order_id": "SO-2026-00042", "customer_id": "3f9a...", "ordered_on": "2026-11-20",
         "amount": "12800.00", "currency": "CNY"}]})


class Ticket(InputModel):
    """A ticket from the help desk that opens a complaint (投诉) in the needs service."""

    ticket_id: str = Field(min_length=1, max_length=100)
    customer_id: str = Field(min_length=1, max_length=32)
    contact_id: str | None = Field(default=None, max_length=32)
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    channel: Literal["phone", "sms", "email", "wechat", "qq", "visit", "mail", "web",
                     "other"] = "web"
    summary: str = Field(min_length=1, max_length=4000)

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"ticket_id": "T-981", "customer_id": "3f9a...", "severity": "high",
         "summary": "交货延迟两周 (delivery two weeks late)"}]})


class PersonalDataRequest(InputModel):
    customer_id: str = Field(min_length=1, max_length=32)


class ServiceOutcome(BaseModel):
    service: str
    ok: bool
    status: int = Field(description="The service's HTTP status; 0 when it did not answer")
    result: Any = None


class PersonalDataAnswer(BaseModel):
    customer_id: str
    complete: bool = Field(description="False when a service failed: repeat the request")
    failed: list[str]
    services: list[ServiceOutcome]
