"""Engines, sessions and migrations for SQLite (embedded) and PostgreSQL (production)."""
from __future__ import annotations

import gc
import itertools
import json
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import orjson
from alembic import command
from alembic.config import Config
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Connection,
    Engine,
    MetaData,
    Select,
    String,
    Table,
    UniqueConstraint,
    and_,
    create_engine,
    event,
    inspect,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from . import copy_binary
from .errors import Conflict, Invalid, NotFound
from .models import UTCDateTime, allows_none

log = logging.getLogger("guanxi.db")
MIGRATION_LOCK_ID = 7_402_113  # arbitrary constant: one advisory lock id for migrations


def normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def json_dumps(value: object) -> str:
    """JSON columns: compact UTF-8, by orjson (bulk imports write megabytes of event payloads)."""
    if value == [] or value == {}:
        return "[]" if isinstance(value, list) else "{}"
    try:
        return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson refuses (integers beyond 64 bits) the standard module takes
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               json_serializer=json_dumps)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk writes touch many index pages
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                           json_serializer=json_dumps)

    @event.listens_for(engine, "connect")
    def _lz4(dbapi_conn, _record):
        # Large JSON values (outbox batches of 500 items) are compressed with lz4 where the
        # server has it: twice as fast to store as the default pglz (a million-customer
        # recompute writes 300 MB of them).
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT set_config('default_toast_compression', 'lz4', false) "
                        "FROM pg_settings WHERE name = 'default_toast_compression' "
                        "AND 'lz4' = ANY(enumvals)")
        dbapi_conn.commit()

    return engine


def make_sessionmaker(engine: Engine, *, subscribers: dict[str, str] | None = None,
                      timezone: str = "Asia/Shanghai") -> sessionmaker:
    """Sessions carry the outbox subscribers and the company timezone, so that `publish` and
    event handlers need only the session."""
    factory = sessionmaker(engine, class_=Session, expire_on_commit=False,
                           info={"subscribers": dict(subscribers or {}), "timezone": timezone})
    event.listen(factory, "before_flush", refuse_unreadable_nulls)
    return factory


def refuse_unreadable_nulls(session: Session, _context: object, _instances: object) -> None:
    """An update that empties a column which may not be empty is a 422 naming the field.

    The net under every PATCH, whatever its schema says: a NOT NULL column, or a field whose
    type does not admit None (a JSON column stores None as the JSON null, which the read model
    then cannot load: one bad write would break a list for everybody). Only changed attributes
    of rows already stored are looked at, so inserts and bulk jobs pay nothing.
    """
    errors = []
    for obj in session.dirty:
        state = inspect(obj)
        if not state.committed_state:
            continue
        mapper, fields = state.mapper, getattr(type(obj), "model_fields", {})
        for key in state.committed_state:
            if getattr(obj, key, None) is not None or key not in mapper.columns:
                continue
            column = mapper.columns[key]
            if not column.nullable or (key in fields and not allows_none(fields[key].annotation)):
                errors.append({"loc": ["body", key], "field": key, "type": "null_not_allowed",
                               "msg": "may not be null: leave the field out to keep its "
                                      "current value"})
    if errors:
        raise Invalid("Fields that may not be empty were set to null", errors=errors)


def local_today(session: Session) -> date:
    """Today in the company's timezone: business dates are local dates."""
    return datetime.now(ZoneInfo(session.info.get("timezone", "Asia/Shanghai"))).date()


def commit_or_conflict(session: Session, detail: str) -> None:
    """Commit; a unique-constraint violation becomes a 409 with this detail (nothing written)."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(detail) from None


Row = TypeVar("Row")


def get_or_404(session: Session, table: type[Row], ident: str, what: str) -> Row:
    """The row with this primary key, or a 404 naming it ("Product 42 not found")."""
    row = session.get(table, ident)
    if row is None:
        raise NotFound(f"{what} {ident} not found")
    return row


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def migrate(engine: Engine, migrations_dir: Path) -> None:
    """Apply the service's Alembic migrations up to head (under an advisory lock on PostgreSQL)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def schema_behind(engine: Engine, migrations_dir: Path) -> str | None:
    """Why the database is behind this code's migrations, or None when it is not. A revision
    this code does not know is taken as newer (a later version's Job ran first: migrations
    only add, so this version still works on it)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    script = ScriptDirectory.from_config(cfg)
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    heads = set(script.get_heads())
    if current >= heads:
        return None
    if not current:
        return f"the database has no migrations applied; this version needs {', '.join(heads)}"
    known = {rev.revision for rev in script.walk_revisions()}
    if current - known:
        return None
    return (f"the database is at {', '.join(sorted(current))}; this version needs "
            f"{', '.join(sorted(heads))}")


def run_env(target_metadata) -> None:
    """Body of every service's migrations/env.py."""
    from alembic import context

    conn = context.config.attributes.get("connection")
    if conn is None:  # `alembic` on the command line: build an engine from the env
        import os

        engine = make_engine(os.environ.get("DATABASE_URL", "sqlite:///./data/migrations.db"))
        with engine.connect() as conn:
            _configure_and_run(context, conn, target_metadata)
            conn.commit()
        return
    _configure_and_run(context, conn, target_metadata)


def _configure_and_run(context, conn, target_metadata) -> None:
    context.configure(connection=conn, target_metadata=target_metadata,
                      render_as_batch=conn.dialect.name == "sqlite", compare_type=True,
                      include_object=compared(conn, target_metadata))
    with context.begin_transaction():
        context.run_migrations()


def upsert(session: Session, table, rows: list[dict], key: list[str],
           update: list[str] | None = None, add: bool = False) -> None:
    """Insert or update many rows in one executemany (INSERT ... ON CONFLICT DO UPDATE).

    An existing row gets the columns named in `update` (by default all the rows carry), and
    never `created_at`; with `add`, the rows' values are added to the row's instead (running
    totals: rows in key order, so two writers lock them in one order).
    """
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    updates = {c: table.c[c] + stmt.excluded[c] if add else stmt.excluded[c]
               for c in (rows[0] if update is None else update)
               if c not in key and c != "created_at"}
    session.execute(stmt.on_conflict_do_update(index_elements=key, set_=updates), rows)


def compared(conn, metadata):
    """What autogenerate (and `alembic check`) compares: not the tables migrations made by
    hand (full-text indexes), and not a unique constraint that is only renamed: one made
    before the naming convention (models.py) keeps its old name in the database and is the
    same constraint as the model's under the convention's name."""
    def include(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and reflected and compare_to is None:
            return False
        return not (type_ == "unique_constraint" and compare_to is None
                    and _unique_columns(obj) in _uniques_elsewhere(conn, metadata, obj,
                                                                   reflected))
    return include


def _unique_columns(constraint) -> tuple[str, ...]:
    return tuple(sorted(column.name for column in constraint.columns))


def _uniques_elsewhere(conn, metadata, constraint, reflected: bool) -> set[tuple[str, ...]]:
    """The column sets of the unique constraints on the constraint's table on the other side
    (the models for a reflected constraint, else the database)."""
    table = constraint.table.name
    if reflected:
        model = metadata.tables.get(table)
        return {_unique_columns(c) for c in model.constraints
                if isinstance(c, UniqueConstraint)} if model is not None else set()
    found = inspect(conn)
    return {tuple(sorted(u["column_names"])) for u in found.get_unique_constraints(table)
            } if found.has_table(table) else set()


def for_bulk_work(session: Session | Connection) -> None:
    """PostgreSQL, for the rest of this transaction: no JIT compilation (a second or two per
    query over ten million rows, more than it saves), and memory to sort a million rows at
    once, for an index or a window, instead of spilling them to disk."""
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        session.execute(text("SET LOCAL work_mem = '256MB'"))


def refresh_statistics(session: Session | Connection, *tables: str) -> None:
    """PostgreSQL: fresh planner statistics for tables a bulk write just changed (sampling,
    a fraction of a second). Planned from a table's estimate of a few rows, a join over its
    new tens of thousands goes row by row."""
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {', '.join(tables)}"))


@contextmanager
def index_ordered_grouping(session: Session) -> Iterator[None]:
    """PostgreSQL, for the queries inside: GROUP BY customer walks the (customer, ...) index in
    order instead of hashing. The planner's guess of distinct customers among ten million
    skewed purchases is under half the truth, so it picks a hash that spills to disk and then
    sorts: five times slower than the streaming plan on a million customers."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SET LOCAL enable_hashagg = off"))
    try:
        yield
    finally:
        if postgres:
            session.execute(text("RESET enable_hashagg"))


@contextmanager
def rewritten(session: Session | Connection, table: Table) -> Iterator[Table]:
    """`with rewritten(session, table) as target:` the block writes every row anew into
    `target`, and they replace the table's rows when it ends (no commit). For bulk rewrites of
    tables no foreign key names.

    PostgreSQL: `target` is a new table with the same columns but no keys or indexes. At the
    end they are built (one sort each instead of a million scattered index inserts), the new
    table takes the old one's place and name, and gets planner statistics. Readers read the old
    rows until the transaction commits; writers, and another rewrite of the table, wait from
    the start: nothing they write could then be dropped with the old table. Privileges granted
    on the table are not carried over.

    SQLite: the rows are deleted and the indexes built again after the write, in place.
    """
    conn = session.connection() if isinstance(session, Session) else session
    if conn.dialect.name != "postgresql":
        conn.execute(table.delete())
        for index in table.indexes:
            index.drop(conn)
        yield table
        for index in table.indexes:
            index.create(conn)
        return
    conn.exec_driver_sql(f'LOCK TABLE "{table.name}" IN SHARE ROW EXCLUSIVE MODE')
    target = table.to_metadata(MetaData(), name=f"{table.name}_next")
    conn.exec_driver_sql(
        f'CREATE TABLE "{target.name}" (LIKE "{table.name}" INCLUDING ALL EXCLUDING INDEXES)')
    yield target
    indexes = conn.execute(text(
        "SELECT quote_ident(i.relname), quote_ident(i.relname || '_next'), "
        "       pg_get_indexdef(x.indexrelid), c.contype, "
        "       quote_ident(n.nspname) || '.' || quote_ident(t.relname), "
        "       quote_ident(n.nspname) || '.' || quote_ident(:target) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = CAST(:table AS regclass)"),
        {"table": f'"{table.name}"', "target": target.name}).all()
    for name, built_name, definition, _, old, new in indexes:
        built = definition.replace(f" {name} ON {old} ", f" {built_name} ON {new} ", 1)
        if built == definition:
            raise RuntimeError(f"cannot rebuild index {name}: {definition}")
        conn.exec_driver_sql(built)
    for sequence, column in conn.execute(text(  # a serial column's: it goes on counting
            "SELECT s.oid::regclass::text, quote_ident(a.attname) FROM pg_depend d "
            "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
            "WHERE d.refobjid = CAST(:table AS regclass) AND d.deptype = 'a'"),
            {"table": f'"{table.name}"'}):
        conn.exec_driver_sql(f'ALTER SEQUENCE {sequence} OWNED BY "{target.name}".{column}')
    conn.exec_driver_sql(f'DROP TABLE "{table.name}"')
    conn.exec_driver_sql(f'ALTER TABLE "{target.name}" RENAME TO "{table.name}"')
    for name, built_name, _, constraint, _, _ in indexes:
        if constraint in ("p", "u"):  # the constraint takes the index, and renames it
            kind = "PRIMARY KEY" if constraint == "p" else "UNIQUE"
            conn.exec_driver_sql(
                f'ALTER TABLE "{table.name}" ADD CONSTRAINT {name} {kind} USING INDEX {built_name}')
        else:
            conn.exec_driver_sql(f"ALTER INDEX {built_name} RENAME TO {name}")
    refresh_statistics(conn, f'"{table.name}"')  # a new table has none


def plain_rows(session: Session | Connection, stmt) -> list[tuple]:
    """A query's rows as the driver returns them, plain tuples, in the session's transaction:
    for reads of a million rows, where SQLAlchemy's row objects cost more than the query.
    PostgreSQL sends them in binary, the same Python values with less parsing (a million
    aggregated customers: 0.6 s to fetch instead of 1.1 s)."""
    conn = session.connection() if isinstance(session, Session) else session
    sql = str(stmt.compile(conn.engine, compile_kwargs={"literal_binds": True}))
    dbapi = conn.connection.dbapi_connection
    cursor = dbapi.cursor(binary=True) if conn.dialect.name == "postgresql" else dbapi.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def object_columns(rows: list[tuple], width: int) -> np.ndarray:
    """Rows as a (rows, width) array of objects, whose columns NumPy converts whole
    (`table[:, 1].astype(np.int64)`, None to NaN with `astype(float)`): a million 7-tuples
    take 0.3 s, where `zip(*rows)` and an array per column took 1.0 s."""
    table = np.empty((len(rows), width), dtype=object)
    if rows:
        table[:] = rows
    return table


def rows_in_key_ranges(session: Session, query: Callable[[ColumnElement[bool]], Select],
                       key: Column, parts: int = 2) -> list[tuple]:
    """The plain rows of `query(within)`, a `GROUP BY key ORDER BY key` over a big table whose
    rows `within` limits to a range of `key`.

    On PostgreSQL `parts` ranges run at once, each a serial plan on a connection of its own
    that imports the session's snapshot, so together they read the data one query would. Ten
    million purchases grouped by customer take 5.2 s in two halves, 8.4 s as one parallel plan:
    its workers' partial groups meet in one process, which merges a million of them alone. The
    ranges split the rows evenly by the planner's histogram of `key`; without one (a new or
    small table) the query runs whole in the session. Either way groups walk the index.
    """
    bounds = _key_quantiles(session, key, parts)
    if not bounds:
        with index_ordered_grouping(session):
            return plain_rows(session, query(true()))
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    engine = session.get_bind()

    def run(within: ColumnElement[bool]) -> list[tuple]:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))  # the exported id
            for_bulk_work(conn)
            conn.execute(text("SET LOCAL enable_hashagg = off"))
            conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
            return plain_rows(conn, query(within))

    edges = [None, *bounds, None]
    ranges = [and_(true() if lo is None else key >= lo, true() if hi is None else key < hi)
              for lo, hi in itertools.pairwise(edges)]
    with ThreadPoolExecutor(max_workers=len(ranges), thread_name_prefix="key-range") as pool:
        return [row for rows in pool.map(run, ranges) for row in rows]


def _key_quantiles(session: Session, key: Column, parts: int) -> list[str]:
    """`parts - 1` values of `key` that split its table's rows evenly, from PostgreSQL's
    statistics; none on SQLite or where the table has no histogram yet."""
    if session.get_bind().dialect.name != "postgresql" or parts < 2:
        return []
    histogram = session.execute(text(
        "SELECT histogram_bounds::text::text[] FROM pg_stats WHERE schemaname = "
        "current_schema() AND tablename = :table AND attname = :column"),
        {"table": key.table.name, "column": key.name}).scalar()
    if not histogram or len(histogram) < 2 * parts:
        return []
    return list(dict.fromkeys(histogram[len(histogram) * k // parts] for k in range(1, parts)))


Rows = Callable[[], list[tuple]]


@contextmanager
def reads_beside(session: Session) -> Iterator[Callable[[object], Rows]]:
    """`with reads_beside(session) as read:` `rows = read(stmt)` starts a query; `rows()` waits
    for its plain rows.

    On PostgreSQL the queries run one after another on a second connection in a worker thread,
    so big reads overlap the session's own statements: the server works on both cores, and
    Python converts these rows while the session waits for its own. They see committed data,
    as the session would at READ COMMITTED: start them before the session writes what they
    read. On SQLite a query runs in the session at once, so `rows()` may be asked for in
    any thread.
    """
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        def read_here(stmt) -> Rows:
            rows = plain_rows(session, stmt)
            return lambda: rows
        yield read_here
        return

    def read_alone(stmt) -> list[tuple]:
        with engine.connect() as conn:
            return plain_rows(conn, stmt)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-beside") as worker:
        yield lambda stmt: worker.submit(read_alone, stmt).result


def bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """Insert many rows with one driver-level executemany, skipping per-value SQLAlchemy work.

    Values are converted once per column kind (JSON to text, aware datetimes to what the dialect
    stores, decimals and dates for SQLite); every row must carry the same keys. For 100,000-row
    imports this is several times faster than `session.execute(table.insert(), rows)`.
    """
    if rows:
        names = list(rows[0])
        pick = itemgetter(*names)
        values = [pick(row) for row in rows] if len(names) > 1 else [(r[names[0]],) for r in rows]
        bulk_insert_columns(session, table, dict(zip(names, zip(*values, strict=True),
                                                     strict=True)))


def bulk_insert_columns(session: Session, table, columns: dict[str, list]) -> None:
    """`bulk_insert` for data already held column by column (as NumPy code produces it):
    lists, or NumPy arrays without NULLs."""
    if not columns or not len(next(iter(columns.values()))):
        return
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    names = list(columns)
    converted = [_convert(table.c[name].type, columns[name], sqlite) for name in names]
    quoted = ", ".join(f'"{name}"' for name in names)
    if sqlite:
        sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join(["?"] * len(names))})'
        conn.exec_driver_sql(sql, list(zip(*converted, strict=True)))
        return
    # PostgreSQL: COPY in the session's own transaction, far faster than INSERT batches; its
    # data is built column by column (a million rows of scores: seconds less than row by
    # row), in binary where every column allows. A writer thread sends each chunk while the
    # next is built: both cores busy.
    encoders = [copy_binary.encoder(table.c[name].type) for name in names]
    if None not in encoders:
        try:
            with conn.begin_nested():  # a value binary cannot carry undoes it all: text
                _copy_binary(conn, table, quoted, encoders, converted)
            return
        except _NotBinary:
            pass
    _copy_text(conn, table, quoted, names, converted)


class _NotBinary(Exception):
    pass


def _copy_binary(conn, table, quoted: str, encoders: list, columns: list[list]) -> None:
    with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({quoted}) FROM STDIN (FORMAT BINARY)',
            writer=QueuedLibpqWriter(cursor)) as copy:
        copy.write(copy_binary.SIGNATURE)
        for start in range(0, len(columns[0]), COPY_CHUNK):
            block = copy_binary.block(encoders, [values[start:start + COPY_CHUNK]
                                                 for values in columns])
            if block is None:
                raise _NotBinary
            copy.write(block)
        copy.write(copy_binary.TRAILER)


def _copy_text(conn, table, quoted: str, names: list[str], converted: list) -> None:
    kinds = [_copy_kind(table.c[name].type) for name in names]
    converted = [v.tolist() if isinstance(v, np.ndarray) else v for v in converted]
    with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({quoted}) FROM STDIN',
            writer=QueuedLibpqWriter(cursor)) as copy:
        if None in kinds:
            for row in zip(*converted, strict=True):
                copy.write_row(row)
            return
        for start in range(0, len(converted[0]), COPY_CHUNK):
            fields = [_copy_field(values[start:start + COPY_CHUNK], kind)
                      for values, kind in zip(converted, kinds, strict=True)]
            copy.write("\n".join(map("\t".join, zip(*fields, strict=True))) + "\n")


COPY_CHUNK = 20_000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_PLAIN = (bool, int, float, Decimal, date, datetime)  # their str() is COPY's text


def _copy_kind(column_type) -> str | None:
    """'text' (escaped), 'plain' (str() will do), or None: written row by row."""
    if isinstance(column_type, JSON | String) or isinstance(  # SQLModel's AutoString too
            getattr(column_type, "impl_instance", None), String):
        return "text"
    try:
        return "plain" if column_type.python_type in _COPY_PLAIN else None
    except NotImplementedError:
        return None


def _copy_field(values, kind: str) -> list[str]:
    """One column's values in COPY's text format: NULL as \\N; in text, backslash, tab and
    line breaks escaped (looked for in the whole column at once: most hold none)."""
    values = values.tolist() if hasattr(values, "tolist") else list(values)  # NumPy: plain
    if _constant(values):  # a run's date or timestamp on every row: one conversion
        text = str(values[0]).translate(_COPY_ESCAPES) if kind == "text" else str(values[0])
        return ["\\N" if values[0] is None else text] * len(values)
    nulls = None in values
    texts = list(map(str, [v for v in values if v is not None] if nulls else values))
    if kind == "text":
        joined = "".join(texts)
        if any(c in joined for c in "\\\t\n\r"):
            texts = [t.translate(_COPY_ESCAPES) for t in texts]
    if nulls:
        rest = iter(texts)
        texts = ["\\N" if v is None else next(rest) for v in values]
    return texts


def _constant(values: list) -> bool:
    """Every value the same (counted only when the ends and the middle agree)."""
    first = values[0] if values else None
    return (len(values) > 1 and values[-1] == first and values[len(values) // 2] == first
            and values.count(first) == len(values))


_gc_lock = threading.Lock()
_gc_pausers = 0


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """For bulk work on plain rows (imports, full recomputes): they allocate millions of objects,
    and every full pass of the cyclic collector walks all of them, a third of such a job's
    Python time. Plain rows form no cycles (reference counting frees them), so the collector
    rests until the last concurrent bulk job ends."""
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        if _gc_pausers == 1:
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0:
                gc.enable()


@contextmanager
def streaming_insert(session: Session, table) -> Iterator[Callable[[dict], None]]:
    """`with streaming_insert(session, table) as add:` inserts the rows `add` is given, in bulk.

    On PostgreSQL the rows stream into one COPY as they come, so the server inserts and indexes
    them on its own core while the caller computes the next ones; on SQLite batches go to a
    worker thread. Every row carries the keys of the first; the caller must not use the session
    inside the block.
    """
    if session.get_bind().dialect.name != "postgresql":
        with _sqlite_streaming_insert(session, table) as add:
            yield add
        return
    with ExitStack() as stack:
        copy = pick = None
        json_columns: list[int] = []

        def add(row: dict) -> None:
            nonlocal copy, pick
            if copy is None:
                names = list(row)
                pick = itemgetter(*names) if len(names) > 1 else lambda r: (r[names[0]],)
                json_columns.extend(i for i, name in enumerate(names)
                                    if isinstance(table.c[name].type, JSON))
                quoted = ", ".join(f'"{name}"' for name in names)
                cursor = stack.enter_context(
                    session.connection().connection.dbapi_connection.cursor())
                copy = stack.enter_context(cursor.copy(
                    f'COPY "{table.name}" ({quoted}) FROM STDIN'))
            values = pick(row)
            if json_columns:
                values = list(values)
                for i in json_columns:
                    if values[i] is not None:
                        values[i] = json_dumps(values[i])
            copy.write_row(values)

        yield add


@contextmanager
def _sqlite_streaming_insert(session: Session, table, batch_size: int = 5000
                             ) -> Iterator[Callable[[dict], None]]:
    """Batches go to a worker thread as one INSERT ... SELECT FROM json_each(batch) each: a
    single statement, during which sqlite3 holds no GIL, so the caller computes meanwhile."""
    conn = session.connection().connection.dbapi_connection
    pending: list[dict] = []
    batches: list[Future] = []

    def insert(rows: list[dict]) -> None:
        names = list(rows[0])
        columns = [_convert(table.c[name].type, [row[name] for row in rows], True)
                   for name in names]
        quoted = ", ".join(f'"{name}"' for name in names)
        picked = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(names)))
        conn.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {picked} FROM json_each(?)',
                     (orjson.dumps(list(zip(*columns, strict=True))),))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-insert") as worker:
        def add(row: dict) -> None:
            pending.append(row)
            if len(pending) >= batch_size:
                batches.append(worker.submit(insert, pending[:]))
                pending.clear()

        try:
            yield add
        except BaseException:
            for batch in batches:
                batch.cancel()
            raise
        if pending:
            batches.append(worker.submit(insert, pending))
        for batch in batches:
            batch.result()


def _convert(column_type, values: list | np.ndarray, sqlite: bool) -> list | np.ndarray:
    """One column's values as the driver takes them; comprehensions, as this runs per value.
    NumPy arrays of numbers, booleans or days stay arrays for PostgreSQL's binary COPY."""
    if isinstance(values, np.ndarray) and (sqlite or values.dtype.kind == "O"):
        values = values.tolist()
    if isinstance(column_type, JSON):
        return _json_column(values)
    if isinstance(column_type, UTCDateTime):
        if not sqlite:
            return values
        seen: dict[datetime, str] = {}  # rows written together mostly share one timestamp
        return [None if v is None else seen.get(v) or seen.setdefault(v, _sqlite_datetime(v))
                for v in values]
    if sqlite and column_type.python_type is Decimal:
        return [str(v) if isinstance(v, Decimal) else v for v in values]
    if sqlite and column_type.python_type is date:
        return [v.isoformat() if isinstance(v, date) else v for v in values]
    return values


def _json_column(values: list) -> list:
    """JSON texts of a whole column: orjson called directly per value (a million reasons lists
    in a recompute), or, when a value needs the standard module, `json_dumps` per value."""
    dumps, option = orjson.dumps, orjson.OPT_NON_STR_KEYS
    try:
        return [None if v is None else dumps(v, default=str, option=option).decode()
                for v in values]
    except TypeError:
        return [None if v is None else json_dumps(v) for v in values]


def _sqlite_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite format
