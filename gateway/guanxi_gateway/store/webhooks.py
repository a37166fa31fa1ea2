"""Webhook subscriptions and the delivery log: queries and writes."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from guanxi_shared.db import get_or_404
from guanxi_shared.events import Event
from guanxi_shared.models import utcnow

from ..domain.signing import backoff_seconds
from .tables import WebhookDelivery, WebhookSubscription


def get_subscription(*, session: Session, subscription_id: str) -> WebhookSubscription:
    return get_or_404(session, WebhookSubscription, subscription_id, "Webhook")


def queue_event(*, session: Session, event: Event) -> int:
    """One pending delivery per active subscription that wants this event type."""
    subs = session.scalars(select(WebhookSubscription).where(WebhookSubscription.active))
    body = json.dumps({"id": event.id, "type": event.type, "source": event.source,
                       "occurred_at": event.occurred_at.isoformat(), "data": event.data},
                      separators=(",", ":"), default=str)
    rows = [{"subscription_id": s.id, "event_id": event.id, "event_type": event.type,
             "body": body} for s in subs
            if "*" in s.event_types.split() or event.type in s.event_types.split()]
    for row in rows:
        session.add(WebhookDelivery(**row))
    return len(rows)


def due_deliveries(*, session: Session, limit: int) -> list[tuple[WebhookDelivery, str, str]]:
    """(delivery, url, secret) of deliveries whose time has come."""
    rows = session.execute(
        select(WebhookDelivery, WebhookSubscription.url, WebhookSubscription.secret)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at).limit(limit))
    return [tuple(r) for r in rows]


def record_attempt(*, delivery: WebhookDelivery, status_code: int | None, error: str | None,
                   max_attempts: int, max_backoff: float) -> None:
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error[:500] if error else None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = "delivered"
        delivery.delivered_at = utcnow()
    elif delivery.attempts >= max_attempts:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = utcnow() + timedelta(
            seconds=backoff_seconds(delivery.attempts, max_backoff))


def replay(*, session: Session, delivery_id: str) -> WebhookDelivery:
    """Send the same body again (a receiver dedups on the event id)."""
    old = get_or_404(session, WebhookDelivery, delivery_id, "Delivery")
    again = WebhookDelivery(subscription_id=old.subscription_id, event_id=old.event_id,
                            event_type=old.event_type, body=old.body)
    session.add(again)
    session.commit()
    session.refresh(again)
    return again
