"""Registry tables: customers, contacts, purchases, referrals, groups, notes and their history."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Flag, auto
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from guanxi_shared.models import MONEY, Timestamped, UTCDateTime, Versioned, new_id, utcnow
from guanxi_shared.reasons import ReasonFields

from ..schemas.contacts import ContactBase
from ..schemas.customers import CustomerBase


class Customer(CustomerBase, Versioned, table=True):
    """A company (企业客户) or a person; owned by a rep, never by them 'indefinitely'.

    Its client-set fields come from CustomerBase; here only what every customer has and the
    service's own columns."""

    __table_args__ = (
        Index("ix_customer_created", "created_at", "id"),
        Index("ix_customer_updated", "updated_at", "id"),
        Index("ix_customer_name_id", "name", "id"),
        Index("ix_customer_owner", "owner_id", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    kind: str = Field(max_length=16)  # company | person
    name: str = Field(max_length=200)
    status: str = Field(default="prospect", max_length=16)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    custom_fields: dict[str, Any] = Field(default_factory=dict,
                                          sa_column=Column(JSON, nullable=False))
    merged_into_id: str | None = Field(default=None, max_length=32)
    name_key: str = Field(default="", max_length=200, index=True)  # for 'similar names'
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Lower-cased name, phones, emails, address and note text: what full-text search scans.
    search_text: str = Field(default="", max_length=20000)


class Use(Flag):
    """What a merge and an erasure do with a column; tests/test_columns.py checks that every
    column of a customer and a contact says."""

    SYSTEM = 0  # neither: ids, state and what the service derives
    MERGEABLE = auto()  # a merge fills it in where the survivor has none (lists: combined)
    PERSONAL = auto()  # an erasure clears it


M, P = Use.MERGEABLE, Use.PERSONAL
CUSTOMER_COLUMNS: dict[str, Use] = {
    "id": Use.SYSTEM, "kind": Use.SYSTEM, "status": Use.SYSTEM, "lost_reason_code": Use.SYSTEM,
    "owner_id": Use.SYSTEM, "team_id": Use.SYSTEM, "merged_into_id": Use.SYSTEM,
    "erased_at": Use.SYSTEM, "version": Use.SYSTEM, "created_at": Use.SYSTEM,
    "updated_at": Use.SYSTEM,
    "name": P, "name_key": P, "search_text": P, "lost_reason": P,
    "industry": M, "prosperity_index": M, "enterprise_type": M, "enterprise_nature": M,
    "region": M, "founded_on": M, "economic_scale": M, "employee_count": M,
    "address": M | P, "postal_code": M | P, "credit_code": M | P, "legal_representative": M | P,
    "business_scope": M | P, "email": M | P, "phone": M | P, "fax": M | P, "website": M | P,
    "weibo": M | P, "wechat": M | P, "tags": M | P, "custom_fields": M | P,
}


class CustomerTag(Timestamped, table=True):
    __tablename__ = "customer_tag"

    customer_id: str = Field(foreign_key="customer.id", primary_key=True, max_length=32)
    tag: str = Field(primary_key=True, max_length=50, index=True)


class FieldChange(Timestamped, table=True):
    """History of the fields that change over time (scale, headcount, prosperity, owner)."""

    __tablename__ = "field_change"
    __table_args__ = (Index("ix_field_change_customer", "customer_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(max_length=32)
    field: str = Field(max_length=50)
    old_value: str | None = Field(default=None, max_length=500)
    new_value: str | None = Field(default=None, max_length=500)
    changed_by: str = Field(max_length=64)


class CustomFieldDef(Timestamped, table=True):
    __tablename__ = "custom_field_def"

    key: str = Field(primary_key=True, max_length=50)
    label: str = Field(max_length=100)
    type: str = Field(max_length=16)  # text | number | date | boolean | choice
    choices: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Contact(ContactBase, Versioned, table=True):
    """A person at a customer (联系人), 'the most productive element of the resource'.

    Its client-set fields come from ContactBase; here only what every contact has and what
    the service derives."""

    __table_args__ = (Index("ix_contact_customer", "customer_id", "created_at"),
                      Index("ix_contact_updated", "updated_at", "id"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", max_length=32)
    name: str = Field(max_length=100)
    lunar_birthday_leap: bool = False
    birthday_month: int | None = Field(default=None, index=True)
    hobbies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cares_about_people: list[str] = Field(default_factory=list,
                                          sa_column=Column(JSON, nullable=False))
    cares_about_things: list[str] = Field(default_factory=list,
                                          sa_column=Column(JSON, nullable=False))
    phones: list[dict[str, str]] = Field(default_factory=list,
                                         sa_column=Column(JSON, nullable=False))
    primary_phone: str | None = Field(default=None, max_length=32, index=True)  # mobile first
    social_circles: list[str] = Field(default_factory=list,
                                      sa_column=Column(JSON, nullable=False))


# An erased contact is deleted whole, so none of its columns needs PERSONAL.
CONTACT_COLUMNS: dict[str, Use] = {
    "id": Use.SYSTEM, "customer_id": Use.SYSTEM, "name": Use.SYSTEM,
    "primary_phone": Use.SYSTEM,  # follows phones
    "lunar_birthday_leap": Use.SYSTEM,  # never empty; goes with lunar_birthday_month
    # a departure is the merged record's own story, not the survivor's
    "left_on": Use.SYSTEM, "went_to": Use.SYSTEM, "new_customer_id": Use.SYSTEM,
    "version": Use.SYSTEM, "created_at": Use.SYSTEM, "updated_at": Use.SYSTEM,
    "gender": M, "ethnicity": M, "native_place": M, "address": M, "birthday_calendar": M,
    "birthday": M, "lunar_birthday_month": M, "lunar_birthday_day": M, "birthday_month": M,
    "organisation": M, "department": M, "job_title": M, "professional_title": M, "school": M,
    "hobbies": M, "cares_about_people": M, "cares_about_things": M, "phones": M, "email": M,
    "fax": M, "qq": M, "wechat": M, "weibo": M, "social_circles": M, "role": M, "language": M,
    "timezone": M,
}


MERGEABLE_FIELDS = tuple(name for name, use in CUSTOMER_COLUMNS.items() if M in use)
PERSONAL_FIELDS = tuple(name for name, use in CUSTOMER_COLUMNS.items() if P in use)
MERGEABLE_CONTACT_FIELDS = tuple(name for name, use in CONTACT_COLUMNS.items() if M in use)


class Purchase(Versioned, table=True):
    """A purchase record (购买记录): what RFM and lifetime value are computed from."""

    __table_args__ = (Index("ix_purchase_customer_date", "customer_id", "purchased_on"),
                      Index("ix_purchase_updated", "updated_at", "id"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", max_length=32)
    purchased_on: date
    amount: Decimal = Field(sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=3)
    channel: str | None = Field(default=None, max_length=50)
    lines: list[dict[str, Any]] = Field(default_factory=list,
                                        sa_column=Column(JSON, nullable=False))
    external_ref: str | None = Field(default=None, max_length=128, unique=True)


class Referral(Timestamped, table=True):
    """Who introduced whom (引荐); a customer is referred at most once."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    referrer_customer_id: str = Field(foreign_key="customer.id", max_length=32, index=True)
    referrer_contact_id: str | None = Field(default=None, max_length=32)
    referred_customer_id: str = Field(foreign_key="customer.id", max_length=32, unique=True)
    referred_on: date = Field(default_factory=lambda: utcnow().date())
    note: str | None = Field(default=None, max_length=500)


class CustomerGroup(Versioned, table=True):
    """A free-form group (分组): family, friends, key customer, group customer..."""

    __tablename__ = "customer_group"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=100, unique=True)
    description: str | None = Field(default=None, max_length=500)


class GroupMember(Timestamped, table=True):
    __tablename__ = "group_member"

    group_id: str = Field(foreign_key="customer_group.id", primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", primary_key=True, max_length=32,
                             index=True)


class Note(Versioned, table=True):
    """A note or comment on a customer or one of its contacts, kept as sanitised HTML."""

    __table_args__ = (Index("ix_note_customer", "customer_id", "created_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", max_length=32)
    contact_id: str | None = Field(default=None, max_length=32)
    author_id: str = Field(max_length=64)
    format: str = Field(default="html", max_length=16)  # html | markdown
    body: str = Field(max_length=20000)


class Erasure(Timestamped, table=True):
    """The audit record kept when personal data is erased."""

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=16)  # customer | contact
    subject_id: str = Field(max_length=32, index=True)
    requested_by: str = Field(max_length=64)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Invoice(Versioned, table=True):
    """An invoice the customer owes (应收账款), once per ERP document id.

    `outstanding` is kept with every payment so that lists and the aging board read it
    directly; an aging board for a past day recomputes it from the payments up to that day.
    """

    __table_args__ = (Index("ix_invoice_customer_due", "customer_id", "due_date"),
                      Index("ix_invoice_status_due", "status", "due_date"),
                      # covers the aging board's scan of open and void invoices (no table reads)
                      Index("ix_invoice_aging", "status", "customer_id", "due_date", "currency",
                            "amount", "paid", "issue_date", "voided_on"),
                      Index("ix_invoice_created", "created_at", "id"),
                      Index("ix_invoice_updated", "updated_at", "id"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", max_length=32)
    document_id: str = Field(max_length=128, unique=True)
    amount: Decimal = Field(sa_type=MONEY)
    paid: Decimal = Field(default=Decimal(0), sa_type=MONEY)
    outstanding: Decimal = Field(sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=3)
    issue_date: date
    due_date: date
    status: str = Field(default="open", max_length=8)  # open | paid | void
    title: str | None = Field(default=None, max_length=200)
    voided_on: date | None = None
    void_reason: str | None = Field(default=None, max_length=500)


class InvoicePayment(Timestamped, table=True):
    """A payment against an invoice, once per ERP payment id; partial payments add up."""

    __tablename__ = "invoice_payment"
    __table_args__ = (Index("ix_invoice_payment_invoice", "invoice_id", "paid_on"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    invoice_id: str = Field(foreign_key="invoice.id", max_length=32)
    payment_id: str = Field(max_length=128, unique=True)
    amount: Decimal = Field(sa_type=MONEY)
    paid_on: date
    note: str | None = Field(default=None, max_length=500)


class Reason(ReasonFields, table=True):
    """The company's churn and non-renewal reasons (流失原因): the master list (see
    guanxi_shared.reasons for who keeps copies)."""

    __tablename__ = "reason"

    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


__all__ = ["CONTACT_COLUMNS", "CUSTOMER_COLUMNS", "MERGEABLE_CONTACT_FIELDS", "MERGEABLE_FIELDS",
           "PERSONAL_FIELDS", "Contact", "CustomFieldDef", "Customer", "CustomerGroup",
           "CustomerTag", "Erasure", "FieldChange", "GroupMember", "Invoice", "InvoicePayment",
           "Note", "Purchase", "Reason", "Referral", "Use"]
