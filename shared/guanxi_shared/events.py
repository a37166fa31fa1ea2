"""Transactional outbox, its dispatcher, and the idempotent consumer endpoint.

A write calls `publish(session=..., event_type=..., data=...)` before committing: the event is
stored in the same transaction, one outbox row per subscriber. The dispatcher thread posts
pending rows, oldest first, in batches to `<subscriber>/v1/events`; a row is marked delivered
only after a 2xx, so a subscriber that is down receives its backlog when it returns (at least
once). Consumers record every event id they applied, in the same transaction as its effect,
so a redelivery changes nothing (exactly-once effect).
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Column, Index, delete, select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Field, Session, SQLModel

from .auth import Role, require_roles, service_token
from .models import UTCDateTime, new_id, utcnow
from .observability import request_id_var

log = logging.getLogger("guanxi.events")
DEAD_LETTER_AFTER_ATTEMPTS = 10
BATCH_PREFIX = "batch:"


class OutboxEvent(SQLModel, table=True):
    """An event as written by the transaction that caused it; stored once."""

    __tablename__ = "outbox_event"

    event_id: str = Field(primary_key=True, max_length=32)
    event_type: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class OutboxDelivery(SQLModel, table=True):
    """One event owed to one subscriber; delivered_at is set after the subscriber's 2xx."""

    __tablename__ = "outbox_delivery"
    __table_args__ = (Index("ix_outbox_delivery_pending", "subscriber", "delivered_at", "seq"),)

    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(foreign_key="outbox_event.event_id", max_length=32, index=True)
    subscriber: str = Field(max_length=64)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=32)
    event_type: str = Field(max_length=64)
    status: str = Field(default="applied", max_length=16)  # applied | failed (dead letter)
    error: str | None = Field(default=None, max_length=1000)
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Event(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    type: str
    source: str
    occurred_at: datetime
    data: dict[str, Any]
    attempt: int = 1


class EventBatch(BaseModel):
    events: list[Event]


class EventBatchResult(BaseModel):
    applied: int
    duplicates: int
    ignored: int
    dead_lettered: int


def publish(*, session: Session, event_type: str, data: dict[str, Any],
            source: str | None = None) -> str:
    """Queue one event in the caller's transaction; returns its id."""
    return publish_many(session=session, event_type=event_type, items=[data], source=source)[0]


def publish_many(*, session: Session, event_type: str, items: list[dict[str, Any]],
                 source: str | None = None, batch_size: int | None = None) -> list[str]:
    """Queue one event per item, or with `batch_size` one `batch:<type>` event per chunk.

    A batch event carries `{"items": [...]}`; consumers never see the difference because
    `apply_events` hands each item to the handler of `<type>` (bulk imports use it so that
    100,000 rows do not become 100,000 outbox rows per subscriber).
    """
    subscribers = session.info.get("subscribers", {})
    if batch_size:
        chunks = [items[i:i + batch_size] for i in range(0, len(items), batch_size)]
        event_type, items = f"{BATCH_PREFIX}{event_type}", [{"items": c} for c in chunks]
    now = utcnow()
    ids = [new_id() for _ in items]
    if not subscribers or not items:
        return ids
    occurred = now.isoformat()
    session.execute(OutboxEvent.__table__.insert(), [  # type: ignore[attr-defined]
        {"event_id": eid, "event_type": event_type, "created_at": now,
         "payload": {"id": eid, "type": event_type, "source": source or "",
                     "occurred_at": occurred, "data": data}}
        for eid, data in zip(ids, items, strict=True)])
    session.execute(OutboxDelivery.__table__.insert(), [  # type: ignore[attr-defined]
        {"event_id": eid, "subscriber": name, "attempts": 0}
        for eid in ids for name in subscribers])
    return ids


class Dispatcher(threading.Thread):
    """Delivers outbox rows to each subscriber in order, with backoff while it is down."""

    def __init__(self, *, sessions: sessionmaker, subscribers: dict[str, str], service: str,
                 secret: str, interval: float, batch_size: int, timeout: float,
                 max_backoff: float = 30.0):
        super().__init__(name=f"{service}-dispatcher", daemon=True)
        self.sessions, self.subscribers, self.service = sessions, subscribers, service
        self.secret, self.interval, self.batch_size = secret, interval, batch_size
        self.max_backoff = max_backoff
        self.client = httpx.Client(timeout=timeout)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, float] = {}

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        last_prune = 0.0
        while not self._stop.is_set():
            busy = False
            for name, url in self.subscribers.items():
                if time.monotonic() < self._retry_at.get(name, 0):
                    continue
                try:
                    busy |= self.deliver_batch(name, url) == self.batch_size
                except Exception:
                    log.exception("dispatcher error", extra={"subscriber": name})
            if time.monotonic() - last_prune > 3600:
                self._prune()
                last_prune = time.monotonic()
            if not busy:
                self._wake.wait(self.interval)
                self._wake.clear()
        self.client.close()

    def deliver_batch(self, name: str, url: str) -> int:
        """Send one batch to one subscriber; returns how many events it carried."""
        with self.sessions() as session, session.begin():
            stmt = (select(OutboxDelivery.seq, OutboxEvent.payload, OutboxDelivery.attempts)
                    .join(OutboxEvent, OutboxEvent.event_id == OutboxDelivery.event_id)
                    .where(OutboxDelivery.subscriber == name,
                           OutboxDelivery.delivered_at.is_(None))
                    .order_by(OutboxDelivery.seq).limit(self.batch_size))
            if session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(of=OutboxDelivery, skip_locked=True)
            rows = session.execute(stmt).all()
            if not rows:
                return 0
            seqs = [r.seq for r in rows]
            events = [{**r.payload, "attempt": r.attempts + 1} for r in rows]
            error = self._post(url, events)
            if error is None:
                session.execute(update(OutboxDelivery).where(OutboxDelivery.seq.in_(seqs))
                                .values(delivered_at=utcnow(),
                                        attempts=OutboxDelivery.attempts + 1))
                self._failures.pop(name, None)
                self._retry_at.pop(name, None)
            else:
                session.execute(update(OutboxDelivery).where(OutboxDelivery.seq.in_(seqs))
                                .values(attempts=OutboxDelivery.attempts + 1,
                                        last_error=error[:500]))
                failures = self._failures[name] = self._failures.get(name, 0) + 1
                delay = min(self.max_backoff, 0.25 * 2 ** failures) * random.uniform(0.8, 1.2)
                self._retry_at[name] = time.monotonic() + delay
                log.warning("delivery failed, will retry", extra={
                    "subscriber": name, "events": len(rows), "retry_in_s": round(delay, 2),
                    "error": error})
            return len(rows)

    def _post(self, url: str, events: list[dict[str, Any]]) -> str | None:
        headers = {"authorization": f"Bearer {service_token(self.service, self.secret)}",
                   "x-request-id": request_id_var.get() or new_id()}
        try:
            resp = self.client.post(f"{url}/v1/events", json={"events": events}, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        return None if resp.is_success else f"HTTP {resp.status_code}: {resp.text[:200]}"

    def _prune(self) -> None:
        """Forget events older than a week that every subscriber has received."""
        cutoff = utcnow() - timedelta(days=7)
        pending = select(OutboxDelivery.event_id).where(OutboxDelivery.delivered_at.is_(None))
        with self.sessions() as session, session.begin():
            old = select(OutboxEvent.event_id).where(OutboxEvent.created_at < cutoff,
                                                     OutboxEvent.event_id.not_in(pending))
            session.execute(delete(OutboxDelivery).where(OutboxDelivery.event_id.in_(old)))
            session.execute(delete(OutboxEvent).where(OutboxEvent.created_at < cutoff,
                                                      OutboxEvent.event_id.not_in(pending)))


EventHandler = Callable[[Session, Event], None]


def _each_item(handler: EventHandler) -> EventHandler:
    def apply_batch(session: Session, event: Event) -> None:
        for item in event.data["items"]:
            handler(session, event.model_copy(update={"data": item}))

    return apply_batch


def events_router(handlers: dict[str, EventHandler]) -> APIRouter:
    """POST /v1/events for a consumer; events of other types are acknowledged and ignored."""
    # Service to service only: not part of any public API document.
    router = APIRouter(tags=["events"], include_in_schema=False)

    @router.post("/v1/events", response_model=EventBatchResult,
                 dependencies=[Depends(require_roles(Role.service, Role.admin))])
    def receive_events(batch: EventBatch, request: Request) -> EventBatchResult:
        return apply_events(request.app.state.sessions, batch.events, handlers)

    return router


def apply_events(sessions: sessionmaker, events: list[Event],
                 handlers: dict[str, EventHandler]) -> EventBatchResult:
    result = EventBatchResult(applied=0, duplicates=0, ignored=0, dead_lettered=0)
    with sessions() as session, session.begin():
        ids = [e.id for e in events]
        seen = set(session.scalars(select(ProcessedEvent.event_id)
                                   .where(ProcessedEvent.event_id.in_(ids))))
        for event in events:
            if event.id in seen:
                result.duplicates += 1
                continue
            seen.add(event.id)
            handler = handlers.get(event.type.removeprefix(BATCH_PREFIX))
            if handler is not None and event.type.startswith(BATCH_PREFIX):
                handler = _each_item(handler)
            if handler is None:
                result.ignored += 1
                session.add(ProcessedEvent(event_id=event.id, event_type=event.type,
                                           status="ignored"))
                continue
            try:
                with session.begin_nested():
                    handler(session, event)
            except Exception as exc:
                if event.attempt < DEAD_LETTER_AFTER_ATTEMPTS:
                    raise  # the whole batch is retried by the publisher
                log.exception("event dead-lettered", extra={"event_id": event.id})
                session.add(ProcessedEvent(event_id=event.id, event_type=event.type,
                                           status="failed", error=repr(exc)[:1000]))
                result.dead_lettered += 1
                continue
            session.add(ProcessedEvent(event_id=event.id, event_type=event.type))
            result.applied += 1
    return result
