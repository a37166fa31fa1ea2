"""Inbound feeds (ERP orders, tickets) and personal-data requests."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guanxi_shared.models import InputModel, InvoiceInput


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



class ErpInvoice(InvoiceInput):
    """An invoice from the ERP, recorded once per document id as a receivable (应收账款)."""

    document_id: str = Field(min_length=1, max_length=100,
                             description="The ERP's own invoice (document) number")
    customer_id: str = Field(min_length=1, max_length=32)
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    issue_date: date
    due_date: date
    title: str | None = Field(default=None, max_length=200)

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"document_id": "INV-2026-00042", "customer_id": "3f9a...", "amount": "48000.00",
         "currency": "CNY", "issue_date": "2026-11-01", "due_date": "2026-12-01"}]})


class ErpPayment(InputModel):
    """A payment (receipt) from the ERP against one of its invoices, recorded once."""

    payment_id: str = Field(min_length=1, max_length=100,
                            description="The ERP's own payment (receipt) number")
    document_id: str = Field(min_length=1, max_length=100,
                             description="The invoice it pays, as sent to /erp/invoices")
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    paid_on: date

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"payment_id": "RC-2026-0107", "document_id": "INV-2026-00042", "amount": "20000.00",
         "currency": "CNY", "paid_on": "2026-11-20"}]})

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
