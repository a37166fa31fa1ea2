"""Calls from the gateway's own endpoints to the services, on behalf of a principal."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import Request

from guanxi_shared.auth import Principal
from guanxi_shared.observability import request_id_var


@dataclass
class Answer:
    """A service's answer; `status` 0 when it could not be reached in time."""

    service: str
    status: int
    body: Any = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


async def call(request: Request, principal: Principal, service: str, method: str, path: str,
               *, timeout: float | None = None, **kwargs: Any) -> Answer:
    state = request.app.state
    base = state.settings.service_urls()[service]
    headers = {"authorization": f"Bearer {state.authenticator.internal_token(principal)}",
               "x-request-id": request_id_var.get(), **kwargs.pop("headers", {})}
    try:
        resp = await state.upstream.request(method, f"{base}{path}", headers=headers,
                                            timeout=timeout or httpx.USE_CLIENT_DEFAULT,
                                            **kwargs)
    except httpx.HTTPError:
        return Answer(service, 0)
    try:
        body = resp.json()
    except ValueError:
        body = None
    return Answer(service, resp.status_code, body)
