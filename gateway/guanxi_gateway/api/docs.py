"""One OpenAPI document for the whole suite, merged from the services' own documents."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(include_in_schema=False)

# What the gateway itself may answer on any route, on top of each service's own errors.
GATEWAY_ERRORS = {
    str(status): {"description": text, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}
    for status, text in ((401, "Missing, invalid, expired or revoked credential"),
                         (403, "The role or API key scope does not allow this"),
                         (413, "The request body is too large"),
                         (429, "Rate limit; see Retry-After"),
                         (502, "The service is unavailable"),
                         (504, "The service did not answer in time"))}

BEARER = {"bearerAuth": {"type": "http", "scheme": "bearer",
                         "bearerFormat": "JWT or API key",
                         "description": "A user access token from POST /api/v1/auth/token, "
                                        "or an integration API key"}}


@router.get("/openapi.json")
async def merged_openapi(request: Request) -> JSONResponse:
    state = request.app.state
    doc = state.merged_openapi
    if doc is None:
        doc = await merge(request.app.openapi(), state.settings.service_urls(), state.upstream,
                          timeout=state.settings.upstream_timeout_seconds)
        if doc["x-guanxi-services-missing"] == []:
            state.merged_openapi = doc  # cache only a complete document
    return JSONResponse(doc)


async def merge(own: dict[str, Any], services: dict[str, str],
                client: httpx.AsyncClient, timeout: float) -> dict[str, Any]:
    async def fetch(url: str) -> dict[str, Any] | None:
        try:
            # A service builds its document on the first request: seconds on a busy machine.
            resp = await client.get(f"{url}/openapi.json", timeout=timeout)
            return resp.json() if resp.is_success else None
        except httpx.HTTPError:
            return None

    docs = await asyncio.gather(*(fetch(url) for url in services.values()))
    merged = json.loads(json.dumps(own))
    merged["info"] = {"title": "Guanxi API", "version": own["info"]["version"],
                      "description": "The whole Guanxi suite behind one base URL."}
    merged.setdefault("components", {}).setdefault("schemas", {})
    merged["components"]["securitySchemes"] = BEARER
    merged["security"] = [{"bearerAuth": []}]
    missing = []
    for name, doc in zip(services, docs, strict=True):
        if doc is None:
            missing.append(name)
            continue
        add_service(merged, name, doc)
    merged["x-guanxi-services-missing"] = missing
    return merged


def add_service(merged: dict[str, Any], name: str, doc: dict[str, Any]) -> None:
    """Prefix the service's paths and component names so that services never collide."""
    prefix = f"{name.capitalize()}"
    text = json.dumps(doc)
    for schema in doc.get("components", {}).get("schemas", {}):
        text = text.replace(f'"#/components/schemas/{schema}"',
                            f'"#/components/schemas/{prefix}{schema}"')
    doc = json.loads(text)
    for schema, body in doc.get("components", {}).get("schemas", {}).items():
        if isinstance(body, dict) and "title" in body:  # generators name classes by title
            body["title"] = f"{prefix}{schema}"
        merged["components"]["schemas"][f"{prefix}{schema}"] = body
    for path, item in doc.get("paths", {}).items():
        if not path.startswith("/v1/") or path == "/v1/events":
            continue  # ops and service-to-service routes are not part of the public API
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operation["operationId"] = f"{name}_{operation['operationId']}"
                operation["tags"] = [f"{name}: {t}" for t in operation.get("tags", [])] or [name]
                for status, answer in GATEWAY_ERRORS.items():
                    operation.setdefault("responses", {}).setdefault(status, answer)
        merged["paths"][f"/api/v1/{name}{path[3:]}"] = item
