"""Registry events needs consumes to keep its read model current."""
from __future__ import annotations

from sqlmodel import Session

from guanxi_shared.events import Event, EventHandler

from .store.tables import CustomerRef


def on_customer(session: Session, event: Event) -> None:
    session.merge(CustomerRef.model_validate(event.data))


HANDLERS: dict[str, EventHandler] = {
    "customer.created": on_customer,
    "customer.updated": on_customer,
}
