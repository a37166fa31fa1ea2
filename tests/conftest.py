"""Cross-service fixtures: the real five processes on free ports, on SQLite and PostgreSQL."""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import httpx
import pytest

from guanxi_shared.suite import APPS
from guanxi_testing.fixtures import (
    create_postgres_database,
    drop_postgres_database,
    free_port,
    require_postgres,
)
from guanxi_testing.runner import Suite

# tests/harness.py (the workload and suite helpers of the load, fault and fuzz tests).
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def suite(request, tmp_path_factory):
    databases: dict[str, str] = {}
    if request.param == "postgresql":
        require_postgres()
        databases = {name: create_postgres_database(f"gx_{name}") for name in APPS}
    s = Suite(data_dir=tmp_path_factory.mktemp("suite"), secret=secrets.token_hex(32),
              admin_api_key=secrets.token_urlsafe(24),
              ports={name: free_port() for name in APPS}, database_urls=databases,
              extra_env={"GUANXI_DISPATCH_INTERVAL_SECONDS": "0.1",
                         **{f"GUANXI_{n.upper()}_DISPATCH_INTERVAL_SECONDS": "0.1" for n in APPS},
                         **{f"GUANXI_{n.upper()}_DISPATCH_MAX_BACKOFF_SECONDS": "1" for n in APPS}})
    s.start_all()
    yield s
    s.stop_all()
    for url in databases.values():
        drop_postgres_database(url)


@pytest.fixture
def gateway(suite):
    with httpx.Client(base_url=suite.url("gateway"), timeout=30,
                      headers={"Authorization": f"Bearer {suite.admin_api_key}"}) as client:
        yield client
