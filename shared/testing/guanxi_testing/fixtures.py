"""Pytest fixtures shared by every service: SQLite and PostgreSQL databases, credentials.

A service's conftest does `pytest_plugins = ["guanxi_testing.fixtures"]` and builds its app
from the `database_url` fixture; every test then runs once on SQLite and once on PostgreSQL
(skipped when no server answers, unless CI=true, where a missing server is an error).
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from guanxi_shared.auth import Principal, Role, mint_token
from guanxi_shared.db import make_engine, normalise_url
from guanxi_shared.suite import APPS

TEST_SECRET = "test-internal-secret-" + uuid.uuid4().hex
os.environ.setdefault("GUANXI_INTERNAL_SECRET", TEST_SECRET)
SECRET = os.environ["GUANXI_INTERNAL_SECRET"]


def postgres_admin_url() -> str:
    return os.environ.get("GUANXI_TEST_POSTGRES_URL",
                          "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_available() -> bool:
    try:
        engine = create_engine(normalise_url(postgres_admin_url()),
                               connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def create_postgres_database(prefix: str) -> str:
    """A fresh, empty database; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(postgres_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return normalise_url(postgres_admin_url()).rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(normalise_url(postgres_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def require_postgres() -> None:
    if postgres_available():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but PostgreSQL is not reachable at GUANXI_TEST_POSTGRES_URL")
    pytest.skip("PostgreSQL not reachable; set GUANXI_TEST_POSTGRES_URL to run these")


@contextmanager
def suite_databases(backend: str, prefix: str = "gx") -> Iterator[dict[str, str]]:
    """The `database_urls` of a suite of processes on `backend`: none for "sqlite" (each keeps
    a file in the suite's folder); for "postgresql" a fresh database each, dropped after."""
    if backend != "postgresql":
        yield {}
        return
    require_postgres()
    databases = {name: create_postgres_database(f"{prefix}_{name}") for name in APPS}
    try:
        yield databases
    finally:
        for url in databases.values():
            drop_postgres_database(url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_backend(request, tmp_path_factory) -> Iterator[str]:
    """One migrated-on-first-use database per backend for the whole test session."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    require_postgres()
    url = create_postgres_database("gx_test")
    yield url
    drop_postgres_database(url)


@pytest.fixture
def database_url(database_backend: str) -> Iterator[str]:
    """The session's database, emptied after each test."""
    yield database_backend
    empty_database(database_backend)


def empty_database(url: str) -> None:
    engine = make_engine(url)
    tables = [t for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        existing = set(conn.dialect.get_table_names(conn))
        names = [t.name for t in tables if t.name in existing]
        if conn.dialect.name == "postgresql" and names:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)
                              + " RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f'DELETE FROM "{name}"'))
    engine.dispose()


TEST_TOKEN_TTL_SECONDS = 6 * 3600


def token(role: Role | str = Role.admin, sub: str = "u-admin", team_id: str | None = None,
          scopes: list[str] | None = None) -> str:
    principal = Principal(sub=sub, role=Role(role), team_id=team_id, scopes=scopes or [])
    # Tests mint headers once per module; a busy machine can take longer than the 5-minute
    # production lifetime to reach the last test of a module.
    return mint_token(principal, SECRET, ttl=TEST_TOKEN_TTL_SECONDS)


def auth(role: Role | str = Role.admin, sub: str = "u-admin", team_id: str | None = None,
         scopes: list[str] | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, sub, team_id, scopes)}"}


def serve(app) -> Iterator:
    """A service's `client` fixture: `yield from serve(create_app(settings))`, the app started
    and called as the admin (a request may send other headers)."""
    from fastapi.testclient import TestClient

    with TestClient(app, headers=auth()) as client:
        yield client


def published(client, event_type: str) -> list[dict]:
    """The data of every `event_type` event in the app's outbox, oldest first (the outbox
    keeps them only while the app has a subscriber)."""
    from sqlalchemy import select

    from guanxi_shared.events import OutboxEvent

    with client.app.state.sessions() as session:
        rows = session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == event_type).order_by(OutboxEvent.created_at))
        return [row.payload["data"] for row in rows]


def assert_problem(resp, status: int) -> dict:
    """The response is problem details with this status."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers
    body = resp.json()
    assert body["status"] == status and body["title"] and body["type"] and "detail" in body
    return body


def eventually(check, timeout: float = 20.0, interval: float = 0.1):
    """Poll `check` until it returns a truthy value; events are asynchronous by design."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def paged_registry(pages: dict[str, list[dict]], caller: str):
    """A ServiceClient whose registry answers a list path with its first page, then, asked
    with a cursor, its second: for resync tests."""
    import httpx

    from guanxi_shared.client import ServiceClient

    def registry(request: httpx.Request) -> httpx.Response:
        page = 1 if request.url.params.get("cursor") else 0
        return httpx.Response(200, json=pages[request.url.path][page])

    return ServiceClient(base_url="http://registry", caller=caller, secret="x" * 32,
                         transport=httpx.MockTransport(registry))


def redis_test_url() -> str:
    return os.environ.get("GUANXI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """The test Redis server's URL; skipped when none answers, except under CI=true."""
    import redis

    url = redis_test_url()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
        return url
    except (redis.RedisError, OSError) as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Redis is not reachable at GUANXI_TEST_REDIS_URL ({exc})")
        pytest.skip(f"Redis not reachable at {url} ({exc}); set GUANXI_TEST_REDIS_URL to run")


def rows_about(session, customer_id: str) -> dict[str, list[str]]:
    """Every row naming the customer, per table (a `*customer_id` column, or customer_ref's
    id), with the id written as <customer> and without what differs between two equal writes
    (integer surrogate keys, created_at, updated_at): so that two customers given the same
    data, then erased by two paths, can be compared."""
    from sqlalchemy import Integer, or_, select

    found: dict[str, list[str]] = {}
    for table in SQLModel.metadata.sorted_tables:
        keys = [c for c in table.c if c.name.endswith("customer_id")
                or (table.name == "customer_ref" and c.name == "id")]
        kept = [c for c in table.c if c.name not in ("created_at", "updated_at")
                and not (c.primary_key and isinstance(c.type, Integer))]
        if keys:
            rows = session.execute(select(*kept).where(or_(*(k == customer_id for k in keys))))
            found[table.name] = sorted(repr(dict(row._mapping)).replace(customer_id, "<customer>")
                                       for row in rows)
    return found


def erase_both_ways(client, send_erased, by_event: str, by_endpoint: str) -> dict[str, list[str]]:
    """Erase one customer through customer.erased (`send_erased(customer_id)`) and the other
    through DELETE /v1/privacy/customers/{id}; both must leave the same rows, returned."""
    send_erased(by_event)
    resp = client.delete(f"/v1/privacy/customers/{by_endpoint}")
    assert resp.status_code == 200, resp.text
    with client.app.state.sessions() as session:
        left = rows_about(session, by_event)
        assert left == rows_about(session, by_endpoint)
    return left
