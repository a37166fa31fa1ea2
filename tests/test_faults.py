"""Faults under load, on a private PostgreSQL server: after each, nothing lost or duplicated.

The machine's shared PostgreSQL serves other test runs, so this module starts its own server
(initdb + pg_ctl on a free port, trust auth) which it can stop and start at will.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import date
from decimal import Decimal
from glob import glob
from pathlib import Path

import httpx
import pytest
from harness import API, Ledger, gateway_client, run_workload, start_suite, verify
from sqlalchemy import create_engine, text

from guanxi_shared.suite import APPS
from guanxi_testing.fixtures import free_port

PG_BIN = sorted(glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(not PG_BIN, reason="PostgreSQL server binaries not installed")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster run as the `postgres` OS user when tests run as root."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="gx-faults-pg-"))
        self.port = free_port()
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.pg(["initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])

    def pg(self, argv: list[str]) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, f"{PG_BIN[-1]}/{argv[0]}", *argv[1:]], check=True,  # noqa: S603
                       capture_output=True, cwd=self.dir)

    def start(self) -> None:
        self.pg(["pg_ctl", "-D", str(self.data), "-l", str(self.dir / "pg.log"), "-w", "start",
                 "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                       "-c max_connections=200 -c fsync=off"])

    def stop(self) -> None:
        self.pg(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_databases(self) -> dict[str, str]:
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in APPS:
                conn.execute(text(f'CREATE DATABASE "gx_{name}"'))
        engine.dispose()
        return {name: self.url(f"gx_{name}") for name in APPS}

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def suite(postgres, tmp_path_factory):
    s = start_suite(tmp_path_factory.mktemp("faults"), postgres.create_databases())
    yield s
    s.stop_all()


def under_load(suite, fault, seconds: float = 10, clients: int = 3) -> Ledger:
    """Run the workload (clients retry through the fault) while `fault()` runs alongside."""
    ledger = Ledger()
    worker = threading.Thread(target=run_workload, args=(suite, seconds),
                              kwargs={"clients": clients, "patience": 45, "ledger": ledger})
    worker.start()
    try:
        time.sleep(2)
        fault()
    finally:
        worker.join()
    assert not ledger.crashes, ledger.crashes
    assert ledger.purchases and ledger.customers, ledger.statuses
    return ledger


def status(suite, name: str, path: str) -> int | None:
    try:
        return httpx.get(f"{suite.url(name)}{path}", timeout=2).status_code
    except httpx.HTTPError:
        return None


@pytest.mark.parametrize("victim", ["registry", "segmentation"])
def test_service_killed_under_load_and_restarted(suite, victim):
    def kill_and_restart():
        suite.stop(victim, signal.SIGKILL)
        time.sleep(1)
        suite.start(victim)
        suite.wait_ready(victim)

    verify(suite, under_load(suite, kill_and_restart))


def test_postgres_restarted_under_load(suite, postgres):
    down: dict[str, int | None] = {}

    def restart_database():
        postgres.stop()
        down.update({name: status(suite, name, "/readyz") for name in APPS})
        time.sleep(2)
        postgres.start()
        deadline = time.monotonic() + 30
        while any(status(suite, n, "/readyz") != 200 for n in APPS):
            assert time.monotonic() < deadline, "services did not recover without a restart"
            time.sleep(0.2)

    ledger = under_load(suite, restart_database)
    assert down == dict.fromkeys(APPS, 503)
    assert all(proc.poll() is None for proc in suite.processes.values())  # never restarted
    verify(suite, ledger)


def test_subscriber_down_while_events_pile_up(suite):
    suite.stop("segmentation")
    ledger = run_workload(suite, 6, clients=3)
    customers = list(ledger.customers)
    bulk = [{"customer_id": customers[i % len(customers)], "amount": f"{i % 97 + 1}.50",
             "purchased_on": date.today().isoformat(), "external_ref": f"load-{uuid.uuid4().hex}"}
            for i in range(2000)]
    with gateway_client(suite) as client:
        result = client.post(f"{API}/registry/purchases/bulk", json={"purchases": bulk})
        assert result.status_code == 200, result.text
        for item in result.json()["items"]:
            assert item["outcome"] == "created", item
            sent = bulk[item["index"]]
            ledger.purchases[sent["external_ref"]] = (sent["customer_id"], Decimal(sent["amount"]))
    time.sleep(3)  # the registry's dispatcher backs off against the missing subscriber
    suite.start("segmentation")
    suite.wait_ready("segmentation")
    verify(suite, ledger)


def test_request_retried_after_timeout_with_same_key(suite):
    name = f"retry-{uuid.uuid4().hex}"
    key, purchase_key = uuid.uuid4().hex, uuid.uuid4().hex
    impatient = httpx.Timeout(10, read=0.001)
    with gateway_client(suite) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post(f"{API}/registry/customers", json={"kind": "person", "name": name},
                        headers={"Idempotency-Key": key}, timeout=impatient)
        created = retry_until_done(client, f"{API}/registry/customers",
                                   {"kind": "person", "name": name}, key)
        assert created.status_code == 201, created.text
        customer_id = created.json()["id"]
        purchase = {"customer_id": customer_id, "amount": "88.80",
                    "purchased_on": date.today().isoformat()}
        with pytest.raises(httpx.ReadTimeout):
            client.post(f"{API}/registry/purchases", json=purchase,
                        headers={"Idempotency-Key": purchase_key}, timeout=impatient)
        first = retry_until_done(client, f"{API}/registry/purchases", purchase, purchase_key)
        again = retry_until_done(client, f"{API}/registry/purchases", purchase, purchase_key)
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]
        found = client.get(f"{API}/registry/customers", params={"q": name}).json()["items"]
        assert [c["id"] for c in found] == [customer_id]
        stored = client.get(f"{API}/registry/purchases", params={"customer_id": customer_id})
        assert [p["id"] for p in stored.json()["items"]] == [first.json()["id"]]
        deadline = time.monotonic() + 30
        while True:
            card = client.get(f"{API}/segmentation/customers/{customer_id}/value")
            if card.status_code == 200 and card.json()["purchase_count"] == 1:
                break
            assert time.monotonic() < deadline, card.text
            time.sleep(0.2)
        assert Decimal(str(card.json()["total_spend"])) == Decimal("88.80")


def retry_until_done(client: httpx.Client, path: str, body: dict, key: str) -> httpx.Response:
    """What a careful client does: the same request and key until it is no longer running."""
    deadline = time.monotonic() + 30
    while True:
        resp = client.post(path, json=body, headers={"Idempotency-Key": key})
        if not (resp.status_code == 409 and "still running" in resp.text):
            return resp
        assert time.monotonic() < deadline
        time.sleep(0.05)
