"""Bulk inserts write every value as given, whatever characters and types it holds; the bulk
helpers around them keep a table's rows and indexes as they promise."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Numeric,
    SmallInteger,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from guanxi_shared import copy_binary, db
from guanxi_shared.db import (
    bulk_insert_columns,
    reads_beside,
    rewritten,
    rows_in_key_ranges,
)
from guanxi_shared.models import MONEY, UTCDateTime


class BulkRow(SQLModel, table=True):
    __tablename__ = "bulk_row"

    id: int = Field(primary_key=True)
    text: str | None = Field(default=None, max_length=100, index=True)
    amount: Decimal | None = Field(default=None, sa_type=MONEY)
    share: float | None = None
    flag: bool | None = None
    day: date | None = None
    at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    doc: Any = Field(default=None, sa_column=Column(JSON))


def test_bulk_insert_keeps_separators_backslashes_nulls_and_types(sessions):
    at = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
    texts = ["plain", "tab\there", "line\nbreak\r\n", "back\\slash \\N", "", None, "中文 ＡＢ"]
    n = len(texts)
    columns = {"id": list(range(n)), "text": np.array(texts, dtype=object),  # as NumPy code has
               "amount": [Decimal("12.34"), None, Decimal("0.01"), Decimal("-5"),
                          Decimal("1E+2"), Decimal("0"), Decimal("99999.99")],
               "share": [0.5, 1e-7, -2.25, 3.0, 0.0, 1.0, 2.5],
               "flag": [True, False, True, False, True, False, True],
               "day": ["2026-11-01", date(2026, 1, 31), None, date(2000, 2, 29),
                       date(2026, 11, 1), date(1999, 12, 31), date(2026, 6, 1)],
               "at": [at, None, at, at, at, at, at],
               "doc": [["a\tb", "c\\d"], {"k": "line\nbreak"}, None, [], {}, "quote\"", 3]}
    with sessions() as session:
        bulk_insert_columns(session, BulkRow.__table__, columns)
        session.commit()
    with sessions() as session:
        rows = session.execute(select(BulkRow).order_by(BulkRow.id)).scalars().all()
    assert [r.text for r in rows] == texts
    assert [r.amount for r in rows] == [Decimal("12.34"), None, Decimal("0.01"),
                                        Decimal("-5"), Decimal("100"), Decimal("0"),
                                        Decimal("99999.99")]
    assert [r.share for r in rows] == [0.5, 1e-7, -2.25, 3.0, 0.0, 1.0, 2.5]
    assert [r.flag for r in rows] == [True, False, True, False, True, False, True]
    assert [r.day for r in rows] == [date(2026, 11, 1), date(2026, 1, 31), None,
                                     date(2000, 2, 29), date(2026, 11, 1), date(1999, 12, 31),
                                     date(2026, 6, 1)]
    assert [r.at for r in rows] == [at, None, at, at, at, at, at]
    assert [r.doc for r in rows] == [["a\tb", "c\\d"], {"k": "line\nbreak"}, None, [], {},
                                     "quote\"", 3]



def test_bulk_insert_takes_numpy_arrays_as_their_values(sessions):
    """Numbers, booleans and datetime64 days go into binary COPY as whole arrays; SQLite and
    the text path get the same values."""
    days = np.array(["1999-12-31", "2000-01-01", "2026-11-01"], dtype="datetime64[D]")
    columns = {"id": np.array([1, 2, 3], dtype=np.int8), "amount": np.array([12.34, -5, 0.01]),
               "share": np.array([0.5, -2.25, 1e-7]), "flag": np.array([True, False, True]),
               "day": days, "text": np.array(["a", "b\tc", "中"], dtype=object)}
    with sessions() as session:
        bulk_insert_columns(session, BulkRow.__table__, columns)
        session.commit()
        rows = session.execute(select(BulkRow.id, BulkRow.amount, BulkRow.share, BulkRow.flag,
                                      BulkRow.day, BulkRow.text).order_by(BulkRow.id)).all()
    assert [tuple(r) for r in rows] == [
        (1, Decimal("12.34"), 0.5, True, date(1999, 12, 31), "a"),
        (2, Decimal("-5.00"), -2.25, False, date(2000, 1, 1), "b\tc"),
        (3, Decimal("0.01"), 1e-7, True, date(2026, 11, 1), "中")]


def test_arrays_binary_cannot_carry_exactly_are_refused():
    integer, day = copy_binary.encoder(Integer()), copy_binary.encoder(Date())
    assert integer(np.array([1, 2**31])) is None  # beyond int4: the server says so in text
    assert integer(np.array([1.0])) is None and integer(np.array([True])) is None
    assert day(np.array(["2026-01-01T10:00"], dtype="datetime64[m]")) is None
    assert day(np.array(["2026-01-01", "NaT"], dtype="datetime64[D]")) is None
    assert copy_binary.encoder(Boolean())(np.array([1, 0])) is None

class Wide(SQLModel, table=True):
    __tablename__ = "bulk_wide"

    id: int = Field(primary_key=True)
    small: int | None = Field(default=None, sa_type=SmallInteger)
    big: int | None = Field(default=None, sa_type=BigInteger)
    fine: Decimal | None = Field(default=None, sa_type=Numeric(9, 5))
    naive: datetime | None = Field(default=None, sa_type=DateTime(timezone=False))
    data: Any = Field(default=None, sa_column=Column(JSONB().with_variant(JSON(), "sqlite")))


AT = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
EDGES = {  # extremes of each type, signs, NULLs, dates and times both sides of 2000
    BulkRow: {"id": [-(2 ** 31), 0, 2 ** 31 - 1, 7],
              "text": ["", None, "中文 ＡＢ\t", "x" * 100],
              "amount": [-12345678901.23, 0.0, None, 0.05],
              "share": [-1.5e300, float("inf"), None, 5e-324],
              "flag": [True, None, False, True],
              "day": [date(1, 1, 1), date(1999, 12, 31), None, "2000-01-01"],
              "at": [datetime(1970, 1, 1, tzinfo=UTC), AT, None,
                     datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)],
              "doc": [["a", {"b": None}], None, "é", 1.5]},
    Wide: {"id": [1, 2, 3, 4], "small": [-(2 ** 15), 2 ** 15 - 1, None, 0],
           "big": [-(2 ** 63), 2 ** 63 - 1, None, 0],
           "fine": [Decimal("-9999.99999"), Decimal("0.000005"), None, Decimal("1.5E+3")],
           "naive": [datetime(1999, 1, 1, 0, 0, 0, 1), None, datetime(2040, 2, 29, 12), None],
           "data": [{"k": [1, 2]}, None, [], "text"]},
}


@pytest.mark.parametrize("model", [BulkRow, Wide])
def test_binary_copy_writes_what_text_copy_writes(sessions, model, monkeypatch):
    """Each edge value written in binary reads back as the text COPY (or SQLite) writes it."""
    table = model.__table__

    def written() -> list:
        with sessions() as session:
            bulk_insert_columns(session, table, EDGES[model])
            rows = session.execute(select(table).order_by(table.c.id)).all()
            session.rollback()
        return rows

    def refused(*args: object) -> None:
        raise AssertionError("written as text")

    monkeypatch.setattr(db, "_copy_text", refused)  # every column in binary
    binary = written()
    monkeypatch.undo()
    monkeypatch.setattr(copy_binary, "encoder", lambda column_type: None)
    assert binary == written()
    assert binary[0].id == EDGES[model]["id"][0] and len(binary) == 4


def test_a_value_binary_cannot_carry_exactly_falls_back_to_text(sessions):
    """A float finer than the column's scale is rounded as the server rounds its text (half
    away from zero: 0.125 becomes 0.13, where binary rounding would give 0.12)."""
    if sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with sessions() as session:
        bulk_insert_columns(session, BulkRow.__table__, {"id": [1, 2], "amount": [0.125, 2.5]})
        session.commit()
    with sessions() as session:
        assert session.execute(select(BulkRow.amount).order_by(BulkRow.id)).scalars().all() == [
            Decimal("0.13"), Decimal("2.50")]


def test_a_table_rewritten_in_bulk_keeps_its_indexes_and_only_the_new_rows(sessions, engine):
    with sessions() as session:
        bulk_insert_columns(session, BulkRow.__table__, {"id": [1, 2], "text": ["a", "b"]})
        session.commit()
    with sessions() as session:
        with rewritten(session, BulkRow.__table__) as target:
            bulk_insert_columns(session, target, {"id": [2, 3], "text": ["c", "d"]})
            with sessions() as reader:  # others read the old rows until the commit
                assert reader.execute(select(BulkRow.id)).scalars().all() == [1, 2]
        session.commit()
    with sessions() as session:
        assert session.execute(select(BulkRow.id, BulkRow.text).order_by(BulkRow.id)).all() == [
            (2, "c"), (3, "d")]
        with pytest.raises(IntegrityError):  # the primary key is back, under its name
            session.execute(text("INSERT INTO bulk_row (id, text) VALUES (3, 'e')"))
    found = inspect(engine)
    assert [ix["name"] for ix in found.get_indexes("bulk_row")] == ["ix_bulk_row_text"]
    assert found.get_pk_constraint("bulk_row")["name"] == "pk_bulk_row"
    assert not found.has_table("bulk_row_next")


def test_a_second_rewrite_of_a_table_waits_for_the_first(sessions, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")

    def rewrite(ids: list[int]) -> None:
        with sessions() as session:
            with rewritten(session, BulkRow.__table__) as target:
                bulk_insert_columns(session, target, {"id": ids, "text": ["x"] * len(ids)})
            session.commit()

    with sessions() as first, ThreadPoolExecutor(max_workers=1) as pool:
        with rewritten(first, BulkRow.__table__) as target:
            bulk_insert_columns(first, target, {"id": [1], "text": ["x"]})
            second = pool.submit(rewrite, [2, 3])  # while the first is half-way
            time.sleep(0.5)
        assert not second.done()  # waiting on the first: not deadlocked with its swap
        first.commit()
        second.result(timeout=30)
    with sessions() as session:
        assert session.execute(select(BulkRow.id).order_by(BulkRow.id)).scalars().all() == [2, 3]


def test_reads_beside_see_committed_rows_and_on_postgresql_not_the_sessions_own(sessions):
    with sessions() as session:
        bulk_insert_columns(session, BulkRow.__table__, {"id": [1], "text": ["committed"]})
        session.commit()
    with sessions() as session:
        session.execute(text("INSERT INTO bulk_row (id, text) VALUES (2, 'uncommitted')"))
        with reads_beside(session) as read:
            rows = read(select(BulkRow.id, BulkRow.text).order_by(BulkRow.id))
            ids = read(select(BulkRow.id).order_by(BulkRow.id))
            # the session can go on with its own statement while they run
            assert session.execute(select(BulkRow.id).order_by(BulkRow.id)).scalars().all() == [
                1, 2]
            if session.get_bind().dialect.name == "postgresql":  # another connection
                assert rows() == [(1, "committed")] and ids() == [(1,)]
            else:  # SQLite: in the session, so its own rows too
                assert rows() == [(1, "committed"), (2, "uncommitted")]



def test_key_ranges_give_the_whole_grouped_result_in_key_order(sessions, engine):
    texts = [f"t{i % 1500:04d}" for i in range(3000)]
    with sessions() as session:
        bulk_insert_columns(session, BulkRow.__table__, {"id": list(range(3000)), "text": texts})
        session.commit()
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE bulk_row"))  # the histogram the ranges come from

    def grouped(within):
        return (select(BulkRow.text, func.count(), func.sum(BulkRow.id)).where(within)
                .group_by(BulkRow.text).order_by(BulkRow.text))
    expected = [(t, texts.count(t), sum(i for i, x in enumerate(texts) if x == t))
                for t in sorted(set(texts))]
    with sessions() as session:
        if postgres:  # three ranges, each on a connection of its own
            assert len(db._key_quantiles(session, BulkRow.__table__.c.text, 3)) == 2
        # like reads beside, the ranges see what is committed, not the session's own writes
        session.execute(text("INSERT INTO bulk_row (id, text) VALUES (9000, 'uncommitted')"))
        rows = rows_in_key_ranges(session, grouped, BulkRow.__table__.c.text, parts=3)
    if not postgres:
        expected.append(("uncommitted", 1, 9000))
    assert [tuple(r) for r in rows] == expected

def test_postgresql_stores_large_json_values_with_lz4_where_it_can(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with engine.connect() as conn:
        offered = conn.execute(text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'")).scalar()
        chosen = conn.execute(text("SHOW default_toast_compression")).scalar()
    assert chosen == ("lz4" if offered else "pglz")


def test_types_binary_cannot_carry_as_their_own_are_written_as_text():
    from sqlalchemy import REAL, Float, Interval, Uuid
    for column_type in (REAL(), Float(precision=10), Interval(), Uuid(), Numeric()):
        assert copy_binary.encoder(column_type) is None, column_type
    for column_type in (Float(), UTCDateTime(), MONEY, JSONB(), BigInteger()):
        assert copy_binary.encoder(column_type) is not None, column_type
