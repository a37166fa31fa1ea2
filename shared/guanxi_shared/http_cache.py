"""ETag on reads and If-Match on writes, from each row's version counter."""
from __future__ import annotations

from fastapi import Request, Response

from .errors import PreconditionFailed


def etag(entity_id: str, version: int) -> str:
    return f'"{entity_id}.{version}"'


def set_etag(response: Response, entity_id: str, version: int) -> None:
    response.headers["ETag"] = etag(entity_id, version)


def check_if_match(request: Request, entity_id: str, version: int) -> None:
    """Raise 412 when the client's If-Match names another version; absent means no check."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if etag(entity_id, version) not in wanted:
        raise PreconditionFailed(
            "The record changed since you read it; fetch it again and retry with its new ETag")
