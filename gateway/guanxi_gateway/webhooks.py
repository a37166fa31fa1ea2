"""Outbound webhooks: events from the services become signed deliveries, sent with retries."""
from __future__ import annotations

import logging
import time

import httpx
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from guanxi_shared.event_types import EventType
from guanxi_shared.events import Event, EventHandler

from .background import run_every
from .domain.signing import SIGNATURE_HEADER, signature
from .settings import Settings
from .store import webhooks as store

log = logging.getLogger("guanxi.gateway.webhooks")

# What outside systems may subscribe to (docs/events.md).
EVENT_TYPES = tuple(EventType)


def _queue(session: Session, event: Event) -> None:
    store.queue_event(session=session, event=event)


def event_handlers() -> dict[EventType, EventHandler]:
    return dict.fromkeys(EVENT_TYPES, _queue)


class WebhookSender:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.sessions: sessionmaker | None = None

    def send_due(self, client: httpx.Client, limit: int = 100) -> int:
        s = self.settings
        with self.sessions() as session:
            due = store.due_deliveries(session=session, limit=limit)
            for delivery, url, secret in due:
                body = delivery.body.encode()
                headers = {"content-type": "application/json",
                           SIGNATURE_HEADER: signature(secret=secret, timestamp=int(time.time()),
                                                       body=body),
                           "Guanxi-Event": delivery.event_type,
                           "Guanxi-Delivery": delivery.id}
                try:
                    resp = client.post(url, content=body, headers=headers)
                    code, error = resp.status_code, None if resp.is_success else resp.text
                except httpx.HTTPError as exc:
                    code, error = None, repr(exc)
                store.record_attempt(delivery=delivery, status_code=code, error=error,
                                     max_attempts=s.webhook_max_attempts,
                                     max_backoff=s.webhook_max_backoff_seconds)
                session.add(delivery)
            session.commit()
        return len(due)

    def start(self, sessions: sessionmaker, *, run: bool):
        self.sessions = sessions
        if not run:
            return lambda: None
        client = httpx.Client(timeout=self.settings.webhook_timeout_seconds)

        def send_all_due() -> None:
            while self.send_due(client):
                pass

        stop_rounds = run_every(self.settings.webhook_interval_seconds, send_all_due,
                                name="webhook-sender", log=log, join_timeout=10,
                                failure="webhook round failed; the next round retries")

        def stop() -> None:
            stop_rounds()
            client.close()
        return stop
