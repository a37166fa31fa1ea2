"""Gateway overhead: the same GET straight to the registry and through the gateway, side by side.

Starts a registry and a gateway process (SQLite), creates one customer, then alternates rounds
of `GET /v1/customers/{id}` (direct, with an internal token) and
`GET /api/v1/registry/customers/{id}` (through the gateway, with the admin API key):
- latency: one client, sequential requests, the two paths interleaved one for one (which goes
  first alternates), so a slow spell of the machine lands on both alike; the median of each
  path (target: the gateway adds at most 2 ms at the median);
- throughput: `--clients` concurrent clients for `--seconds` per round (target: the gateway
  passes at least 60% of the direct rate).
"""
from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _common import SCALE, latency_summary, report, row

from guanxi_shared.auth import Principal, Role, mint_token
from guanxi_testing.fixtures import free_port
from guanxi_testing.runner import Suite


async def timed_get(client: httpx.AsyncClient, url: str) -> float:
    start = time.perf_counter()
    resp = await client.get(url)
    elapsed = time.perf_counter() - start
    assert resp.status_code == 200, resp.text
    return elapsed


async def interleaved(paths: dict[str, tuple[httpx.AsyncClient, str]],
                      n: int) -> dict[str, list[float]]:
    """`n` sequential requests on each path, taking turns; which path goes first alternates."""
    samples: dict[str, list[float]] = {name: [] for name in paths}
    order = list(paths)
    for _ in range(n):
        for name in order:
            samples[name].append(await timed_get(*paths[name]))
        order.reverse()
    return samples


async def concurrent(client: httpx.AsyncClient, url: str, clients: int, seconds: float) -> float:
    """Requests per second with `clients` workers for `seconds`."""
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            resp = await client.get(url)
            assert resp.status_code == 200, resp.text
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return done / (time.perf_counter() - start)


async def measure(suite: Suite, secret: str, args) -> list[dict]:
    internal = mint_token(Principal(sub="bench", role=Role.admin), secret, ttl=3600)
    direct = httpx.AsyncClient(base_url=suite.url("registry"), timeout=30,
                               headers={"Authorization": f"Bearer {internal}"},
                               limits=httpx.Limits(max_connections=args.clients))
    gateway = httpx.AsyncClient(base_url=suite.url("gateway"), timeout=30,
                                headers={"Authorization": f"Bearer {suite.admin_api_key}"},
                                limits=httpx.Limits(max_connections=args.clients))
    async with direct, gateway:
        made = await gateway.post("/api/v1/registry/customers",
                                  json={"kind": "company", "name": "基准客户"})
        cid = made.json()["id"]
        paths = {"direct": (direct, f"/v1/customers/{cid}"),
                 "gateway": (gateway, f"/api/v1/registry/customers/{cid}")}
        await interleaved(paths, 200)  # warm up connections and caches
        latency: dict[str, list[float]] = {"direct": [], "gateway": []}
        rate: dict[str, list[float]] = {"direct": [], "gateway": []}
        for _ in range(args.rounds):
            for name, samples in (await interleaved(paths, args.requests)).items():
                latency[name] += samples
            for name, (client, url) in paths.items():
                rate[name].append(await concurrent(client, url, args.clients, args.seconds))
    lat = {name: latency_summary(samples) for name, samples in latency.items()}
    throughput = {name: statistics.median(r) for name, r in rate.items()}
    added = lat["gateway"]["p50"] - lat["direct"]["p50"]
    share = 100 * throughput["gateway"] / throughput["direct"]
    return [row("latency p50 direct (1 client)", lat["direct"]["p50"], "ms"),
            row("latency p50 through gateway (1 client)", lat["gateway"]["p50"], "ms"),
            row("latency p95 direct (1 client)", lat["direct"]["p95"], "ms"),
            row("latency p95 through gateway (1 client)", lat["gateway"]["p95"], "ms"),
            row("added latency at the median", added, "ms", 2.0),
            row(f"throughput direct ({args.clients} clients)", throughput["direct"], "req/s",
                lower_is_better=False),
            row(f"throughput through gateway ({args.clients} clients)", throughput["gateway"],
                "req/s", lower_is_better=False),
            row("gateway throughput as share of direct", share, "%", 60.0,
                lower_is_better=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=max(50, int(1000 * SCALE)))
    parser.add_argument("--seconds", type=float, default=max(1.0, 5 * SCALE))
    args = parser.parse_args()
    secret = secrets.token_hex(32)
    suite = Suite(data_dir=Path(tempfile.mkdtemp(prefix="guanxi-gw-bench-")), secret=secret,
                  admin_api_key=secrets.token_urlsafe(24),
                  ports={"registry": free_port(), "gateway": free_port(),
                         "segmentation": free_port(), "engagement": free_port(),
                         "needs": free_port()},
                  extra_env={"GUANXI_REGISTRY_SUBSCRIBERS": "", "GUANXI_GATEWAY_SUBSCRIBERS": "",
                             "GUANXI_LOG_LEVEL": "WARNING",
                             "GUANXI_REGISTRY_LOG_LEVEL": "WARNING",
                             "GUANXI_GATEWAY_LOG_LEVEL": "WARNING"})
    try:
        for name in ("registry", "gateway"):
            suite.start(name)
            suite.wait_ready(name)
        rows = asyncio.run(measure(suite, secret, args))
    finally:
        suite.stop_all()
    report("gateway_overhead", rows)


if __name__ == "__main__":
    main()
