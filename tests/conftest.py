"""Cross-service fixtures: the real five processes on free ports, on SQLite and PostgreSQL."""
from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from guanxi_testing.fixtures import suite_databases

# tests/harness.py (the workload and suite helpers of the load, fault and fuzz tests).
sys.path.insert(0, str(Path(__file__).parent))
from harness import start_suite


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def suite(request, tmp_path_factory):
    with suite_databases(request.param) as databases:
        s = start_suite(tmp_path_factory.mktemp("suite"), databases)
        yield s
        s.stop_all()


@pytest.fixture
def gateway(suite):
    with httpx.Client(base_url=suite.url("gateway"), timeout=30,
                      headers={"Authorization": f"Bearer {suite.admin_api_key}"}) as client:
        yield client
