"""Column types and mixins every table uses: aware UTC times, money, timestamps, versions."""
from __future__ import annotations

import os
import re
import sys
import time
import types
from datetime import UTC, date, datetime
from datetime import time as clock
from decimal import Decimal
from typing import Annotated, Any, Literal, Self, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import DateTime, Numeric, TypeDecorator
from sqlmodel import Field, SQLModel

# Constraint names every table gets from the shared metadata (as in the SQLAlchemy docs and
# full-stack-fastapi-template), so a new migration can name what it later drops or alters.
# Constraints made before the convention keep their old names (PostgreSQL's `<table>_pkey`,
# `<table>_<column>_key`, `<table>_<column>_fkey`; unnamed on SQLite): migrations never rename
# them, and `db.run_env` tells autogenerate that a unique constraint on the same columns under
# the other name is the same constraint (`db.compared`), so `alembic check` reports no drift.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A 128-bit id as 32 hex characters: 48 bits of milliseconds, then 80 random bits.

    Time-ordered like UUIDv7, so new rows land at the end of every id index instead of on a
    random page: bulk imports write several times fewer pages.
    """
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; SQLite loses the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        return datetime

    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


MONEY = Numeric(18, 2, asdecimal=True)


def _utc_instant(value: datetime) -> datetime:
    if value.tzinfo is None:  # whose midnight? the caller knows, we would only guess
        raise ValueError("needs a UTC offset, e.g. 2026-01-31T09:00:00+08:00 or "
                         "2026-01-31T01:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+08:00 is before the first instant there is
        raise ValueError("is outside the years 1 to 9999 in UTC") from None


# A point in time given by a client (a body field or a query filter): with its offset, in UTC.
Instant = Annotated[datetime, BeforeValidator(lambda v: _iso_instant(v)),
                    AfterValidator(_utc_instant), WithJsonSchema({
    "type": "string", "format": "date-time",
    "description": "RFC 3339 with its offset, e.g. 2026-01-31T09:00:00+08:00 or ...Z"})]


class Timestamped(SQLModel):
    """created_at / updated_at on every table."""

    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False,
                                 sa_column_kwargs={"onupdate": utcnow})


class Versioned(Timestamped):
    """Adds an optimistic-concurrency version that feeds the ETag."""

    version: int = Field(default=1, nullable=False)


class VersionedRead(BaseModel):
    """What an answer shows of a Versioned row."""

    version: int
    created_at: datetime
    updated_at: datetime


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ISO_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}.*")


def _iso_instant(value: object) -> object:
    """An instant as RFC 3339 text (pydantic alone would also read "0.5" as a Unix time)."""
    if isinstance(value, str) and not ISO_INSTANT.fullmatch(value):
        raise PydanticCustomError("datetime_format", "should be an RFC 3339 date-time")
    return value


def _iso_day(value: object) -> object:
    """A business date as the OpenAPI says, YYYY-MM-DD (pydantic alone would also read "0"
    as 1970-01-01, a Unix time)."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_format", "should be a date as YYYY-MM-DD")
    return value


# A business date given by a client in a query (bodies get the same check from InputModel).
Day = Annotated[date, BeforeValidator(_iso_day)]

_JSON_KINDS: dict[type, dict[str, str]] = {}
_KIND_OF = {bool: "boolean", int: "integer", float: "number", date: "date",
            datetime: "date-time", clock: "time"}


def _kind(annotation: Any) -> str | None:
    """The JSON type a field's value must have, for the scalar types pydantic would coerce
    ("integer"), and for lists and tuples of one of them ("[integer]")."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kind(get_args(annotation)[0])
    if origin in (list, tuple, set, frozenset):
        items = {_kind(arg) for arg in get_args(annotation) if arg is not Ellipsis}
        item = items.pop() if len(items) == 1 else None
        return f"[{item}]" if item and not item.startswith("[") else None
    if origin is Union or origin is types.UnionType:
        kinds = {_kind(arg) for arg in get_args(annotation) if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    return _KIND_OF.get(annotation) if isinstance(annotation, type) else None


def _json_kinds(cls: type[BaseModel]) -> dict[str, str]:
    kinds = _JSON_KINDS.get(cls)
    if kinds is None:
        kinds = {name: kind for name, field in cls.model_fields.items()
                 if (kind := _kind(field.annotation)) is not None}
        _JSON_KINDS[cls] = kinds
    return kinds


def _wrong_json_type(kind: str, value: Any) -> str | None:
    """Why `value` (as JSON decoding gives it) is not of the JSON type the schema states."""
    if kind.startswith("["):
        if not isinstance(value, list | tuple):
            return None  # pydantic says what is wrong with it
        return next((f"item {i} {why}" for i, item in enumerate(value)
                     if (why := _wrong_json_type(kind[1:-1], item))), None)
    if kind == "boolean":
        return None if isinstance(value, bool) else "should be true or false"
    if isinstance(value, bool):
        return f"should be {'an integer' if kind == 'integer' else 'a ' + kind}, not a boolean"
    if kind in ("integer", "number"):
        return None if isinstance(value, int | float | Decimal) else f"should be a JSON {kind}"
    if isinstance(value, int | float):
        return f"should be a {kind} string"
    if isinstance(value, str):
        if kind == "date" and not ISO_DAY.fullmatch(value):
            return "should be a date as YYYY-MM-DD"
        if kind == "date-time" and not ISO_INSTANT.fullmatch(value):
            return "should be an RFC 3339 date-time"
    return None


class InputModel(SQLModel):
    """Base of every request body: unknown fields are refused, and a value must have the JSON
    type its schema states (pydantic alone would take "5" for 5, 1 for true, 0 for 1970-01-01).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)  # type: ignore[assignment]

    @field_validator("*", mode="before")
    @classmethod
    def _json_type_as_stated(cls, value: Any, info: Any) -> Any:
        kind = _json_kinds(cls).get(info.field_name)
        if kind is not None and value is not None and (why := _wrong_json_type(kind, value)):
            raise PydanticCustomError(f"{kind.strip('[]').replace('-', '_')}_type", why)
        return value


def allows_none(annotation: Any) -> bool:
    """Whether a field's type admits None (Optional, a union with None, Any)."""
    if annotation is None or annotation is type(None) or annotation is Any:
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return allows_none(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return any(allows_none(arg) for arg in get_args(annotation))
    return False


_NOT_NULL: dict[type, frozenset[str]] = {}


class UpdateModel(InputModel):
    """Base of every PATCH body: a field left out keeps its value, null clears it, but only
    where the resource may be without it, i.e. where its field in `__read_model__` admits
    null. Anywhere else an explicit null is a 422 naming the field (never a 500, never a row
    the read model cannot load), and the OpenAPI says the field is not nullable.

    `__read_model__` is the schema the resource is read back with; `__never_null__` adds
    write-only fields (a password) that the read model does not show.
    """

    __read_model__: type[BaseModel] | str | None = None  # a class, or its name in the module
    __never_null__: frozenset[str] = frozenset()

    @classmethod
    def not_null_fields(cls) -> frozenset[str]:
        """The fields an explicit null is refused for (worked out once, on first use, so that
        the read model may be defined further down the module)."""
        cached = _NOT_NULL.get(cls)
        if cached is None:
            read = cls.__read_model__
            if isinstance(read, str):
                read = getattr(sys.modules[cls.__module__], read)
            fields = read.model_fields if read is not None else {}
            cached = frozenset(cls.__never_null__) | {
                name for name in cls.model_fields
                if name in fields and not allows_none(fields[name].annotation)}
            _NOT_NULL[cls] = cached
        return cached

    def changes(self, mode: str = "python") -> dict[str, Any]:
        """The fields sent, each whole: a nested model keeps its defaults, which
        model_dump(exclude_unset=True) would drop at every level (a row the read model then
        cannot load)."""
        whole = self.model_dump(mode=mode)
        return {name: whole[name] for name in self.model_fields_set}

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_readable(cls, value: Any, info: Any) -> Any:
        if value is None and info.field_name in cls.not_null_fields():
            raise PydanticCustomError(
                "null_not_allowed",
                "may not be null: leave the field out to keep its current value")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        not_null = cls.not_null_fields()
        for name, prop in target.get("properties", {}).items():
            if name in not_null:
                target["properties"][name] = without_null(prop)
        return schema


class InvoiceInput(InputModel):
    """Base of an invoice body wherever one is written (the gateway's ERP feed, the registry):
    it falls due on or after the day it is issued. Each body declares `issue_date` and
    `due_date` itself, in its own field order."""

    @model_validator(mode="after")
    def due_after_issue(self) -> Self:
        if self.due_date < self.issue_date:  # type: ignore[attr-defined]
            raise ValueError("due_date is before issue_date")
        return self


def without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A property's JSON schema with its null branch (and a null default) taken out."""
    prop = {k: v for k, v in prop.items() if not (k == "default" and v is None)}
    branches = [b for b in prop.get("anyOf", []) if b.get("type") != "null"]
    if "anyOf" in prop and len(branches) == 1:
        prop.pop("anyOf")
        prop = {**branches[0], **prop}
    elif "anyOf" in prop:
        prop["anyOf"] = branches
    return prop


def _plain(annotation: Any) -> Any:
    """A type without the checks and notes Annotated adds (Phone -> str, list[Tag] -> list[str]),
    and a choice as the type of its values (Literal["a", "b"] -> str)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _plain(get_args(annotation)[0])
    if origin is Literal:
        return type(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return Union[tuple(_plain(arg) for arg in get_args(annotation))]  # noqa: UP007
    if origin in (list, set, frozenset, dict):
        return origin[tuple(_plain(arg) for arg in get_args(annotation))]
    return annotation


def readable(base: type[BaseModel]) -> type[BaseModel]:
    """The fields of an input family's base (`CustomerBase`) as an answer shows them: each one
    always present, of its plain type, without the input's limits and notes (a stored value
    passed them already). The read schema subclasses it and adds the system fields.
    """
    return create_model(f"{base.__name__}Read",  # type: ignore[call-overload]
                        **{name: (_plain(field.annotation), ...)
                           for name, field in base.model_fields.items()})


def changeable(create: type[BaseModel], *names: str) -> type[BaseModel]:
    """The fields `names` of a create body as a PATCH body takes them, in that order: each
    optional (left out: unchanged), with the create body's checks but without its default and
    notes. The update schema subclasses it with `UpdateModel`, which decides where null may
    clear a field.
    """
    fields = {}
    for name in names:
        field = create.model_fields[name]
        optional = PydanticField(default=None)
        optional.metadata = list(field.metadata)  # the checks: lengths, bounds, validators
        fields[name] = (field.annotation | None, optional)
    return create_model(f"{create.__name__}Changes", __base__=SQLModel,  # type: ignore[call-overload]
                        **fields)


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
