"""Engines, sessions and migrations for SQLite (embedded) and PostgreSQL (production)."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

log = logging.getLogger("guanxi.db")
MIGRATION_LOCK_ID = 7_402_113  # arbitrary constant: one advisory lock id for migrations


def normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def make_sessionmaker(engine: Engine, *, subscribers: dict[str, str] | None = None) -> sessionmaker:
    """Sessions carry the outbox subscribers so that `publish` needs only the session."""
    return sessionmaker(engine, class_=Session, expire_on_commit=False,
                        info={"subscribers": dict(subscribers or {})})


def session_scope(factory: sessionmaker) -> Iterator[Session]:
    with factory() as session:
        yield session


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
                      render_as_batch=conn.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
