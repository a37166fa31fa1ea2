"""Two processes of every service on PostgreSQL, each pair behind its own round-robin address
(issue 19): under a mixed load from several clients, one replica of each service is killed
(SIGKILL) in turn and restarted. Every acknowledged write is then stored once in the registry
and counted once in segmentation's read model; every birthday greeting is emailed exactly
once although the engagement scheduler's leader was killed between two waves of them."""
from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import Counter
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from harness import (
    API,
    FAST_DISPATCH,
    Ledger,
    ReplicaSuite,
    collect,
    discover_routes,
    gateway_client,
    run_workload,
    verify,
)

from guanxi_shared.suite import APPS
from guanxi_testing.fixtures import (
    create_postgres_database,
    drop_postgres_database,
    free_port,
    redis_test_url,
    require_postgres,
)

KILL_ORDER = ["registry", "segmentation", "needs", "gateway", "engagement"]


class Inbox(Sink):
    def __init__(self):
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # the aiosmtpd interface
        self.recipients += envelope.rcpt_tos
        return "250 OK"


def redis_env() -> dict[str, str]:
    """The gateway replicas share their limits when a Redis answers (not required here)."""
    import redis

    try:
        redis.Redis.from_url(redis_test_url(), socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError):
        return {}
    return {"GUANXI_REDIS_URL": redis_test_url(),
            "GUANXI_GATEWAY_REDIS_PREFIX": f"guanxi-replicas:{uuid.uuid4().hex}:"}


@pytest.fixture(scope="module")
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, box
    controller.stop()


@pytest.fixture(scope="module")
def suite(tmp_path_factory, inbox):
    require_postgres()
    databases = {name: create_postgres_database(f"gx_rep_{name}") for name in APPS}
    s = ReplicaSuite(data_dir=tmp_path_factory.mktemp("replicas"), secret=secrets.token_hex(32),
                     admin_api_key=secrets.token_urlsafe(24),
                     ports={name: free_port() for name in APPS}, database_urls=databases,
                     extra_env={**FAST_DISPATCH, **redis_env(),
                                "GUANXI_ENGAGEMENT_SMTP_PORT": str(inbox[0]),
                                "GUANXI_ENGAGEMENT_SEND_INTERVAL_SECONDS": "1",
                                "GUANXI_ENGAGEMENT_LEADER_RETRY_SECONDS": "1",
                                "GUANXI_ENGAGEMENT_GREETING_HOUR": "0"})
    s.start_all()
    yield s
    s.stop_all()
    for url in databases.values():
        drop_postgres_database(url)


def leader(suite: ReplicaSuite) -> int | None:
    """The engagement replica whose log says it took the scheduler lock last."""
    last = {}
    for index in range(suite.replicas):
        lines = suite.log_of("engagement", index).read_text(errors="replace").splitlines()
        taken = [n for n, line in enumerate(lines) if "scheduler leader" in line]
        lost = [n for n, line in enumerate(lines) if "leadership lost" in line]
        if taken and (not lost or taken[-1] > lost[-1]) and f"engagement/{index}" in \
                suite.processes:
            last[index] = taken[-1]
    return next(iter(last), None)


def birthday_wave(client, label: str, count: int) -> dict[str, str]:
    """Customers with a contact whose birthday is today: {contact id: email address}."""
    today = date.today()
    born = date(1984, 2, 29) if (today.month, today.day) == (2, 29) else today.replace(year=1984)
    contacts = {}
    for n in range(count):
        customer = client.post(f"{API}/registry/customers", json={
            "kind": "person", "name": f"greet-{label}-{n}"}).raise_for_status().json()
        address = f"{label}-{n}-{uuid.uuid4().hex[:6]}@example.test"
        contact = client.post(f"{API}/registry/customers/{customer['id']}/contacts", json={
            "name": f"Contact {label} {n}", "birthday_calendar": "solar",
            "birthday": born.isoformat(), "email": address}).raise_for_status().json()
        contacts[contact["id"]] = address
    return contacts


def run_until_greeted(client, contacts: dict[str, str], timeout: float = 120) -> None:
    """The day's run (idempotent) until engagement has a greeting for each new contact: the
    contacts reach it by events, so the first runs may not know them all yet."""
    deadline = time.monotonic() + timeout
    while True:
        client.post(f"{API}/engagement/runs", json={"on": date.today().isoformat(),
                                                    "send": False}).raise_for_status()
        greeted = {m["contact_id"] for m in collect(client, f"{API}/engagement/messages")}
        if set(contacts) <= greeted:
            return
        assert time.monotonic() < deadline, "engagement never heard of the new contacts"
        time.sleep(1)


def test_replicas_killed_in_turn_lose_and_duplicate_nothing(suite, inbox):
    _, box = inbox
    for _ in range(2 * suite.replicas):  # each gateway replica merges the OpenAPI once whole
        with gateway_client(suite) as client:
            paths = discover_routes(client, timeout=180)
            assert f"{API}/registry/purchases" in paths and any("agenda" in p for p in paths)
    with gateway_client(suite) as client:
        # no quiet hours: the waves must go out whatever the hour in Shanghai when this runs
        client.patch(f"{API}/engagement/policies", json={
            "quiet_start": 0, "quiet_end": 0}).raise_for_status()
        client.post(f"{API}/engagement/rules", json={
            "name": "birthday", "trigger": "birthday", "channel": "email"}).raise_for_status()
        wave_one = birthday_wave(client, "w1", 10)
        run_until_greeted(client, wave_one)
    first = set(wave_one.values())

    ledger, stop = Ledger(), threading.Event()
    load = threading.Thread(target=run_workload, args=(suite, 600), kwargs={
        "clients": 4, "patience": 60, "ledger": ledger, "stop": stop})
    load.start()
    try:
        time.sleep(3)
        for name in KILL_ORDER:
            index = 0
            if name == "engagement":  # the scheduler's leader, once wave one went out
                deadline = time.monotonic() + 180  # a slow hour of a shared machine
                while not first <= set(box.recipients):
                    assert time.monotonic() < deadline, "wave one was not sent"
                    time.sleep(0.5)
                index = leader(suite)
                assert index is not None, "no engagement replica says it leads"
            suite.kill(name, index)
            if name == "engagement":
                with gateway_client(suite) as client:  # the survivor must send these
                    wave_two = birthday_wave(client, "w2", 10)
                    run_until_greeted(client, wave_two)
            time.sleep(1)
            suite.start_replica(name, index)
            suite.wait_replica(name, index)
            time.sleep(2)
    finally:
        stop.set()
        load.join()

    second = set(wave_two.values())
    assert ledger.customers and ledger.purchases, ledger.statuses
    verify(suite, ledger, timeout=120)  # stored once, counted once by segmentation
    deadline = time.monotonic() + 90
    while not (first | second) <= set(box.recipients) and time.monotonic() < deadline:
        time.sleep(0.5)
    sent = Counter(box.recipients)
    assert {a for a in first | second if sent[a] != 1} == set(), sent
    took_over = [i for i in range(suite.replicas)
                 if "scheduler leader" in suite.log_of("engagement", i).read_text()]
    assert len(took_over) == 2, "the scheduler lock did not move to the other replica"
