"""The catalogue of event types the suite publishes, with the payload each one carries.

`publish` takes an `EventType` member (a plain string is refused) and checks the data against
the type's payload model before anything is written, so a wrong payload fails at the publisher,
in its tests, not later at every consumer. Consumers and the gateway's webhook list key their
handlers by it, and docs/events.md describes every member with its payload's fields (tests
check all three). Payload models state the fields a consumer may rely on; publishers of a read
schema (`CustomerRead`, `ContactRead`, ...) send more, so the models allow extra fields.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter


class EventType(StrEnum):
    customer_created = "customer.created"
    customer_updated = "customer.updated"
    customer_merged = "customer.merged"
    customer_erased = "customer.erased"
    contact_changed = "contact.changed"
    contact_erased = "contact.erased"
    purchase_recorded = "purchase.recorded"
    invoice_changed = "invoice.changed"
    reasons_changed = "reasons.changed"
    referral_recorded = "referral.recorded"
    need_created = "need.created"
    need_decided = "need.decided"
    opportunity_qualified = "opportunity.qualified"
    opportunity_won = "opportunity.won"
    opportunity_lost = "opportunity.lost"
    complaint_opened = "complaint.opened"
    complaint_progress = "complaint.progress"
    complaint_closed = "complaint.closed"
    expectation_reached = "expectation.reached"
    satisfaction_scored = "satisfaction.scored"
    balance_changed = "balance.changed"
    product_changed = "product.changed"
    touch_recorded = "touch.recorded"
    segment_changed = "segment.changed"
    customer_at_risk = "customer.at_risk"
    customer_recovered = "customer.recovered"


class Payload(BaseModel):
    """Fields every consumer may rely on; publishers may send more."""

    model_config = ConfigDict(extra="allow")


class CustomerChanged(Payload):  # CustomerRead
    id: str
    name: str
    status: str
    owner_id: str | None = None
    team_id: str | None = None
    version: int


class CustomerMerged(Payload):
    merged_id: str
    into_id: str


class CustomerErased(Payload):
    customer_id: str


class ContactChanged(Payload):  # ContactRead
    id: str
    customer_id: str
    name: str


class ContactErased(Payload):
    contact_id: str
    customer_id: str


class PurchaseRecorded(Payload):  # PurchaseRead
    id: str
    customer_id: str
    purchased_on: date
    amount: str
    currency: str
    lines: list[dict[str, Any]]


class InvoiceChanged(Payload):
    invoice_id: str
    customer_id: str
    document_id: str
    currency: str
    amount: str
    outstanding: str
    issue_date: date
    due_date: date
    status: Literal["open", "paid", "void"]


class ReasonsChanged(Payload):
    reasons: list[dict[str, Any]]
    changed_at: datetime


class ReferralRecorded(Payload):
    id: str
    referrer_customer_id: str
    referrer_contact_id: str | None = None
    referred_customer_id: str


class NeedChanged(Payload):  # NeedRead
    id: str
    customer_id: str


class OpportunityQualified(Payload):
    id: str
    customer_id: str
    owner_id: str | None = None
    title: str
    stage: str
    recommended_action: str | None = None
    advice: Any = None


class OpportunityWon(Payload):
    id: str
    customer_id: str
    amount: str
    currency: str
    won_on: date
    title: str


class OpportunityLost(Payload):
    id: str
    customer_id: str
    reason: str | None = None


class ComplaintChanged(Payload):  # ComplaintRead
    id: str
    customer_id: str


class ComplaintProgress(Payload):
    complaint_id: str
    customer_id: str
    contact_id: str | None = None
    step: Literal["received", "assigned", "next_step", "resolved", "closed"]
    text: str
    notice_id: int
    at: datetime


class ExpectationReached(Payload):
    id: str
    customer_id: str
    goal_kind: str
    reached_on: date


class SatisfactionScored(Payload):
    customer_id: str
    expected: float
    experienced: float
    scored_on: date


class BalanceChanged(Payload):
    customer_id: str
    balance: str
    at: datetime


class ProductChanged(Payload):  # ProductRead
    id: str
    name: str
    line: str
    lifecycle: str
    usp: dict[str, Any] | None = None
    pitch: str
    version: int


class TouchRecorded(Payload):
    customer_id: str
    contact_id: str | None = None
    kind: Literal["call", "visit", "task", "message", "gift", "complaint", "event"]
    at: datetime
    source_id: str


class SegmentChanged(Payload):
    customer_id: str
    segment: str | None = None
    tier: str | None = None
    at_risk: bool
    at_risk_reasons: list[str] = []


class CustomerAtRisk(Payload):
    customer_id: str
    owner_id: str | None = None
    team_id: str | None = None
    reasons: list[str]
    since: date


class CustomerRecovered(Payload):
    customer_id: str
    since: date


PAYLOADS: dict[EventType, type[Payload]] = {
    EventType.customer_created: CustomerChanged,
    EventType.customer_updated: CustomerChanged,
    EventType.customer_merged: CustomerMerged,
    EventType.customer_erased: CustomerErased,
    EventType.contact_changed: ContactChanged,
    EventType.contact_erased: ContactErased,
    EventType.purchase_recorded: PurchaseRecorded,
    EventType.invoice_changed: InvoiceChanged,
    EventType.reasons_changed: ReasonsChanged,
    EventType.referral_recorded: ReferralRecorded,
    EventType.need_created: NeedChanged,
    EventType.need_decided: NeedChanged,
    EventType.opportunity_qualified: OpportunityQualified,
    EventType.opportunity_won: OpportunityWon,
    EventType.opportunity_lost: OpportunityLost,
    EventType.complaint_opened: ComplaintChanged,
    EventType.complaint_progress: ComplaintProgress,
    EventType.complaint_closed: ComplaintChanged,
    EventType.expectation_reached: ExpectationReached,
    EventType.satisfaction_scored: SatisfactionScored,
    EventType.balance_changed: BalanceChanged,
    EventType.product_changed: ProductChanged,
    EventType.touch_recorded: TouchRecorded,
    EventType.segment_changed: SegmentChanged,
    EventType.customer_at_risk: CustomerAtRisk,
    EventType.customer_recovered: CustomerRecovered,
}


_ITEMS = {kind: TypeAdapter(list[model]) for kind, model in PAYLOADS.items()}


def check_payloads(event_type: EventType, items: list[dict[str, Any]]) -> None:
    """Raise TypeError unless `event_type` is an `EventType` member, and pydantic's
    ValidationError (a ValueError) naming the field unless every item fits its payload model."""
    if not isinstance(event_type, EventType):
        raise TypeError(f"Event types are EventType members, not {event_type!r}")
    _ITEMS[event_type].validate_python(items)
