"""ETag on reads and If-Match on writes, from each row's version counter."""
from __future__ import annotations

from typing import Protocol, TypeVar

from fastapi import Request, Response

from .errors import PreconditionFailed


class VersionedRow(Protocol):
    id: str
    version: int


Row = TypeVar("Row", bound=VersionedRow)


def etag(entity_id: str, version: int) -> str:
    return f'"{entity_id}.{version}"'


def set_etag(response: Response, entity_id: str, version: int) -> None:
    response.headers["ETag"] = etag(entity_id, version)


def tagged(response: Response, row: Row) -> Row:
    """The row, with the ETag of its id and version on the response."""
    set_etag(response, row.id, row.version)
    return row


def check_if_match(request: Request, entity_id: str, version: int) -> None:
    """Raise 412 when the client's If-Match names another version; absent means no check."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if etag(entity_id, version) not in wanted:
        raise PreconditionFailed(
            "The record changed since you read it; fetch it again and retry with its new ETag")
