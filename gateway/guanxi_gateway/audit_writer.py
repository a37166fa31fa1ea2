"""Buffers audit records and writes them in batches from a background thread (executemany)."""
from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from fastapi import Request
from sqlalchemy.orm import sessionmaker

from guanxi_shared.auth import Principal
from guanxi_shared.db import bulk_insert
from guanxi_shared.models import new_id, utcnow
from guanxi_shared.observability import request_id_var

from .background import run_every
from .protection import request_ip
from .store.tables import AuditRecord

log = logging.getLogger("guanxi.gateway.audit")


class AuditWriter:
    def __init__(self, *, interval: float):
        self.interval = interval
        self.sessions: sessionmaker | None = None
        self._queue: deque[dict[str, Any]] = deque()
        self._wake = threading.Event()

    def record(self, **fields: Any) -> None:
        """Called on the request path: only an append, never I/O."""
        self._queue.append({"id": new_id(), "at": utcnow(), **fields})

    def request(self, request: Request, principal: Principal, *, action: str,
                customer_id: str | None, status: int) -> None:
        self.record(actor=principal.sub, role=principal.role.value,
                    ip=request_ip(request.scope), action=action,
                    method=request.method, path=request.url.path[:500], customer_id=customer_id,
                    status=status, request_id=request_id_var.get())

    def flush(self) -> int:
        rows = []
        while self._queue:
            rows.append(self._queue.popleft())
        if rows:
            # Driver-level executemany: SQLAlchemy's per-row work held the GIL, and so the
            # event loop serving requests, for milliseconds at every flush.
            batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in rows:
                batches.setdefault(tuple(row), []).append(row)
            with self.sessions() as session:
                for batch in batches.values():
                    bulk_insert(session, AuditRecord.__table__, batch)
                session.commit()
        return len(rows)

    def start(self, sessions: sessionmaker):
        self.sessions = sessions
        stop_rounds = run_every(self.interval, self.flush, name="audit-writer", log=log,
                                failure="audit flush failed; the records are lost")

        def stop() -> None:
            stop_rounds()
            self.flush()
        return stop
