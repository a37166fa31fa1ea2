"""/api/v1/<service>/...: forwards to the service's /v1/..., streaming both ways.

Nearly every call through the gateway takes this path, so it is kept lean (issue 7: at most
2 ms added): the route for the known services is tried before the gateway's own routes, which
it cannot shadow since none of them lives under a service's name; the handler reads its path
and credential itself rather than through FastAPI's parameter machinery; and the request goes
to the connection pool without the client's cookie, auth and redirect layers.
"""
from __future__ import annotations

from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from starlette.routing import Match
from starlette.types import Scope

from guanxi_shared.auth import Principal, Role, current_principal
from guanxi_shared.errors import BadGateway, Forbidden, GatewayTimeout, NotFound
from guanxi_shared.observability import request_id_var

from ..domain.audit import audit_action, customer_in
from ..settings import SERVICES

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "host", "authorization",
              "content-length", "x-request-id"}
OWN_HEADERS = {"date", "server"}  # the gateway's response carries its own
NOT_PASSED_ON = HOP_BY_HOP | OWN_HEADERS
_HOP_BY_HOP_RAW = {name.encode() for name in HOP_BY_HOP}  # ASGI header names are lower case
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
READS = ("GET", "HEAD", "OPTIONS")
BUFFER_BYTES = 256 * 1024
PATH_SAFE = "/:@!$&'()*+,;=~"
PROXY_PATH = "/api/v1/{service}/{path:path}"
SERVICE_PREFIXES = tuple(f"/api/v1/{name}/" for name in SERVICES)


class KnownServiceRoute(APIRoute):
    """The proxy's route for the known services only, so that it can be tried first."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not scope.get("path", "").startswith(SERVICE_PREFIXES):
            return Match.NONE, {}
        return super().matches(scope)


router = APIRouter(route_class=KnownServiceRoute)  # included before every other router
unknown_router = APIRouter()  # the same path for any other name (a 404), included last


def check_access(principal: Principal, service: str, method: str) -> None:
    """Scopes for API keys (`<service>:read|write`) and the analyst's read-only rule."""
    reading = method in READS
    scope = f"{service}:{'read' if reading else 'write'}"
    if principal.role == Role.integration and not principal.has_scope(scope):
        raise Forbidden(f"This API key lacks the '{scope}' scope")
    if not reading and not principal.can_write:
        raise Forbidden("This role may read but not change data")


def upstream_headers(request: Request, *, defaults: httpx.Headers,
                     token: str) -> list[tuple[bytes, bytes]]:
    """The caller's headers less the hop-by-hop ones, the principal's internal token, and the
    upstream client's defaults (Accept, User-Agent ...) for whatever the caller did not send."""
    ip = request.client.host if request.client else ""
    forwarded = [(k, v) for k, v in request.scope["headers"] if k not in _HOP_BY_HOP_RAW]
    forwarded += [(b"authorization", f"Bearer {token}".encode()),
                  (b"x-request-id", request_id_var.get().encode("latin-1")),
                  (b"x-forwarded-for", ip.encode("latin-1"))]
    sent = {k for k, _ in forwarded}
    return [(k, v) for k, v in defaults.raw if k.lower() not in sent] + forwarded


async def forward(request: Request) -> Response:
    principal = await current_principal(request)  # before anything else: no credential, 401
    state = request.app.state
    service, path = request.path_params["service"], request.path_params["path"]
    base = state.settings.service_urls().get(service)
    if base is None:
        raise NotFound(f"No service named '{service}'")
    check_access(principal, service, request.method)
    client: httpx.AsyncClient = state.upstream
    has_body = request.method in ("POST", "PUT", "PATCH", "DELETE")
    # the path arrives decoded; quoting it again keeps ids with odd characters a 404
    query = request.scope["query_string"]  # as sent: repeated keys (?tag=a&tag=b) kept
    upstream = httpx.Request(
        request.method, f"{base}/v1/{quote(path, safe=PATH_SAFE)}"
                        + (f"?{query.decode('latin-1')}" if query else ""),
        headers=upstream_headers(request, defaults=client.headers,
                                 token=state.authenticator.internal_token(principal)),
        content=request.stream() if has_body else None,
        extensions={"timeout": client.timeout.as_dict()})
    try:
        response = await state.upstream_pool.handle_async_request(upstream)
    except httpx.TimeoutException as exc:
        raise GatewayTimeout(f"The {service} service did not answer in time") from exc
    except httpx.TransportError as exc:
        raise BadGateway(f"The {service} service is unavailable") from exc
    action = audit_action(request.method, f"{service}/{path}")
    if action is not None:
        state.audit.request(request, principal, action=action,
                            customer_id=customer_in(path, request.query_params),
                            status=response.status_code)
    # multi_items: a header the service sent twice (Set-Cookie, Link) stays two headers
    out_headers = [(k.encode("latin-1"), v.encode("latin-1"))
                   for k, v in response.headers.multi_items() if k not in NOT_PASSED_ON]
    location = response.headers.get("location", "")
    if location.startswith("/v1/"):  # a service's own path, e.g. a merged customer's 308
        out_headers = [(k, v) for k, v in out_headers if k != b"location"] + [
            (b"location", f"/api/v1/{service}/{location.removeprefix('/v1/')}".encode("latin-1"))]
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) <= BUFFER_BYTES:
        # small answers (most of them) are cheaper to pass on whole than to stream; raw bytes
        # either way, as the service's Content-Encoding is passed on with them
        try:
            body = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        out: Response = Response(body, status_code=response.status_code)
    else:
        out = StreamingResponse(response.aiter_raw(), status_code=response.status_code,
                                background=BackgroundTask(response.aclose))
    out.raw_headers += out_headers  # content-length, when set, is the body's own
    return out

for _router in (router, unknown_router):
    _router.add_api_route(PROXY_PATH, forward, methods=METHODS, include_in_schema=False)
