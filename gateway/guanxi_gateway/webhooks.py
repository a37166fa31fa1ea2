"""Outbound webhooks: events from the services become signed deliveries, sent with retries."""
from __future__ import annotations

import logging
import threading
import time

import httpx
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from guanxi_shared.event_types import EventType
from guanxi_shared.events import Event, EventHandler

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
        self._stop = threading.Event()

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
        thread = threading.Thread(target=self._loop, name="webhook-sender", daemon=True)
        thread.start()

        def stop() -> None:
            self._stop.set()
            thread.join(timeout=10)
        return stop

    def _loop(self) -> None:
        with httpx.Client(timeout=self.settings.webhook_timeout_seconds) as client:
            while not self._stop.wait(self.settings.webhook_interval_seconds):
                try:
                    while self.send_due(client):
                        pass
                except Exception:
                    log.exception("webhook round failed; the next round retries")
