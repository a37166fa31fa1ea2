"""Events engagement consumes to keep its read model current (docs/events.md)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, update
from sqlmodel import Session

from guanxi_shared import reasons
from guanxi_shared.event_types import EventType
from guanxi_shared.events import Event, EventHandler
from guanxi_shared.models import utcnow

from .store import flows
from .store.event_tables import EventInvitation
from .store.read_model import customers, save, save_contacts, save_purchases
from .store.tables import (
    ContactRef,
    CustomerRef,
    Message,
    Occasion,
    OpenNeed,
    Reason,
)
from .store.templates import save_product


def on_contact(session: Session, event: Event) -> None:
    save_contacts(session, [event.data])
    flows.on_contact_left(session, event.data)


def on_purchase(session: Session, event: Event) -> None:
    save_purchases(session, [event.data])
    flows.thank_purchase(session, event.data)


def on_referral(session: Session, event: Event) -> None:
    flows.record_referral(session, event.data)


def on_segment(session: Session, event: Event) -> None:
    session.execute(update(CustomerRef).where(CustomerRef.id == event.data["customer_id"])
                    .values(segment=event.data.get("segment"), tier=event.data.get("tier")))
    flows.on_segment_changed(session, event.data)


def on_need_created(session: Session, event: Event) -> None:
    if event.data.get("customer_id") and event.data.get("status", "open") not in ("done",
                                                                                 "rejected"):
        save(session, OpenNeed, [{"id": event.data["id"],
                                  "customer_id": event.data["customer_id"],
                                  "title": (event.data.get("title") or "")[:300],
                                  "updated_at": utcnow()}])


def on_need_decided(session: Session, event: Event) -> None:
    session.execute(delete(OpenNeed).where(OpenNeed.id == event.data["id"]))


def on_contact_erased(session: Session, event: Event) -> None:
    cid = event.data["contact_id"]
    session.execute(delete(Message).where(Message.contact_id == cid))
    session.execute(delete(Occasion).where(Occasion.contact_id == cid))
    session.execute(delete(EventInvitation).where(EventInvitation.contact_id == cid))
    session.execute(delete(ContactRef).where(ContactRef.id == cid))


def on_at_risk(session: Session, event: Event) -> None:
    data = event.data
    since = data.get("since")
    flows.at_risk(session, customer_id=data["customer_id"], reasons=list(data.get("reasons")
                                                                         or []),
                  since=date.fromisoformat(since) if since else None, source="retention",
                  owner_id=data.get("owner_id"))


def on_recovered(session: Session, event: Event) -> None:
    flows.recovered(session, customer_id=event.data["customer_id"], source="retention")


def on_opportunity_won(session: Session, event: Event) -> None:
    flows.on_opportunity_closed(session, event.data, "won")


def on_opportunity_lost(session: Session, event: Event) -> None:
    flows.on_opportunity_closed(session, event.data, "lost")


def on_opportunity_qualified(session: Session, event: Event) -> None:
    flows.on_qualified(session, event.data)


def on_satisfaction_scored(session: Session, event: Event) -> None:
    flows.on_satisfaction(session, event.data)


def on_complaint_progress(session: Session, event: Event) -> None:
    flows.on_complaint_progress(session, event.data)


def on_expectation_reached(session: Session, event: Event) -> None:
    flows.on_goal_reached(session, event.data)


def on_product(session: Session, event: Event) -> None:
    save_product(session, event.data)


def on_reasons(session: Session, event: Event) -> None:
    reasons.apply_list(session, Reason, event.data)


HANDLERS: dict[EventType, EventHandler] = {
    EventType.reasons_changed: on_reasons,
    **customers.handlers,
    EventType.contact_changed: on_contact,
    EventType.contact_erased: on_contact_erased,
    EventType.purchase_recorded: on_purchase,
    EventType.referral_recorded: on_referral,
    EventType.segment_changed: on_segment,
    EventType.need_created: on_need_created,
    EventType.need_decided: on_need_decided,
    EventType.customer_at_risk: on_at_risk,
    EventType.customer_recovered: on_recovered,
    EventType.opportunity_won: on_opportunity_won,
    EventType.opportunity_lost: on_opportunity_lost,
    EventType.opportunity_qualified: on_opportunity_qualified,
    EventType.satisfaction_scored: on_satisfaction_scored,
    EventType.complaint_progress: on_complaint_progress,
    EventType.expectation_reached: on_expectation_reached,
    EventType.product_changed: on_product,
}
