"""Events the registry consumes: a won opportunity (needs) becomes a purchase, exactly once."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from guanxi_shared.event_types import EventType
from guanxi_shared.events import Event, EventHandler, publish
from guanxi_shared.models import new_id, utcnow

from .store.purchases import event_data, referrers_of
from .store.tables import Customer, Purchase


def on_opportunity_won(session: Session, event: Event) -> None:
    won = event.data
    ref = f"opportunity:{won['id']}"
    if session.scalar(select(Purchase.id).where(Purchase.external_ref == ref)):
        return
    customer = session.get(Customer, won["customer_id"])
    while customer is not None and customer.merged_into_id:
        customer = session.get(Customer, customer.merged_into_id)
    if customer is None:
        raise LookupError(f"opportunity {won['id']} names unknown customer {won['customer_id']}")
    now = utcnow()
    row = {"id": new_id(), "customer_id": customer.id,
           "purchased_on": date.fromisoformat(won["won_on"]),
           "amount": Decimal(str(won["amount"])), "currency": won.get("currency", "CNY"),
           "channel": "opportunity", "external_ref": ref,
           "lines": [{"product": won.get("title") or "opportunity", "quantity": "1",
                      "unit_price": str(won["amount"])}],
           "created_at": now, "updated_at": now, "version": 1}
    session.execute(Purchase.__table__.insert(), [row])
    referrer = referrers_of(session, {row["customer_id"]}).get(row["customer_id"])
    publish(session=session, event_type=EventType.purchase_recorded,
            data={**event_data(session.get(Purchase, row["id"])),
                  "referrer_customer_id": referrer}, source="registry")


HANDLERS: dict[EventType, EventHandler] = {EventType.opportunity_won: on_opportunity_won}
