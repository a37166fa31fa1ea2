"""/v1/imports: phone contacts from a CSV or vCard file, as the body or a form upload."""
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
from guanxi_shared.errors import (
    BadRequest,
    Invalid,
    PayloadTooLarge,
    UnsupportedMediaType,
    problems,
)

from ..domain.importing import parse
from ..schemas.imports import ImportReport
from ..store.imports import run_import

router = APIRouter(prefix="/v1/imports", tags=["imports"])
MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000


FILE_TYPES = {"text/csv": "csv", "text/vcard": "vcard", "text/x-vcard": "vcard",
              "text/directory": "vcard", "text/plain": None, "application/octet-stream": None,
              "application/csv": "csv", "application/vnd.ms-excel": "csv", "": None}
BODY_DOC = {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "text/vcard": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "The CSV or vCard file"}}}}}}


@router.post("", response_model=ImportReport, openapi_extra={"requestBody": BODY_DOC},
             responses=problems(413, 415))
async def import_contacts(
    request: Request, session: DbSession, principal: Writer,
    format: Annotated[Literal["csv", "vcard"] | None,
                      Query(description="Default: from Content-Type, filename or content")] = None,
    filename: Annotated[str | None, Query(max_length=255)] = None,
    dry_run: bool = False,
) -> Response:
    """Creates customers and contacts; a dry run reports what would happen and writes nothing.

    Rows matching a known contact (phone or email) fill only its empty fields ("updated");
    rows repeating an earlier row of the file are folded into it ("merged"); unusable rows are
    "rejected" with the reason. Send the file as the body (`text/csv`, `text/vcard`), or as
    a form upload (`multipart/form-data`, field `file`, whose file name and type are used
    when `filename` and `format` are not given). CSV in UTF-8 or GBK, or vCard 3/4.

    A body that cannot be read as the format given or detected is a 422 saying why (a CSV
    without a column the import knows, a vCard file without a card); a Content-Type that is
    not a file type is a 415.
    """
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "multipart/form-data":
        body, upload_name, upload_type = await _uploaded_file(request)
        filename = filename or upload_name
        content_type = upload_type or ""
    elif media_type in FILE_TYPES:
        body = await _raw_body(request)
    else:
        raise UnsupportedMediaType(
            f"Content-Type {media_type!r} is not an import file: send text/csv, text/vcard, "
            "or multipart/form-data with the file in the field 'file'")
    if not body:
        raise Invalid("The file is empty: send the CSV or vCard file as the body, or as the "
                      "field 'file' of a multipart/form-data upload")
    safe_name = re.sub(r"[^\w.\- ]", "_", (filename or "").rsplit("/", 1)[-1])[:255] or None
    fmt = format or _detect(content_type, safe_name, bytes(body[:20]))

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


async def _raw_body(request: Request) -> bytearray:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"An import file may be at most {MAX_IMPORT_BYTES} bytes")
    return body


async def _uploaded_file(request: Request) -> tuple[bytes, str | None, str | None]:
    """The field `file` of a form upload: its bytes, file name and declared type."""
    try:
        form = await request.form(max_files=1, max_fields=20)
    except Exception as exc:  # python-multipart's and Starlette's parse errors alike
        raise BadRequest(f"The multipart/form-data body cannot be read: {exc}") from None
    try:
        upload = form.get("file")
        if upload is None:
            raise Invalid("A multipart/form-data import needs the file in a field named "
                          "'file'", errors=[{"loc": ["body", "file"], "field": "file",
                                             "type": "missing", "msg": "Field required"}])
        if isinstance(upload, str):  # a plain form field: the file's text itself
            return upload.encode("utf-8"), None, None
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"An import file may be at most {MAX_IMPORT_BYTES} bytes")
        data = await upload.read()
        return data, upload.filename, upload.content_type
    finally:
        await form.close()


def _detect(content_type: str, filename: str | None, head: bytes) -> Literal["csv", "vcard"]:
    if "vcard" in content_type or (filename or "").lower().endswith((".vcf", ".vcard")):
        return "vcard"
    if head.lstrip(b"\xef\xbb\xbf").upper().startswith(b"BEGIN:VCARD"):
        return "vcard"
    return "csv"
