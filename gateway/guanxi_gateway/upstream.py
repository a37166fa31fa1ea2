"""Calls from the gateway's own endpoints to the services, on behalf of a principal."""
from __future__ import annotations

import asyncio
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


Part = tuple[str, str, dict[str, Any]]  # (service, path, query) of one part of a view


async def gather(request: Request, principal: Principal,
                 parts: dict[str, Part]) -> tuple[dict[str, Answer], dict[str, Any], list[str]]:
    """Ask for every part at once, within the view timeout: the answers, each part's body
    (null when the service holds nothing for this caller: 403 or 404), and the parts missing
    because a service failed or did not answer in time."""
    timeout = request.app.state.settings.view_timeout_seconds
    answers: list[Answer] = await asyncio.gather(*(
        call(request, principal, service, "GET", path, timeout=timeout, params=query)
        for service, path, query in parts.values()))
    found = dict(zip(parts, answers, strict=True))
    bodies = {name: answer.body if answer.ok else None for name, answer in found.items()}
    unavailable = [name for name, answer in found.items()
                   if not answer.ok and answer.status not in (403, 404)]
    return found, bodies, unavailable
