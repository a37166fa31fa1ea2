"""Dialect helpers for set-based writes on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import time

from sqlalchemy import exists, func, literal, literal_column, not_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_ignore(session: Session, table):
    """INSERT ... ON CONFLICT DO NOTHING builder for the session's dialect (call .from_select)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def not_stored(session: Session, stored):
    """Skip occurrences already stored, so a re-run only reads.

    SQLite probes the unique index for the correlated EXISTS. PostgreSQL may plan it as a
    sequential scan of the table being filled (quadratic on a fresh table), and its
    ON CONFLICT check is already an index probe, so there the condition is left out.
    """
    if session.get_bind().dialect.name == "postgresql":
        return true()
    return not_(stored)


def sequential_ids(session: Session):
    """32-character ids for the rows of one INSERT ... SELECT: a time-ordered, random-salted
    prefix plus the row number, so new rows append to the primary-key index in order."""
    prefix = f"{time.time_ns() // 1000:014x}{os.urandom(3).hex()}"
    number = func.row_number().over()
    if session.get_bind().dialect.name == "postgresql":
        return literal(prefix) + func.lpad(number.cast(postgresql.TEXT), 12, "0")
    return literal(prefix) + func.printf("%012d", number)


def json_has(session: Session, column, value: str):
    """The JSON list in `column` contains `value`."""
    if session.get_bind().dialect.name == "postgresql":
        return column.cast(postgresql.JSONB).op("?")(value)
    each = func.json_each(column).table_valued("value")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value == value))
