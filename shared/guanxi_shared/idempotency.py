"""Idempotency-Key on POST: the same key and body replay the first answer; another body is 409."""
from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import LargeBinary, delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from .auth import authenticate_on_loop
from .errors import GuanxiError, problem
from .models import UTCDateTime, utcnow

KEEP_FOR = timedelta(hours=24)
IN_PROGRESS_TIMEOUT = timedelta(minutes=2)
REPLAYED_HEADERS = {b"content-type", b"location", b"etag"}


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"

    principal: str = Field(primary_key=True, max_length=128)
    key: str = Field(primary_key=True, max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None  # None while the first request is still running
    response_headers: bytes | None = Field(default=None, sa_type=LargeBinary)
    response_body: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class IdempotencyMiddleware:
    def __init__(self, app, exclude_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.exclude_prefixes = exclude_prefixes

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
        if (scope["type"] != "http" or scope["method"] != "POST" or not key
                or scope["path"].startswith(self.exclude_prefixes)):
            return await self.app(scope, receive, send)
        state = scope["app"].state
        if len(key) > 255:
            return await _send_problem(scope, receive, send, 400,
                                       "Idempotency-Key must be at most 255 characters")
        try:
            auth = headers.get(b"authorization", b"").decode("latin-1").partition(" ")[2]
            principal = (await authenticate_on_loop(state, auth)).sub
        except GuanxiError:
            return await self.app(scope, receive, send)  # the route answers 401 itself

        body = await _read_body(receive)
        if body is None:
            # A truncated body must not claim the key: the client's retry sends the whole one.
            return
        digest = hashlib.sha256(scope["method"].encode() + scope["path"].encode() + b"\0" + body)
        request_hash = digest.hexdigest()
        sessions = state.sessions
        outcome = await anyio.to_thread.run_sync(_claim, sessions, principal, key, request_hash)
        if outcome == "mismatch":
            return await _send_problem(scope, receive, send, 409,
                                       "This Idempotency-Key was used with a different request")
        if outcome == "running":
            return await _send_problem(scope, receive, send, 409,
                                       "A request with this Idempotency-Key is still running")
        if isinstance(outcome, IdempotencyRecord):
            return await _replay(outcome, send)

        captured: dict[str, Any] = {"body": b""}
        finished = False

        async def capture(message):
            nonlocal finished
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
                if not message.get("more_body", False):
                    # stored before the client has the whole answer, so its next request
                    # with this key is replayed, never refused as still running
                    await anyio.to_thread.run_sync(_finish, sessions, principal, key, captured)
                    finished = True
            await send(message)

        sent = False

        async def replay_receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        try:
            await self.app(scope, replay_receive, capture)
        finally:
            if not finished:
                await anyio.to_thread.run_sync(_finish, sessions, principal, key, captured)


async def _read_body(receive) -> bytes | None:
    """The whole body, or None when the client went away before sending all of it."""
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _claim(sessions, principal: str, key: str, request_hash: str):
    now = utcnow()
    with sessions() as session:
        if random.random() < 0.01:
            session.execute(delete(IdempotencyRecord)
                            .where(IdempotencyRecord.created_at < now - KEEP_FOR))
            session.commit()
        existing = session.get(IdempotencyRecord, (principal, key))
        if existing is not None:
            stale_running = (existing.status_code is None
                             and existing.created_at < now - IN_PROGRESS_TIMEOUT)
            if existing.created_at < now - KEEP_FOR or stale_running:
                session.delete(existing)
                session.commit()
            elif existing.request_hash != request_hash:
                return "mismatch"
            elif existing.status_code is None:
                return "running"
            else:
                return existing
        session.add(IdempotencyRecord(principal=principal, key=key, request_hash=request_hash))
        try:
            session.commit()
        except IntegrityError:
            return "running"
    return "claimed"


def _finish(sessions, principal: str, key: str, captured: dict[str, Any]) -> None:
    status = captured.get("status", 500)
    with sessions() as session:
        record = session.scalars(select(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal, IdempotencyRecord.key == key)).first()
        if record is None:
            return
        if status >= 500:
            session.delete(record)  # a failure is not an answer: let the client retry
        else:
            record.status_code = status
            kept = [[k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in captured.get("headers", []) if k.lower() in REPLAYED_HEADERS]
            record.response_headers = json.dumps(kept).encode()
            record.response_body = captured["body"]
        session.commit()


async def _replay(record: IdempotencyRecord, send) -> None:
    stored = json.loads(record.response_headers or b"[]")
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": record.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": record.response_body or b""})


async def _send_problem(scope, receive, send, status: int, detail: str) -> None:
    await problem(status, detail, instance=scope["path"])(scope, receive, send)
