"""Calling another service: timeouts, retries with backoff, request id and a service credential."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx

from .auth import service_token
from .errors import BadGateway, GatewayTimeout
from .models import new_id
from .observability import request_id_var

RETRIED_METHODS = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}
RETRIED_STATUSES = {502, 503, 504}


class ServiceClient:
    """Synchronous client for one peer service (handlers run in FastAPI's threadpool)."""

    def __init__(self, *, base_url: str, caller: str, secret: str, timeout: float = 5.0,
                 retries: int = 3, backoff: float = 0.2,
                 transport: httpx.BaseTransport | None = None):
        self.caller, self.secret = caller, secret
        self.retries, self.backoff = retries, backoff
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout,
                                 transport=transport)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Retries idempotent calls, and POSTs that carry an Idempotency-Key."""
        method = method.upper()
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("x-request-id", request_id_var.get() or new_id())
        headers["authorization"] = f"Bearer {service_token(self.caller, self.secret)}"
        retriable = method in RETRIED_METHODS or "Idempotency-Key" in headers
        attempts = self.retries + 1 if retriable else 1
        for attempt in range(1, attempts + 1):
            try:
                resp = self.http.request(method, path, headers=headers, **kwargs)
            except httpx.TimeoutException as exc:
                if attempt == attempts:
                    raise GatewayTimeout(f"{self.http.base_url} did not answer in time") from exc
            except httpx.TransportError as exc:
                if attempt == attempts:
                    raise BadGateway(f"{self.http.base_url} is unreachable: {exc}") from exc
            else:
                if resp.status_code not in RETRIED_STATUSES or attempt == attempts:
                    return resp
            time.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def pages(self, path: str, page_size: int = 500) -> Iterator[list[dict[str, Any]]]:
        """Every item of a cursor-paginated list, a page at a time (resyncs read whole lists)."""
        cursor = None
        while True:
            params = {"limit": page_size} | ({"cursor": cursor} if cursor else {})
            resp = self.get(path, params=params)
            if not resp.is_success:
                raise BadGateway(f"{self.http.base_url} answered {resp.status_code} to {path}")
            body = resp.json()
            yield body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                return

    def close(self) -> None:
        self.http.close()
