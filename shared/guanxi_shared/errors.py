"""Typed domain errors and their one mapping to RFC 9457 problem details."""
from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("guanxi.errors")


class GuanxiError(Exception):
    """Base of every error a service raises on purpose; carries its HTTP status."""

    status = 500
    title = "Internal Server Error"

    def __init__(self, detail: str = "", *, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = headers or {}


class Invalid(GuanxiError):
    status, title = 422, "Unprocessable Content"


class BadRequest(GuanxiError):
    status, title = 400, "Bad Request"


class Unauthorized(GuanxiError):
    status, title = 401, "Unauthorized"

    def __init__(self, detail: str = "A valid credential is required", **kw: Any):
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kw)


class Forbidden(GuanxiError):
    status, title = 403, "Forbidden"


class NotFound(GuanxiError):
    status, title = 404, "Not Found"


class Conflict(GuanxiError):
    status, title = 409, "Conflict"


class PreconditionFailed(GuanxiError):
    status, title = 412, "Precondition Failed"


class PayloadTooLarge(GuanxiError):
    status, title = 413, "Content Too Large"


class UnsupportedMediaType(GuanxiError):
    status, title = 415, "Unsupported Media Type"


class MethodNotAllowed(GuanxiError):
    status, title = 405, "Method Not Allowed"


class TooManyRequests(GuanxiError):
    status, title = 429, "Too Many Requests"


class BadGateway(GuanxiError):
    status, title = 502, "Bad Gateway"


class ServiceUnavailable(GuanxiError):
    status, title = 503, "Service Unavailable"


class GatewayTimeout(GuanxiError):
    status, title = 504, "Gateway Timeout"


class FieldError(BaseModel):
    loc: list[str]
    field: str
    type: str
    msg: str


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every 4xx and 5xx answer."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


def _documented(status: int, description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# Every error answer, documented once; `responses=problems(413, 415)` adds rarer ones to a route.
PROBLEM_DOCS: dict[int, dict[str, Any]] = {
    400: _documented(400, "Malformed request (body not JSON, bad cursor)"),
    401: _documented(401, "Missing, invalid or expired credential"),
    403: _documented(403, "The credential's role or scope does not allow this"),
    404: _documented(404, "Not found, or not visible to this credential"),
    409: _documented(409, "Conflict with the current state or an Idempotency-Key reuse"),
    412: _documented(412, "If-Match names a stale version"),
    405: _documented(405, "The path takes other methods; see Allow"),
    413: _documented(413, "The body is larger than this endpoint takes"),
    415: _documented(415, "The body's Content-Type is not one this endpoint reads"),
    422: _documented(422, "Invalid or unknown fields; `errors` lists them"),
    429: _documented(429, "Too many requests; see Retry-After"),
    500: _documented(500, "Unexpected error"),
    503: _documented(503, "Not ready; see Retry-After"),
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: PROBLEM_DOCS[status] for status in statuses}


# Added to every route of every service so that the OpenAPI documents each error answer.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = problems(400, 401, 403, 404, 409, 412,
                                                              422, 429, 500)


def problem(status: int, detail: str, *, title: str | None = None,
            errors: list[dict[str, Any]] | None = None, instance: str | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    """Build a problem-details response; the only place that shape is written."""
    title = title or HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"https://guanxi.dev/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:  # as documented: each loc a list of strings (a list index too)
        body["errors"] = [{**e, "loc": [str(part) for part in e["loc"]]} if "loc" in e else e
                          for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    errors = []
    malformed = False
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        errors.append({
            "loc": [str(part) for part in err.get("loc", ())],
            "field": ".".join(str(part) for part in err.get("loc", ())[1:]),
            "type": err.get("type", "invalid"),
            "msg": err.get("msg", ""),
        })
    if malformed:
        return 400, "The request body is not valid JSON", errors
    return 422, "The request has invalid or unknown fields", errors


METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request, *, skip: tuple[Any, ...] = ()) -> list[str]:
    """The methods of this path, as the app's OpenAPI documents them: of the documented path
    templates matching it, the most literal one (/v1/needs/stats, not /v1/needs/{need_id}).
    A path no template covers falls back to the routes (routers in `skip` aside). Starlette's
    own 405 names only the methods of the first route that matched, where GET and POST on one
    path are two routes."""
    path = request.scope["path"]
    matching = [(template.count("{"), template, methods)
                for template, pattern, methods in documented_paths(request.app)
                if pattern.fullmatch(path)]
    if matching:
        return min(matching)[2]
    routes = [r for r in request.app.router.routes
              if getattr(r, "methods", True) and not isinstance(r, Mount)
              and getattr(r, "original_router", None) not in skip]
    return [method for method in METHODS
            if any(route.matches({**request.scope, "method": method})[0] is Match.FULL
                   for route in routes)]


def documented_paths(app: FastAPI) -> list[tuple[str, re.Pattern[str], list[str]]]:
    """(template, its pattern, its methods) for each path of the app's OpenAPI, once."""
    paths = getattr(app.state, "documented_paths", None)
    if paths is None:
        paths = [(template, re.compile(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))),
                  sorted(m.upper() for m in item if m.upper() in METHODS))
                 for template, item in app.openapi().get("paths", {}).items()]
        app.state.documented_paths = paths
    return paths


def install_error_handlers(app: FastAPI) -> None:
    async def on_guanxi(request: Request, exc: GuanxiError) -> JSONResponse:
        return problem(exc.status, exc.detail, title=exc.title, errors=exc.errors,
                       instance=request.url.path, headers=exc.headers)

    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail, errors = _validation_errors(exc)
        return problem(status, detail, errors=errors, instance=request.url.path)

    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = getattr(exc, "headers", None)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No route matches {request.method} {request.url.path}"
        if exc.status_code == 405:
            allowed = allowed_methods(request)
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
            detail = f"{request.method} is not allowed here; allowed: {', '.join(allowed)}"
        return problem(exc.status_code, detail, instance=request.url.path, headers=headers)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(500, "An unexpected error occurred; it has been logged",
                       instance=request.url.path)

    app.add_exception_handler(GuanxiError, on_guanxi)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_unexpected)
