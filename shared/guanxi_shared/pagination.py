"""Cursor (keyset) pagination with bounded limits and a stable sort."""
from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, literal, tuple_
from sqlmodel import Session

from .errors import BadRequest

T = TypeVar("T")
MAX_LIMIT = 500


class PageParams(BaseModel):
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="From `next_cursor`")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageQuery = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, columns: list[Any]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError
        return [_typed(v, col) for v, col in zip(values, columns, strict=True)]
    except (ValueError, TypeError, json.JSONDecodeError):
        raise BadRequest("The cursor is not valid; start again without it") from None


def _typed(value: Any, column: Any) -> Any:
    if value is None:
        return None
    try:
        kind = column.type.python_type
    except (NotImplementedError, AttributeError):
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    if kind in (int, float) and not isinstance(value, kind):
        raise ValueError("cursor value of the wrong type")
    return value


def where_given(stmt: Select, *filters: tuple[Any, Any]) -> Select:
    """A list's equality filters: `column == value` for each (column, value) the caller gave;
    None means not given."""
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def where_within(stmt: Select, column: Any, start: Any, end: Any) -> Select:
    """A business-date range filter, both ends included; None means that end is open."""
    if start is not None:
        stmt = stmt.where(column >= start)
    if end is not None:
        stmt = stmt.where(column <= end)
    return stmt


def paginate(session: Session, stmt: Select, *, sort: Any, key: Any, page: PageParams,
             descending: bool = False) -> tuple[list[Any], str | None]:
    """Run `stmt` one page at a time, ordered by (sort, key); `key` must be unique.

    The sort column should not be NULL for paged rows (coalesce it in the statement if needed).
    """
    columns = [sort, key] if sort is not key else [key]
    if page.cursor:
        after = decode_cursor(page.cursor, columns)
        tup = tuple_(*columns)
        vals = tuple_(*(literal(v, type_=c.type) for v, c in zip(after, columns, strict=True)))
        stmt = stmt.where(tup < vals if descending else tup > vals)
    order = [c.desc() if descending else c.asc() for c in columns]
    result = session.execute(stmt.order_by(*order).limit(page.limit + 1))
    single_entity = len(stmt.column_descriptions) == 1 and stmt.column_descriptions[0]["entity"]
    rows = list(result.scalars().all() if single_entity else result.all())
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    last = rows[-1]
    return rows, encode_cursor([_value_of(last, c) for c in columns])


def _value_of(row: Any, column: Any) -> Any:
    """The sort value from an entity, a plain row, or a row whose first item is the entity."""
    name = column.key
    if hasattr(row, name):
        return getattr(row, name)
    mapping = row._mapping
    if name in mapping:
        return mapping[name]
    return getattr(row[0], name)
