"""Invoices, payments and the aging board (应收账款) as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from guanxi_shared.models import InputModel, InvoiceInput
from guanxi_shared.pagination import Page

InvoiceStatus = Literal["open", "paid", "void"]
Currency = Field(default="CNY", pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
PositiveMoney = Field(gt=0, max_digits=16, decimal_places=2)


class InvoiceCreate(InvoiceInput):
    """An invoice once per ERP document id: the same id again with the same fields answers
    the stored invoice (200); the same id with other fields is a 409."""

    customer_id: str = Field(min_length=1, max_length=32)
    document_id: str = Field(min_length=1, max_length=128,
                             description="The ERP's document (invoice) number")
    amount: Decimal = PositiveMoney
    currency: str = Currency
    issue_date: date
    due_date: date
    title: str | None = Field(default=None, max_length=200, examples=["二期实施款"])

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"customer_id": "3f9a...", "document_id": "INV-2026-0042", "amount": "48000.00",
         "currency": "CNY", "issue_date": "2026-11-01", "due_date": "2026-12-01"}]})


class PaymentCreate(InputModel):
    """A payment once per ERP payment id; it may be partial, never more than is owed."""

    payment_id: str = Field(min_length=1, max_length=128,
                            description="The ERP's payment (receipt) number")
    amount: Decimal = PositiveMoney
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$",
                                 description="Must be the invoice's currency when given")
    paid_on: date
    note: str | None = Field(default=None, max_length=500)


class InvoiceVoid(InputModel):
    reason: str = Field(min_length=1, max_length=500)
    voided_on: date | None = Field(default=None, description="Default: today")


class PaymentRead(BaseModel):
    id: str
    invoice_id: str
    payment_id: str
    amount: Decimal
    paid_on: date
    note: str | None
    created_at: datetime


class InvoiceRead(BaseModel):
    id: str
    customer_id: str
    document_id: str
    title: str | None
    amount: Decimal
    paid: Decimal = Field(description="Payments recorded so far")
    outstanding: Decimal = Field(description="Still owed; 0 once paid or void")
    currency: str
    issue_date: date
    due_date: date
    status: InvoiceStatus
    days_past_due: int = Field(description="Days after the due date today; 0 when not overdue")
    voided_on: date | None
    void_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class InvoiceDetail(InvoiceRead):
    payments: list[PaymentRead]


InvoicePage = Page[InvoiceRead]


class PaymentResult(BaseModel):
    payment: PaymentRead
    invoice: InvoiceRead


class CurrencyTotal(BaseModel):
    currency: str
    outstanding: Decimal
    overdue: Decimal = Field(description="Outstanding on invoices past their due date")
    invoices: int


class CustomerInvoices(BaseModel):
    """A customer's open invoices, the longest overdue first, with totals per currency."""

    customer_id: str
    totals: list[CurrencyTotal]
    items: list[InvoiceRead]


class AgingCell(BaseModel):
    amount: Decimal = Field(description="Outstanding amount in this bucket")
    count: int = Field(description="Invoices in this bucket")


class AgingRow(BaseModel):
    group: str | None = Field(description="The owner or team id (null: unassigned); "
                                          "null on the totals rows")
    currency: str
    current: AgingCell = Field(description="Not yet due, or due today")
    days_1_30: AgingCell
    days_31_60: AgingCell
    days_61_90: AgingCell
    over_90: AgingCell
    total: AgingCell


class AgingBoard(BaseModel):
    as_of: date
    group_by: Literal["owner", "team"]
    rows: list[AgingRow]
    totals: list[AgingRow] = Field(description="All groups together, one row per currency")
