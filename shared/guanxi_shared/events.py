"""Transactional outbox, its dispatcher, and the idempotent consumer endpoint.

A write calls `publish(session=..., event_type=..., data=...)` before committing: the event is
stored in the same transaction, one outbox row per subscriber. The dispatcher thread posts
pending rows, oldest first, in batches to `<subscriber>/v1/events`; a row is marked delivered
only after a 2xx, so a subscriber that is down receives its backlog when it returns (at least
once). Consumers record every event id they applied, in the same transaction as its effect,
so a redelivery changes nothing (exactly-once effect).

Order per customer: every event about a customer (see `_keys`) carries that customer's next
number in this publisher's sequence (or, for the types in STREAMS, its stream's next number), `ordering: [{key, seq}]`, taken in the writer's
transaction from `event_sequence` (gap-free: a rolled-back write gives its numbers back;
concurrent writes about one customer queue on its row, so numbers follow commit order). A
consumer keeps the last number it applied per publisher and customer in `event_cursor` and
applies an event only when it is the next one: an event that arrives ahead of an earlier one
(two dispatcher replicas posting batches at once, to two consumer replicas) is refused with
409 and comes again after the earlier one. An event refused that way
GAP_SKIP_AFTER_DEFERRALS times by a consumer that answers (its predecessor can never come: a
consumer database restored from a backup, a subscriber added to a running suite) is applied
anyway, with a warning, rather than block that customer forever; outages do not count. docs/events.md says the same for consumers.
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import APIRouter, Depends, Request
from prometheus_client import Gauge
from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Column, Index, delete, func, select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Field, Session, SQLModel

from .auth import Role, require_roles, service_token
from .errors import Conflict, Invalid
from .event_types import EventType, check_payloads
from .models import UTCDateTime, new_id, utcnow
from .observability import request_id_var

log = logging.getLogger("guanxi.events")
DEAD_LETTER_AFTER_ATTEMPTS = 10
GAP_SKIP_AFTER_DEFERRALS = 20  # refusals by a consumer that answers (outages do not count)
OUT_OF_ORDER = "Out of order:"  # starts the 409's detail, so the first 200 characters hold it
BATCH_PREFIX = "batch:"
BACKLOG_EVERY_SECONDS = 10.0
OUTBOX_BACKLOG = Gauge("guanxi_outbox_backlog",
                       "Events written but not yet delivered, per subscriber",
                       ["service", "subscriber"])
OUTBOX_OLDEST = Gauge("guanxi_outbox_oldest_pending_seconds",
                      "Age of the oldest event not yet delivered, per subscriber (0: none)",
                      ["service", "subscriber"])


# Types a publisher numbers as one stream, one number per event (a batch of 500 customers
# too), not one per customer: segmentation's scores, which a full recompute publishes for most
# customers at once, where numbering each customer cost more than the scoring. One order for
# the whole stream is the order of each customer's events in it.
STREAMS = {t: "stream:scores" for t in (EventType.segment_changed, EventType.customer_at_risk,
                                        EventType.customer_recovered)}


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
    # [{key, seq}]: this event's number among the events about each customer it names
    ordering: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    deferrals: int = 0  # refused by the subscriber as ahead of an earlier event
    last_error: str | None = Field(default=None, max_length=500)


class EventSequence(SQLModel, table=True):
    """Publisher side: the last number given to events about one customer (`key`)."""

    __tablename__ = "event_sequence"

    key: str = Field(primary_key=True, max_length=64)
    last: int = 0


class EventCursor(SQLModel, table=True):
    """Consumer side: the last number applied, per publisher and customer."""

    __tablename__ = "event_cursor"

    source: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=64)
    last: int = 0


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=32)
    event_type: str = Field(max_length=64)
    status: str = Field(default="applied", max_length=16)  # applied | failed (dead letter)
    error: str | None = Field(default=None, max_length=1000)
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Position(BaseModel):
    key: str
    seq: int


class Event(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    type: str
    source: str
    occurred_at: datetime
    data: dict[str, Any]
    attempt: int = 1
    ordering: list[Position] = []
    deferred: int = 0


class EventBatch(BaseModel):
    events: list[Event]


class EventBatchResult(BaseModel):
    applied: int
    duplicates: int
    ignored: int
    dead_lettered: int


def publish(*, session: Session, event_type: EventType, data: dict[str, Any],
            source: str | None = None) -> str:
    """Queue one event in the caller's transaction; returns its id (TypeError for a type
    that is not an `EventType`, ValueError for data that does not fit its payload model)."""
    return publish_many(session=session, event_type=event_type, items=[data], source=source)[0]


def publish_many(*, session: Session, event_type: EventType,
                 items: list[dict[str, Any]], source: str | None = None,
                 batch_size: int | None = None) -> list[str]:
    """Queue one event per item, or with `batch_size` one `batch:<type>` event per chunk.

    A batch event carries `{"items": [...]}`; consumers never see the difference because
    `apply_events` hands each item to the handler of `<type>` (bulk imports use it so that
    100,000 rows do not become 100,000 outbox rows per subscriber). Every item is checked
    against the type's payload model, except in batches: there each chunk's first item is,
    as all come from one function and checking every row of a 100,000-row import would add
    about a tenth to its time (0.6 s of 6 s).
    """
    check_payloads(event_type, items[::batch_size] if batch_size else items)
    event_type = str(event_type)
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
    plain_type = event_type.removeprefix(BATCH_PREFIX)
    orderings = _number(session, [_keys(plain_type, data, batched=bool(batch_size))
                                  for data in items])
    session.execute(OutboxDelivery.__table__.insert(), [  # type: ignore[attr-defined]
        {"event_id": eid, "subscriber": name, "attempts": 0, "ordering": ordering or None}
        for eid, ordering in zip(ids, orderings, strict=True) for name in subscribers])
    return ids


def _keys(event_type: str, data: dict[str, Any], *, batched: bool) -> list[str]:
    """The customers an event is about, in the order its items name them: `customer_id`; for
    the customer's own events (`customer.*`) its `id`; for a merge both customers. A type
    ordered as a stream has the stream's one key instead, whatever it names."""
    if event_type in STREAMS:
        return [STREAMS[event_type]]
    found = []
    for item in data["items"] if batched else [data]:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("customer_id"), str):
            found.append(item["customer_id"])
        elif event_type == "customer.merged":
            found += [item[k] for k in ("merged_id", "into_id") if isinstance(item.get(k), str)]
        elif event_type.startswith("customer.") and isinstance(item.get("id"), str):
            found.append(item["id"])
    return list(dict.fromkeys(found))


def _number(session: Session, keys_per_event: list[list[str]]) -> list[list[dict[str, Any]]]:
    """Take the next numbers for each event's customers, in the writer's transaction: one
    upsert adds each customer's count and returns its new last number (rows in key order, so
    two writers never wait on each other in a cycle)."""
    counts: dict[str, int] = {}
    for keys in keys_per_event:
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        return [[] for _ in keys_per_event]
    last = dict(_add_to_sequences(session, sorted(counts.items())))
    nxt = {key: last[key] - count for key, count in counts.items()}  # before this write
    orderings = []
    for keys in keys_per_event:
        ordering = []
        for key in keys:
            nxt[key] += 1
            ordering.append({"key": key, "seq": nxt[key]})
        orderings.append(ordering)
    return orderings


def _add_to_sequences(session: Session, rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """One statement for all rows (a 100,000-customer import included): the rows go in as
    arrays (PostgreSQL) or one JSON text (SQLite), not as a VALUES list SQLAlchemy compiles."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        keys, counts = (list(column) for column in zip(*rows, strict=True))
        return conn.exec_driver_sql(
            "INSERT INTO event_sequence (key, last) "
            "SELECT * FROM unnest(%s::text[], %s::int[]) "
            "ON CONFLICT (key) DO UPDATE SET last = event_sequence.last + excluded.last "
            "RETURNING key, last", (keys, counts)).all()
    return conn.exec_driver_sql(
        "INSERT INTO event_sequence (key, last) "
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) "
        "WHERE true ON CONFLICT (key) DO UPDATE SET last = event_sequence.last + excluded.last "
        "RETURNING key, last", (json.dumps(rows),)).all()


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
        self._stopping = threading.Event()
        self._wakes = {name: threading.Event() for name in subscribers}
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, float] = {}

    def stop(self) -> None:
        self._stopping.set()
        for event in self._wakes.values():
            event.set()

    def run(self) -> None:
        """One thread per subscriber, so that one that is slow or down delays no other (and
        no writer: publishing is an insert in the writer's transaction, never a call); this
        thread measures the backlog and prunes."""
        workers = [threading.Thread(target=self._serve, args=(name, url), daemon=True,
                                    name=f"{self.service}-to-{name}")
                   for name, url in self.subscribers.items()]
        for worker in workers:
            worker.start()
        last_prune = last_backlog = 0.0
        while not self._stopping.is_set():
            if time.monotonic() - last_backlog > BACKLOG_EVERY_SECONDS:
                try:
                    self.measure_backlog()
                except Exception:
                    log.exception("outbox backlog not measured")
                last_backlog = time.monotonic()
            if time.monotonic() - last_prune > 3600:
                try:
                    self._prune()
                except Exception:
                    log.exception("outbox prune failed")
                last_prune = time.monotonic()
            self._stopping.wait(min(1.0, BACKLOG_EVERY_SECONDS))
        for worker in workers:
            worker.join(timeout=5)
        self.client.close()

    def _serve(self, name: str, url: str) -> None:
        wake = self._wakes[name]
        while not self._stopping.is_set():
            pause = self._retry_at.get(name, 0) - time.monotonic()
            if pause > 0:
                self._stopping.wait(pause)
                continue
            busy = False
            try:
                busy = self.deliver_batch(name, url) == self.batch_size
            except Exception:
                log.exception("dispatcher error", extra={"subscriber": name})
            if not busy:
                wake.wait(self.interval)
                wake.clear()

    def deliver_batch(self, name: str, url: str) -> int:
        """Send one batch to one subscriber; returns how many events it carried."""
        with self.sessions() as session, session.begin():
            stmt = (select(OutboxDelivery.seq, OutboxEvent.payload, OutboxDelivery.attempts,
                           OutboxDelivery.ordering, OutboxDelivery.deferrals)
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
            events = [{**r.payload, "attempt": r.attempts + 1, "ordering": r.ordering or [],
                       "deferred": r.deferrals} for r in rows]
            error = self._post(url, events)
            if error is None:
                session.execute(update(OutboxDelivery).where(OutboxDelivery.seq.in_(seqs))
                                .values(delivered_at=utcnow(),
                                        attempts=OutboxDelivery.attempts + 1))
                self._failures.pop(name, None)
                self._retry_at.pop(name, None)
            elif OUT_OF_ORDER in error:  # an earlier event is on its way: not a failure
                session.execute(update(OutboxDelivery).where(OutboxDelivery.seq.in_(seqs))
                                .values(deferrals=OutboxDelivery.deferrals + 1,
                                        last_error=error[:500]))
                failures = self._failures[name] = self._failures.get(name, 0) + 1
                self._retry_at[name] = time.monotonic() + min(
                    self.max_backoff, 0.1 * 2 ** failures) * random.uniform(0.8, 1.2)
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

    def measure_backlog(self) -> dict[str, tuple[int, float]]:
        """Pending events and the oldest one's age per subscriber, into the Prometheus gauges
        (one indexed count per subscriber, every BACKLOG_EVERY_SECONDS)."""
        now = utcnow()
        found = {}
        with self.sessions() as session:
            for name in self.subscribers:
                count, oldest = session.execute(
                    select(func.count(), func.min(OutboxEvent.created_at))
                    .select_from(OutboxDelivery)
                    .join(OutboxEvent, OutboxEvent.event_id == OutboxDelivery.event_id)
                    .where(OutboxDelivery.subscriber == name,
                           OutboxDelivery.delivered_at.is_(None))).one()
                age = (now - oldest).total_seconds() if oldest is not None else 0.0
                OUTBOX_BACKLOG.labels(self.service, name).set(count)
                OUTBOX_OLDEST.labels(self.service, name).set(max(0.0, age))
                found[name] = (count, age)
        return found

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


def events_router(handlers: dict[EventType, EventHandler]) -> APIRouter:
    """POST /v1/events for a consumer. Events of a known type the consumer has no handler for
    are acknowledged and ignored; a batch holding a type that is no `EventType` is refused
    with 422, so the publisher keeps it and its backlog shows it."""
    # Service to service only: not part of any public API document.
    router = APIRouter(tags=["events"], include_in_schema=False)

    @router.post("/v1/events", response_model=EventBatchResult,
                 dependencies=[Depends(require_roles(Role.service, Role.admin))])
    def receive_events(batch: EventBatch, request: Request) -> EventBatchResult:
        return apply_events(request.app.state.sessions, batch.events, handlers)

    return router


def apply_events(sessions: sessionmaker, events: list[Event],
                 handlers: dict[EventType, EventHandler]) -> EventBatchResult:
    unknown = sorted({e.type for e in events
                      if e.type.removeprefix(BATCH_PREFIX) not in EventType.__members__.values()})
    if unknown:
        raise Invalid(f"Unknown event type {', '.join(map(repr, unknown))}; known types: "
                      f"{', '.join(EventType)}")
    result = EventBatchResult(applied=0, duplicates=0, ignored=0, dead_lettered=0)
    with sessions() as session, session.begin():
        ids = [e.id for e in events]
        seen = set(session.scalars(select(ProcessedEvent.event_id)
                                   .where(ProcessedEvent.event_id.in_(ids))))
        cursors = _cursors(session, [e for e in events if e.id not in seen])
        for event in events:
            if event.id in seen:
                result.duplicates += 1
                continue
            seen.add(event.id)
            _advance(cursors, event)
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
        _store_cursors(session, cursors)
    return result


def _cursors(session: Session, events: list[Event]) -> dict[tuple[str, str], list[int]]:
    """The last applied number per (publisher, customer) these events name: [stored, now]."""
    pairs = sorted({(e.source, p.key) for e in events for p in e.ordering})
    found: dict[tuple[str, str], list[int]] = {pair: [0, 0] for pair in pairs}
    if not pairs:
        return found
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        sources, keys = (list(column) for column in zip(*pairs, strict=True))
        rows = conn.exec_driver_sql(
            "SELECT source, key, last FROM event_cursor WHERE (source, key) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[]))", (sources, keys))
    else:
        rows = conn.exec_driver_sql(
            "SELECT source, key, last FROM event_cursor WHERE (source, key) IN "
            "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
            "FROM json_each(?))", (json.dumps(pairs),))
    for source, key, last in rows:
        found[(source, key)] = [last, last]
    return found  # no row: 0, so a customer's first event must be number 1


def _advance(cursors: dict[tuple[str, str], list[int]], event: Event) -> None:
    """Move each customer's cursor to this event, or refuse when an earlier one is missing."""
    for position in event.ordering:
        cursor = cursors[(event.source, position.key)]
        if position.seq > cursor[1] + 1 and event.deferred >= GAP_SKIP_AFTER_DEFERRALS:
            log.warning("event applied past a gap in its customer's order", extra={
                "event_id": event.id, "key": position.key, "expected": cursor[1] + 1,
                "seq": position.seq})
        elif position.seq > cursor[1] + 1:
            raise Conflict(f"{OUT_OF_ORDER} event {event.id} is number {position.seq} for "
                           f"{position.key} from {event.source}, but number {cursor[1] + 1} "
                           "has not been applied yet; send it again after the earlier one",
                           headers={"Retry-After": "1"})
        cursor[1] = max(cursor[1], position.seq)  # an older number (a restored database): kept


def _store_cursors(session: Session, cursors: dict[tuple[str, str], list[int]]) -> None:
    moved = [(src, key, now) for (src, key), (stored, now) in sorted(cursors.items())
             if now != stored]
    if not moved:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        sources, keys, lasts = (list(column) for column in zip(*moved, strict=True))
        conn.exec_driver_sql(
            "INSERT INTO event_cursor (source, key, last) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::int[]) "
            "ON CONFLICT (source, key) DO UPDATE SET "
            "last = greatest(event_cursor.last, excluded.last)", (sources, keys, lasts))
        return
    conn.exec_driver_sql(
        "INSERT INTO event_cursor (source, key, last) "
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
        "json_extract(value, '$[2]') FROM json_each(?) WHERE true "
        "ON CONFLICT (source, key) DO UPDATE SET last = max(event_cursor.last, excluded.last)",
        (json.dumps(moved),))
