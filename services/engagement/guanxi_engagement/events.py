"""Events engagement consumes to keep its read model current (docs/events.md)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session

from guanxi_shared import reasons
from guanxi_shared.db import upsert
from guanxi_shared.event_types import EventType
from guanxi_shared.events import Event, EventHandler
from guanxi_shared.models import utcnow

from .store import flows
from .store.event_tables import EventInvitation
from .store.flow_tables import FlowMark
from .store.privacy import erase_customer
from .store.tables import (
    ContactRef,
    CustomerRef,
    Message,
    Occasion,
    OpenNeed,
    PurchaseFact,
    Reason,
    Task,
    Visit,
)
from .store.templates import save_product


def customer_row(data: dict[str, Any]) -> dict[str, Any]:
    founded = data.get("founded_on")
    founded = str(founded) if founded else None
    return {"id": data["id"], "name": data.get("name") or "", "status": data.get("status")
            or "active", "owner_id": data.get("owner_id"), "team_id": data.get("team_id"),
            "region": data.get("region"), "founded_on": founded,
            "founded_month": int(founded[5:7]) if founded else None,
            "founded_day": int(founded[8:10]) if founded else None,
            "groups": data.get("groups") or [], "tags": data.get("tags") or [],
            "updated_at": utcnow()}


def contact_row(data: dict[str, Any]) -> dict[str, Any]:
    birthday = str(data["birthday"]) if data.get("birthday") else None
    phones = data.get("phones") or []
    return {"id": data["id"], "customer_id": data["customer_id"], "name": data.get("name") or "",
            "birthday_calendar": data.get("birthday_calendar"), "birthday": birthday,
            "birth_month": int(birthday[5:7]) if birthday else None,
            "birth_day": int(birthday[8:10]) if birthday else None,
            "lunar_birthday_month": data.get("lunar_birthday_month"),
            "lunar_birthday_day": data.get("lunar_birthday_day"),
            "lunar_birthday_leap": bool(data.get("lunar_birthday_leap")),
            "email": data.get("email"),
            "phone": data.get("primary_phone") or (phones[0]["number"] if phones else None),
            "wechat": data.get("wechat"), "role": data.get("role"),
            "language": data.get("language") or "zh", "timezone": data.get("timezone"),
            "cares_about": [*(data.get("cares_about_people") or []),
                            *(data.get("cares_about_things") or []),
                            *(data.get("hobbies") or [])],
            "left_on": data.get("left_on"), "native_place": data.get("native_place"),
            "ethnicity": data.get("ethnicity"), "hobbies": data.get("hobbies") or [],
            "updated_at": utcnow()}


def purchase_row(data: dict[str, Any]) -> dict[str, Any]:
    return {"id": data["id"], "customer_id": data["customer_id"],
            "purchased_on": str(data["purchased_on"]), "amount": str(data["amount"]),
            "currency": data.get("currency") or "CNY",
            "referrer_customer_id": data.get("referrer_customer_id"), "updated_at": utcnow()}


def _typed(model, row: dict[str, Any]) -> dict[str, Any]:
    """Validate through the table model so dates and decimals arrive typed on both backends."""
    typed = model.model_validate(row)
    return {key: getattr(typed, key) for key in row}


def save(session: Session, model, rows: list[dict[str, Any]]) -> None:
    upsert(session, model.__table__, [_typed(model, r) for r in rows], key=["id"])


def on_customer(session: Session, event: Event) -> None:
    save(session, CustomerRef, [customer_row(event.data)])


def on_contact(session: Session, event: Event) -> None:
    save(session, ContactRef, [contact_row(event.data)])
    flows.on_contact_left(session, event.data)


def on_purchase(session: Session, event: Event) -> None:
    save(session, PurchaseFact, [purchase_row(event.data)])
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


def on_customer_merged(session: Session, event: Event) -> None:
    old, new = event.data["merged_id"], event.data["into_id"]
    for model in (ContactRef, PurchaseFact, OpenNeed, Task, Message, Visit, Occasion, FlowMark,
                  EventInvitation):
        session.execute(update(model).where(model.customer_id == old).values(customer_id=new))
    session.execute(delete(CustomerRef).where(CustomerRef.id == old))
    flows.merge_customer(session, old=old, new=new)


def on_customer_erased(session: Session, event: Event) -> None:
    erase_customer(session=session, customer_id=event.data["customer_id"])


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
    EventType.customer_created: on_customer,
    EventType.customer_updated: on_customer,
    EventType.customer_merged: on_customer_merged,
    EventType.customer_erased: on_customer_erased,
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
