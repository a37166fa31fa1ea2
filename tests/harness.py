"""What the load benchmark and the fault tests share: a suite, a mixed workload, a ledger.

The workload discovers its routes from the gateway's merged OpenAPI, so a kind whose endpoint
does not exist yet is skipped. Every write carries an Idempotency-Key (purchases also an
external_ref), so a client may retry after a timeout or a dropped connection without creating
a duplicate; the ledger records only writes that got a 2xx, and `verify` checks each is stored
once in the registry and counted once in segmentation's read model.
"""
from __future__ import annotations

import contextlib
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx

from guanxi_shared.suite import APPS
from guanxi_testing.fixtures import free_port
from guanxi_testing.runner import Suite

API = "/api/v1"
FAST_DISPATCH = {"GUANXI_DISPATCH_INTERVAL_SECONDS": "0.1",
                 **{f"GUANXI_{n.upper()}_DISPATCH_INTERVAL_SECONDS": "0.1" for n in APPS},
                 **{f"GUANXI_{n.upper()}_DISPATCH_MAX_BACKOFF_SECONDS": "1" for n in APPS}}


def start_suite(data_dir: Path, database_urls: dict[str, str] | None = None,
                extra_env: dict[str, str] | None = None) -> Suite:
    suite = Suite(data_dir=data_dir, secret=secrets.token_hex(32),
                  admin_api_key=secrets.token_urlsafe(24),
                  ports={name: free_port() for name in APPS}, database_urls=database_urls or {},
                  extra_env={**FAST_DISPATCH, **(extra_env or {})})
    suite.start_all()
    return suite


def gateway_client(suite: Suite, timeout: float = 30) -> httpx.Client:
    return httpx.Client(base_url=suite.url("gateway"), timeout=timeout,
                        headers={"Authorization": f"Bearer {suite.admin_api_key}"})


def discover_routes(client: httpx.Client, timeout: float = 30) -> set[str]:
    """The merged OpenAPI's paths, once every service is in it (it omits one that is slow)."""
    deadline = time.monotonic() + timeout
    while True:
        paths = set(client.get("/openapi.json").raise_for_status().json()["paths"])
        missing = [n for n in APPS if n != "gateway"
                   and not any(p.startswith(f"{API}/{n}/") for p in paths)]
        if not missing or time.monotonic() > deadline:
            return paths
        time.sleep(0.5)


def collect(client: httpx.Client, path: str, **params) -> list[dict]:
    """Every item of a cursor-paginated list."""
    items, cursor = [], None
    while True:
        page = client.get(path, params={**params, "limit": 200,
                                        **({"cursor": cursor} if cursor else {})})
        page.raise_for_status()
        body = page.json()
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


@dataclass
class Ledger:
    """What the clients were told: writes that got a 2xx, latencies, and every 5xx."""

    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    customers: dict[str, str] = field(default_factory=dict)  # id -> unique name
    unsure_names: set[str] = field(default_factory=set)  # create never answered: 0 or 1 stored
    purchases: dict[str, tuple[str, Decimal]] = field(default_factory=dict)  # ref -> (id, amt)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)  # a client thread that died, and why
    lock: threading.Lock = field(default_factory=threading.Lock)

    def customer_ids(self) -> list[str]:
        with self.lock:
            return list(self.customers)


class Worker:
    """One client of the mixed workload. `patience` > 0 retries through faults for that long."""

    def __init__(self, client: httpx.Client, ledger: Ledger, routes: set[str], seed: int,
                 patience: float = 0.0):
        self.client, self.ledger, self.rng, self.patience = client, ledger, random.Random(seed), patience
        agenda = sorted(p for p in routes if p.startswith(f"{API}/engagement/") and "agenda" in p
                        and "{" not in p)
        kinds = {"create": (f"{API}/registry/customers", 15),
                 "read": (f"{API}/registry/customers/{{customer_id}}", 25),
                 "list": (f"{API}/registry/customers", 12), "search": (f"{API}/registry/customers", 10),
                 "update": (f"{API}/registry/customers/{{customer_id}}", 10),
                 "purchase": (f"{API}/registry/purchases", 20),
                 "agenda": (agenda[0] if agenda else "", 8)}
        self.kinds = {k: w for k, (path, w) in kinds.items() if path in routes}
        self.agenda_path = agenda[0] if agenda else None

    def call(self, kind: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        """The response, retried through transport errors and 5xx while patient; None if lost."""
        deadline = time.monotonic() + self.patience
        while True:
            start = time.perf_counter()
            try:
                resp = self.client.request(method, path, **kwargs)
            except httpx.TransportError:
                resp = None
            with self.ledger.lock:
                self.ledger.latencies[kind].append(time.perf_counter() - start)
                self.ledger.statuses[resp.status_code if resp is not None else "transport"] += 1
                if resp is not None and resp.status_code >= 500:
                    self.ledger.server_errors.append(f"{method} {path}: {resp.status_code} "
                                                     f"{resp.text[:200]}")
            retry = resp is None or resp.status_code >= 500 or _still_running(resp)
            if not retry or time.monotonic() > deadline:
                return resp
            time.sleep(0.2)

    def step(self) -> None:
        kind = self.rng.choices(list(self.kinds), weights=list(self.kinds.values()))[0]
        ids = self.ledger.customer_ids()
        if kind in ("read", "update", "purchase") and not ids:
            kind = "create"
        getattr(self, kind)(ids)

    def create(self, _ids: list[str]) -> None:
        name = f"load-{self.ledger.run}-{uuid.uuid4().hex[:12]}"
        resp = self.call("create", "POST", f"{API}/registry/customers",
                         json={"kind": self.rng.choice(["person", "company"]), "name": name,
                               "region": self.rng.choice(["华东", "华北", "华南"])},
                         headers={"Idempotency-Key": uuid.uuid4().hex})
        with self.ledger.lock:
            if resp is not None and resp.is_success:
                self.ledger.customers[resp.json()["id"]] = name
            elif resp is None or resp.status_code >= 500 or _still_running(resp):
                self.ledger.unsure_names.add(name)

    def read(self, ids: list[str]) -> None:
        self.call("read", "GET", f"{API}/registry/customers/{self.rng.choice(ids)}")

    def list(self, _ids: list[str]) -> None:
        self.call("list", "GET", f"{API}/registry/customers",
                  params={"limit": 20, "region": self.rng.choice(["华东", "华北", "华南"])})

    def search(self, _ids: list[str]) -> None:
        self.call("search", "GET", f"{API}/registry/customers",
                  params={"q": f"load-{self.ledger.run}-{self.rng.choice('0123456789abcdef')}",
                          "limit": 20})

    def update(self, ids: list[str]) -> None:
        path = f"{API}/registry/customers/{self.rng.choice(ids)}"
        current = self.call("update", "GET", path)
        if current is None or not current.is_success:
            return
        self.call("update", "PATCH", path, json={"industry": self.rng.choice(["零售", "制造"])},
                  headers={"If-Match": current.headers["etag"]})

    def purchase(self, ids: list[str]) -> None:
        customer_id, ref = self.rng.choice(ids), f"load-{uuid.uuid4().hex}"
        amount = Decimal(self.rng.randrange(100, 500_000)) / 100
        body = {"customer_id": customer_id, "amount": str(amount), "external_ref": ref,
                "purchased_on": (date.today() - timedelta(days=self.rng.randrange(700))).isoformat()}
        # A fresh key per try: after a crash the old key stays "running" for minutes, and the
        # external_ref already makes the purchase idempotent.
        resp = self.call("purchase", "POST", f"{API}/registry/purchases", json=body,
                         headers={"Idempotency-Key": uuid.uuid4().hex})
        while resp is not None and _still_running(resp):
            resp = self.call("purchase", "POST", f"{API}/registry/purchases", json=body,
                             headers={"Idempotency-Key": uuid.uuid4().hex})
        if resp is not None and resp.is_success:
            with self.ledger.lock:
                self.ledger.purchases[ref] = (customer_id, amount)

    def agenda(self, _ids: list[str]) -> None:
        self.call("agenda", "GET", self.agenda_path)


def _still_running(resp: httpx.Response) -> bool:
    return resp.status_code == 409 and "still running" in resp.text


def run_workload(suite: Suite, seconds: float, clients: int = 4, patience: float = 0.0,
                 ledger: Ledger | None = None, stop: threading.Event | None = None) -> Ledger:
    """`clients` threads for `seconds` (or until `stop` is set)."""
    ledger = ledger or Ledger()
    stop = stop or threading.Event()
    with gateway_client(suite) as probe:
        routes = discover_routes(probe)

    def loop(seed: int) -> None:
        with gateway_client(suite, timeout=10) as client:
            worker = Worker(client, ledger, routes, seed, patience)
            end = time.monotonic() + seconds
            try:
                while time.monotonic() < end and not stop.is_set():
                    worker.step()
            except Exception as exc:
                ledger.crashes.append(f"{type(exc).__name__}: {exc}")
                raise

    threads = [threading.Thread(target=loop, args=(seed,)) for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ledger


def verify(suite: Suite, ledger: Ledger, timeout: float = 180) -> None:
    """Every acknowledged write is stored once; segmentation's totals equal the registry's
    within `timeout` (a subscriber catching up on thousands of events at a slow hour of a
    shared two-core machine took more than the minute that used to be allowed)."""
    assert not ledger.crashes, ledger.crashes
    with gateway_client(suite) as client:
        names = Counter(c["name"] for c in collect(client, f"{API}/registry/customers",
                                                   q=f"load-{ledger.run}-"))
        for name in ledger.customers.values():
            assert names[name] == 1, f"customer {name} stored {names[name]} times"
        assert all(names[name] <= 1 for name in ledger.unsure_names)
        stored = [p for p in collect(client, f"{API}/registry/purchases")
                  if (p.get("external_ref") or "").startswith("load-")]
        refs = Counter(p["external_ref"] for p in stored)
        assert not [r for r, n in refs.items() if n > 1], "purchases stored twice"
        registry_totals: dict[str, tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
        for p in stored:
            count, total = registry_totals[p["customer_id"]]
            registry_totals[p["customer_id"]] = (count + 1, total + Decimal(str(p["amount"])))
        by_ref = {p["external_ref"]: (p["customer_id"], Decimal(str(p["amount"]))) for p in stored}
        lost = [ref for ref, acked in ledger.purchases.items() if by_ref.get(ref) != acked]
        assert not lost, f"{len(lost)} acknowledged purchases missing or altered: {lost[:5]}"
        expected = {cid: registry_totals[cid] for cid in {c for c, _ in ledger.purchases.values()}}
        deadline = time.monotonic() + timeout
        while True:
            seen = {cid: _value_card(client, cid) for cid in expected}
            if seen == expected or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        wrong = {cid: (seen[cid], expected[cid]) for cid in expected if seen[cid] != expected[cid]}
        assert not wrong, f"segmentation differs from the registry: {list(wrong.items())[:5]}"
        # the company-wide retention report reads running totals, to which the replicas add
        # concurrently: over the years of every purchase they hold all the registry's revenue
        purchases = collect(client, f"{API}/registry/purchases")
        days = sorted(p["purchased_on"] for p in purchases)
        resp = client.get(f"{API}/segmentation/retention",
                          params={"from": days[0], "to": days[-1], "period": "year"})
        assert resp.is_success, resp.text
        reported = sum((Decimal(r["revenue"]) for r in resp.json()), Decimal(0))
        assert reported == sum((Decimal(str(p["amount"])) for p in purchases), Decimal(0))


def _value_card(client: httpx.Client, customer_id: str) -> tuple[int, Decimal] | None:
    resp = client.get(f"{API}/segmentation/customers/{customer_id}/value")
    if not resp.is_success:
        return None
    card = resp.json()
    return card["purchase_count"], Decimal(str(card["total_spend"]))


class RoundRobin:
    """A TCP round-robin in front of one service's replicas, standing in for a Kubernetes
    Service: each new connection goes to the next replica that accepts one (a dead replica is
    skipped, as an unready pod is), and lives and dies with that replica."""

    def __init__(self, port: int, backends: list[int]):
        self.port, self.backends = port, backends
        self.turn = 0
        self.listener = socket.create_server(("127.0.0.1", port))
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True,
                                       name=f"round-robin-{port}")
        self.thread.start()

    def accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.connect, args=(client,), daemon=True).start()

    def connect(self, client: socket.socket) -> None:
        for _ in range(len(self.backends)):
            self.turn = (self.turn + 1) % len(self.backends)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.backends[self.turn]),
                                                    timeout=2)
                break
            except OSError:
                continue
        else:
            client.close()
            return
        upstream.settimeout(None)
        threading.Thread(target=self.pump, args=(upstream, client), daemon=True).start()
        self.pump(client, upstream)

    @staticmethod
    def pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()


@dataclass
class ReplicaSuite(Suite):
    """Every service as `replicas` processes behind its own round-robin address; the others
    (and the gateway) know only that address, as under Kubernetes."""

    replicas: int = 2
    replica_ports: dict[str, list[int]] = field(default_factory=dict)
    balancers: dict[str, RoundRobin] = field(default_factory=dict)

    def log_of(self, name: str, index: int) -> Path:
        return self.data_dir / "logs" / f"{name}-{index}.log"

    def start_replica(self, name: str, index: int) -> None:
        self.log_of(name, index).parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log_of(name, index), "ab")
        self.processes[f"{name}/{index}"] = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "--factory", APPS[name], "--host", "127.0.0.1",
             "--port", str(self.replica_ports[name][index]), "--no-access-log",
             "--log-level", "warning"], env=self.env_for(name), stdout=out,
            stderr=subprocess.STDOUT)

    def wait_replica(self, name: str, index: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.replica_ports[name][index]}/readyz"
        while time.monotonic() < deadline:
            proc = self.processes[f"{name}/{index}"]
            if proc.poll() is not None:
                log = self.log_of(name, index).read_text(errors="replace")
                raise RuntimeError(f"{name}/{index} exited with {proc.returncode}:\n{log[-3000:]}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{name}/{index} was not ready within {timeout}s")

    def kill(self, name: str, index: int) -> None:
        self.stop(f"{name}/{index}", signal.SIGKILL)

    def start_all(self) -> None:
        try:
            for name in APPS:
                self.replica_ports[name] = [free_port() for _ in range(self.replicas)]
                self.balancers[name] = RoundRobin(self.ports[name], self.replica_ports[name])
            for name in APPS:
                for index in range(self.replicas):
                    self.start_replica(name, index)
            for name in APPS:
                for index in range(self.replicas):
                    self.wait_replica(name, index)
        except BaseException:
            self.stop_all()
            raise

    def stop_all(self) -> None:
        super().stop_all()
        for balancer in self.balancers.values():
            balancer.stop()
