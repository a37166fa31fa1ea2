"""/api/v1/<service>/...: forwards to the service's /v1/..., streaming both ways.

Nearly every call through the gateway takes this path, so it is kept lean (issue 7: at most
2 ms added): the route for the known services is tried before the gateway's own routes, which
it cannot shadow since none of them lives under a service's name; the handler reads its path
and credential itself rather than through FastAPI's parameter machinery; and the request goes
straight to httpcore's connection pool, built from each service's address parsed once at
start, with the caller's headers as they came (httpx's URL parsing, header models and client
layers were a fifth of the gateway's Python time per request, with nothing to do on a proxy).
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import httpcore
import httpx
from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from starlette.routing import Match
from starlette.types import Scope

from guanxi_shared.auth import Principal, Role, current_principal
from guanxi_shared.errors import (
    BadGateway,
    Forbidden,
    GatewayTimeout,
    MethodNotAllowed,
    NotFound,
    allowed_methods,
)
from guanxi_shared.observability import request_id_var

from ..domain.audit import audit_action, customer_in
from ..protection import request_ip
from ..settings import SERVICES

log = logging.getLogger("guanxi.gateway.proxy")
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization",
              b"te", b"trailers", b"transfer-encoding", b"upgrade", b"host", b"authorization",
              b"content-length", b"x-request-id", b"x-forwarded-for"}
OWN_HEADERS = {b"date", b"server"}  # the gateway's response carries its own
NOT_PASSED_ON = HOP_BY_HOP | OWN_HEADERS
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
READS = ("GET", "HEAD", "OPTIONS")
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})  # RFC 9110 9.2.2
# How a kept-alive connection that the service closed shows itself: the service hung up
# before answering ("Server disconnected without sending a response."), or the socket
# failed under the read or the write.
CLOSED_CONNECTION = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)
BUFFER_BYTES = 256 * 1024
PATH_SAFE = "/:@!$&'()*+,;=~"
PROXY_PATH = "/api/v1/{service}/{path:path}"
SERVICE_PREFIXES = tuple(f"/api/v1/{name}/" for name in SERVICES)


@dataclass(frozen=True)
class Origin:
    """A service's base URL, parsed once: the proxy's requests are built from its parts."""

    scheme: bytes
    host: bytes
    port: int | None
    prefix: bytes  # a base URL's own path, e.g. /registry behind an ingress
    host_header: bytes

    @classmethod
    def parse(cls, base_url: str) -> Origin:
        url = httpx.URL(base_url)
        return cls(url.raw_scheme, url.raw_host, url.port, url.raw_path.rstrip(b"/"), url.netloc)

    def url(self, target: bytes) -> httpcore.URL:
        return httpcore.URL(scheme=self.scheme, host=self.host, port=self.port,
                            target=self.prefix + target)


class KnownServiceRoute(APIRoute):
    """The proxy's route for the known services only, so that it can be tried first."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not scope.get("path", "").startswith(SERVICE_PREFIXES):
            return Match.NONE, {}
        return super().matches(scope)


router = APIRouter(route_class=KnownServiceRoute)  # included before every other router
unknown_router = APIRouter()  # the same path for any other name (a 404), included last


class Replayable:
    """The caller's body on its way to the service. The chunks that went out are kept (up to
    BUFFER_BYTES), so that a retry can send them again and then the rest."""

    __slots__ = ("kept", "size", "stream")

    def __init__(self, stream: AsyncIterator[bytes]):
        self.stream, self.kept, self.size = stream, [], 0

    @property
    def replayable(self) -> bool:
        return self.size <= BUFFER_BYTES

    async def first(self) -> AsyncIterator[bytes]:
        async for chunk in self.stream:
            self.size += len(chunk)
            if self.replayable:
                self.kept.append(chunk)
            yield chunk

    async def again(self) -> AsyncIterator[bytes]:
        for chunk in self.kept:
            yield chunk
        async for chunk in self.stream:
            yield chunk


class Attempt:
    """What httpcore's trace tells of one try: whether it opened a new connection and whether
    the request's head was written to the connection."""

    __slots__ = ("connected", "sent")

    def __init__(self) -> None:
        self.connected = self.sent = False

    async def trace(self, event: str, _info: dict) -> None:
        if event == "connection.connect_tcp.complete":
            self.connected = True
        elif event == "http11.send_request_headers.complete":
            self.sent = True

    def may_retry(self, method: str, body: Replayable | None) -> bool:
        """Once, and only when safe: the connection was a pooled one (a new one failing means
        the service is down), and either the request never went out, or it may be repeated
        (an idempotent method) and its body, if any, can be sent again."""
        if self.connected or (body is not None and not body.replayable):
            return False
        return not self.sent or method in IDEMPOTENT


def check_access(principal: Principal, service: str, method: str) -> None:
    """Scopes for API keys (`<service>:read|write`) and the analyst's read-only rule."""
    reading = method in READS
    scope = f"{service}:{'read' if reading else 'write'}"
    if principal.role == Role.integration and not principal.has_scope(scope):
        raise Forbidden(f"This API key lacks the '{scope}' scope")
    if not reading and not principal.can_write:
        raise Forbidden("This role may read but not change data")


def upstream_headers(request: Request, *, host: bytes, token: str,
                     has_body: bool) -> list[tuple[bytes, bytes]]:
    """The caller's headers less the hop-by-hop ones, the body's framing (its length as the
    caller gave it, else chunked), the service's Host, the principal's internal token, the
    request id and the caller's address."""
    kept, framing = [], [(b"transfer-encoding", b"chunked")] if has_body else []
    for name, value in request.scope["headers"]:
        if name not in HOP_BY_HOP:
            kept.append((name, value))
        elif name == b"content-length" and has_body:
            framing = [(name, value)]
    ip = request_ip(request.scope)  # the caller's X-Forwarded-For is replaced by it
    return [*kept, *framing, (b"host", host), (b"authorization", f"Bearer {token}".encode()),
            (b"x-request-id", request_id_var.get().encode("latin-1")),
            (b"x-forwarded-for", ip.encode("latin-1"))]


def downstream_headers(response: httpcore.Response, service: str) -> list[tuple[bytes, bytes]]:
    """The service's headers for the caller; a header sent twice (Set-Cookie, Link) stays two,
    and a redirect to the service's own path points at the gateway's."""
    out = []
    for name, value in response.headers:
        name = name.lower()
        if name in NOT_PASSED_ON:
            continue
        if name == b"location" and value.startswith(b"/v1/"):  # e.g. a merged customer's 308
            value = f"/api/v1/{service}/".encode() + value.removeprefix(b"/v1/")
        out.append((name, value))
    return out


def content_length(response: httpcore.Response) -> int | None:
    for name, value in response.headers:
        if name.lower() == b"content-length" and value.isdigit():
            return int(value)
    return None


async def forward(request: Request) -> Response:
    principal = await current_principal(request)  # before anything else: no credential, 401
    state = request.app.state
    service, path = request.path_params["service"], request.path_params["path"]
    origin: Origin | None = state.service_origins.get(service)
    if origin is None:
        if allowed := allowed_methods(request, skip=(router, unknown_router)):  # a gateway path, other method
            raise MethodNotAllowed(f"{request.method} is not allowed here; allowed: "
                                   f"{', '.join(allowed)}", headers={"Allow": ", ".join(allowed)})
        raise NotFound(f"No service named '{service}'")
    check_access(principal, service, request.method)
    has_body = request.method in ("POST", "PUT", "PATCH", "DELETE")
    # the path arrives decoded; quoting it again keeps ids with odd characters a 404
    target = f"/v1/{quote(path, safe=PATH_SAFE)}".encode("ascii")
    query = request.scope["query_string"]  # as sent: repeated keys (?tag=a&tag=b) kept
    url = origin.url(target + b"?" + query if query else target)
    headers = upstream_headers(request, host=origin.host_header, has_body=has_body,
                               token=state.authenticator.internal_token(principal))
    body = Replayable(request.stream()) if has_body else None
    attempt = Attempt()
    try:
        try:
            response = await state.proxy_pool.handle_async_request(httpcore.Request(
                request.method, url, headers=headers, content=body and body.first(),
                extensions={"timeout": state.proxy_timeouts, "trace": attempt.trace}))
        except CLOSED_CONNECTION as exc:
            if not attempt.may_retry(request.method, body):
                raise
            log.info("retrying on a fresh connection", extra={"service": service,
                                                             "error": repr(exc)})
            response = await state.proxy_fresh_pool.handle_async_request(httpcore.Request(
                request.method, url, headers=headers, content=body and body.again(),
                extensions={"timeout": state.proxy_timeouts}))
    except httpcore.TimeoutException as exc:
        raise GatewayTimeout(f"The {service} service did not answer in time") from exc
    except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
        raise BadGateway(f"The {service} service is unavailable") from exc
    action = audit_action(request.method, f"{service}/{path}")
    if action is not None:
        state.audit.request(request, principal, action=action,
                            customer_id=customer_in(path, request.query_params),
                            status=response.status)
    length = content_length(response)
    if length is not None and length <= BUFFER_BYTES:
        # small answers (most of them) are cheaper to pass on whole than to stream; raw bytes
        # either way, as the service's Content-Encoding is passed on with them
        try:
            body = b"".join([chunk async for chunk in response.aiter_stream()])
        finally:
            await response.aclose()
        out: Response = Response(body, status_code=response.status)
    else:
        out = StreamingResponse(response.aiter_stream(), status_code=response.status,
                                background=BackgroundTask(response.aclose))
    out.raw_headers += downstream_headers(response, service)  # content-length: the body's own
    return out


for _router in (router, unknown_router):
    _router.add_api_route(PROXY_PATH, forward, methods=METHODS, include_in_schema=False)
