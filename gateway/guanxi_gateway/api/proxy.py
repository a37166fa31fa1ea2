"""/api/v1/<service>/...: forwards to the service's /v1/..., streaming both ways."""
from __future__ import annotations

import httpx
from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.errors import BadGateway, GatewayTimeout, NotFound
from guanxi_shared.observability import request_id_var

router = APIRouter()

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "host", "authorization",
              "content-length", "x-request-id"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@router.api_route("/api/v1/{service}/{path:path}", methods=METHODS, include_in_schema=False)
async def forward(service: str, path: str, request: Request,
                  principal: CurrentPrincipal) -> StreamingResponse:
    state = request.app.state
    base = state.settings.service_urls().get(service)
    if base is None:
        raise NotFound(f"No service named '{service}'")
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
    headers += [("authorization", f"Bearer {state.authenticator.internal_token(principal)}"),
                ("x-request-id", request_id_var.get()),
                ("x-forwarded-for", request.client.host if request.client else "")]
    has_body = request.method in ("POST", "PUT", "PATCH", "DELETE")
    upstream = state.upstream.build_request(
        request.method, f"{base}/v1/{path}", params=request.query_params, headers=headers,
        content=request.stream() if has_body else None)
    try:
        response = await state.upstream.send(upstream, stream=True)
    except httpx.TimeoutException as exc:
        raise GatewayTimeout(f"The {service} service did not answer in time") from exc
    except httpx.TransportError as exc:
        raise BadGateway(f"The {service} service is unavailable") from exc
    out_headers = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP}
    return StreamingResponse(response.aiter_raw(), status_code=response.status_code,
                             headers=out_headers, background=BackgroundTask(response.aclose))
