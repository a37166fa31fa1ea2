"""/v1/imports: phone contacts from a CSV or vCard file sent as the request body."""
from __future__ import annotations

import re
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from guanxi_shared.app import DbSession
from guanxi_shared.auth import Writer
from guanxi_shared.db import cyclic_gc_paused
from guanxi_shared.errors import Invalid, PayloadTooLarge

from ..domain.importing import parse
from ..schemas.imports import ImportReport
from ..store.imports import run_import

router = APIRouter(prefix="/v1/imports", tags=["imports"])
MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000


@router.post("", response_model=ImportReport, openapi_extra={"requestBody": {
    "required": True, "content": {"text/csv": {"schema": {"type": "string"}},
                                  "text/vcard": {"schema": {"type": "string"}}}}})
async def import_contacts(
    request: Request, session: DbSession, principal: Writer,
    format: Annotated[Literal["csv", "vcard"] | None,
                      Query(description="Default: from Content-Type or filename")] = None,
    filename: Annotated[str | None, Query(max_length=255)] = None,
    dry_run: bool = False,
) -> Response:
    """Creates customers and contacts; a dry run reports what would happen and writes nothing.

    Rows matching a known contact (phone or email) fill only its empty fields ("updated");
    rows repeating an earlier row of the file are folded into it ("merged"); unusable rows are
    "rejected" with the reason. Send the file as the body (CSV in UTF-8 or GBK, or vCard 3/4).
    """
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"An import file may be at most {MAX_IMPORT_BYTES} bytes")
    if not body:
        raise Invalid("The request body is empty: send the CSV or vCard file as the body")
    safe_name = re.sub(r"[^\w.\- ]", "_", (filename or "").rsplit("/", 1)[-1])[:255] or None
    fmt = format or _detect(request.headers.get("content-type", ""), safe_name, bytes(body[:20]))

    def parse_and_import() -> tuple[dict[str, int], list[dict]]:
        with cyclic_gc_paused():
            rows = parse(bytes(body), fmt)
            if len(rows) > MAX_ROWS:
                raise PayloadTooLarge(f"An import may have at most {MAX_ROWS} rows")
            return run_import(session=session, principal=principal, rows=rows, dry_run=dry_run)

    counts, results = await run_in_threadpool(parse_and_import)
    # a 100,000-row report is megabytes of JSON: orjson writes it in a tenth of the time
    return Response(orjson.dumps({"filename": safe_name, "format": fmt, "dry_run": dry_run,
                                  **counts, "rows": results}), media_type="application/json")


def _detect(content_type: str, filename: str | None, head: bytes) -> Literal["csv", "vcard"]:
    if "vcard" in content_type or (filename or "").lower().endswith((".vcf", ".vcard")):
        return "vcard"
    if head.lstrip(b"\xef\xbb\xbf").upper().startswith(b"BEGIN:VCARD"):
        return "vcard"
    return "csv"
