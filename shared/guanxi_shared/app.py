"""The app factory every service uses: database, migrations, errors, observability, events."""
from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlmodel import Session

from . import db
from .auth import Role, require_roles
from .docs import add_offline_docs
from .errors import (
    PROBLEM_DOCS,
    PROBLEM_JSON,
    PROBLEM_RESPONSES,
    ServiceUnavailable,
    install_error_handlers,
    problems,
)
from .event_types import EventType
from .events import Dispatcher, EventHandler, events_router
from .idempotency import IdempotencyMiddleware
from .nul_guard import NulGuardMiddleware
from .observability import RequestContextMiddleware, configure_logging
from .settings import ServiceSettings

log = logging.getLogger("guanxi.app")
StartHook = Callable[[FastAPI], Callable[[], Awaitable[None] | None] | None]


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


PUBLIC = {"security": []}  # no credential needed: health probes
BEARER = {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT or API key",
                         "description": "A user access token from POST /api/v1/auth/token, "
                                        "or an integration API key"}}
WRITES = {"post", "put", "patch", "delete"}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def complete_openapi(doc: dict) -> dict:
    """What every operation of every service can answer, said once for all of them.

    Every route needs a bearer credential unless it says `security: []`; every answer but a
    2xx/3xx is problem details. Each operation lists the errors that can occur on it: 401 and
    403 where a credential is needed, 400 (a malformed body or cursor), 404, 422 (any query
    may hold a refused NUL), 429 and 500 everywhere, 405 where the path takes other methods,
    409 on writes, 412 on writes to one resource (If-Match). FastAPI's own 422 schema, which
    no route answers with, is replaced.
    """
    doc.setdefault("components", {}).setdefault("securitySchemes", {}).update(BEARER)
    doc["security"] = [{"bearerAuth": []}]
    for path, item in doc.get("paths", {}).items():
        methods = [m for m in item if m in HTTP_METHODS]
        for method in methods:
            operation = item[method]
            public = operation.get("security") == []
            codes = {400, 404, 422, 429, 500} | (set() if public else {401, 403})
            if len(methods) < len(HTTP_METHODS):
                codes.add(405)
            if method in WRITES:
                codes |= {409, 412} if "{" in path else {409}
            responses = operation.setdefault("responses", {})
            for code in (409, 412):  # a read changes nothing: no conflict, no stale version
                if code not in codes:
                    responses.pop(str(code), None)
            for code in sorted(codes):
                documented = responses.get(str(code))
                if documented is None or PROBLEM_JSON not in documented.get("content", {}):
                    responses[str(code)] = problem_response(code)
            for code, answer in responses.items():  # errors come as problem+json only
                content = answer.get("content", {})
                if code[:1] in "45" and PROBLEM_JSON in content:
                    answer["content"] = {PROBLEM_JSON: content[PROBLEM_JSON]}
    schemas = doc["components"].get("schemas", {})
    text = str(doc["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f"/{unused}'" not in text:
            del schemas[unused]
    return doc


def problem_response(code: int) -> dict:
    return {"description": PROBLEM_DOCS.get(code, {}).get("description", "Error"),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def ops_router() -> APIRouter:
    router = APIRouter(tags=["ops"])

    @router.get("/healthz", summary="Alive", openapi_extra=PUBLIC)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Ready: the database answers", openapi_extra=PUBLIC,
                responses=problems(503))
    def readyz(request: Request) -> dict[str, str]:
        try:
            db.ping(request.app.state.engine)
        except Exception as exc:
            raise ServiceUnavailable("The database is not reachable",
                                     headers={"Retry-After": "5"}) from exc
        if getattr(request.app.state, "migrations_dir", None) is not None:  # a Job migrates
            behind = db.schema_behind(request.app.state.engine, request.app.state.migrations_dir)
            if behind is not None:
                raise ServiceUnavailable(f"Not ready: {behind}; run the migrations Job",
                                         headers={"Retry-After": "5"})
        return {"status": "ready"}

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response,
                dependencies=[Depends(require_roles(Role.admin, Role.service))],
                responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {
                    "schema": {"type": "string"}}}}, **problems(401, 403)})
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_service_app(*, settings: ServiceSettings, title: str, description: str,
                       routers: list[APIRouter], migrations_dir: Path,
                       event_handlers: dict[EventType, EventHandler] | None = None,
                       on_start: list[StartHook] | None = None,
                       idempotency_exclude: tuple[str, ...] = (),
                       openapi_url: str | None = "/openapi.json") -> FastAPI:
    if not settings.internal_secret:
        raise RuntimeError("GUANXI_INTERNAL_SECRET must be set (make run generates one)")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging(settings.log_level)
        engine = db.make_engine(settings.database_url)
        if settings.migrate_on_start:
            db.migrate(engine, migrations_dir)
        app.state.migrations_dir = None if settings.migrate_on_start else migrations_dir
        app.state.engine = engine
        app.state.sessions = db.make_sessionmaker(engine, subscribers=settings.subscriber_urls(),
                                                  timezone=settings.timezone)
        stoppers: list[Callable[[], Awaitable[None] | None]] = []
        if settings.subscriber_urls() and settings.run_background_jobs:
            dispatcher = Dispatcher(
                sessions=app.state.sessions, subscribers=settings.subscriber_urls(),
                service=settings.service_name, secret=settings.internal_secret,
                interval=settings.dispatch_interval_seconds,
                batch_size=settings.dispatch_batch_size, timeout=settings.http_timeout_seconds,
                max_backoff=settings.dispatch_max_backoff_seconds)
            dispatcher.start()
            app.state.dispatcher = dispatcher
            stoppers.append(dispatcher.stop)
        for hook in on_start or []:
            stop = hook(app)
            if stop is not None:
                stoppers.append(stop)
        log.info("service started", extra={"service": settings.service_name})
        try:
            yield
        finally:
            for stop in reversed(stoppers):
                if inspect.isawaitable(done := stop()):  # e.g. an async client's aclose
                    await done
            engine.dispose()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  openapi_url=openapi_url, docs_url=None, redoc_url=None)
    if openapi_url:  # the gateway serves its merged document and its docs pages itself
        add_offline_docs(app, openapi_url=openapi_url, title=title)
    app.state.settings = settings
    build_openapi = app.openapi

    def openapi() -> dict:  # FastAPI's document, completed once
        if app.openapi_schema is None:
            complete_openapi(build_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    install_error_handlers(app)
    app.include_router(ops_router())
    if event_handlers is not None:
        app.include_router(events_router(event_handlers))
    for router in routers:
        app.include_router(router, responses=PROBLEM_RESPONSES)
    # Inside the idempotency middleware: a body it replays is checked like any other.
    app.add_middleware(NulGuardMiddleware)
    app.add_middleware(IdempotencyMiddleware, exclude_prefixes=idempotency_exclude)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    return app
