"""Events needs consumes: registry customers and contacts, merges, erasures, segments."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlmodel import Session

from guanxi_shared.event_types import EventType
from guanxi_shared.events import Event, EventHandler

from .domain.balance import TOUCH_KINDS, BalanceKind
from .store import balance
from .store.experience import schedule_for_purchase
from .store.read_model import customers, upsert_contacts
from .store.selling import products_named, record_purchase
from .store.tables import ContactRef, CustomerRef


def on_purchase(session: Session, event: Event) -> None:
    """Keep the lines, and schedule the care steps of the products' experience maps."""
    record_purchase(session, event.data)
    schedule_for_purchase(session, event.data, products_named(session, event.data))


def on_touch(session: Session, event: Event) -> None:
    """A care action engagement recorded (delivered greeting, visit, gift ...) deposits once:
    the key is the touch's own source, so a touch published twice counts once."""
    touch = event.data
    kind = TOUCH_KINDS.get(touch.get("kind", ""))
    if kind is None:
        return
    at = datetime.fromisoformat(touch["at"])
    key = (f"complaint-resolved:{touch['source_id']}" if kind == BalanceKind.complaint_resolved
           else f"touch:{touch['kind']}:{touch['source_id']}")
    balance.record(session, customer_id=touch["customer_id"], kind=kind, source_key=key,
                   occurred_at=at if at.tzinfo else at.replace(tzinfo=UTC),
                   note=f"{touch['kind']} {touch['source_id']}")


def on_contact(session: Session, event: Event) -> None:
    upsert_contacts(session, [event.data])


def on_contact_erased(session: Session, event: Event) -> None:
    session.execute(delete(ContactRef).where(ContactRef.id == event.data["contact_id"]))


def on_segment(session: Session, event: Event) -> None:
    session.execute(update(CustomerRef).where(CustomerRef.id == event.data["customer_id"])
                    .values(segment=event.data.get("segment")))


HANDLERS: dict[EventType, EventHandler] = {
    **customers.handlers,
    EventType.contact_changed: on_contact,
    EventType.contact_erased: on_contact_erased,
    EventType.segment_changed: on_segment,
    EventType.purchase_recorded: on_purchase,
    EventType.touch_recorded: on_touch,
}
