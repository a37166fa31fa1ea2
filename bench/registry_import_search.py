"""Registry: phone-contact import (2,000 and 100,000 rows) and list/search latency at 100,000.

Runs the real app in-process (the full ASGI stack with auth, idempotency and metrics
middleware) on a fresh SQLite file, with three event subscribers configured so that the outbox
writes are part of the cost, as in production. `--postgres URL` runs it on PostgreSQL.
"""
from __future__ import annotations

import random
import time

from _common import SCALE, Timer, database_main, latency_summary, row
from fastapi.testclient import TestClient

from guanxi_registry.main import create_app
from guanxi_registry.settings import Settings
from guanxi_testing.fixtures import auth

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都"]


def phone_csv(rows: int, seed: int) -> bytes:
    """An Android/Google-style export: name, mobile, email, company, title, birthday."""
    rng = random.Random(seed)
    lines = ["Name,Mobile Phone,E-mail Address,Company,Job Title,Birthday,Notes"]
    for i in range(rows):
        name = rng.choice(SURNAMES) + rng.choice(SURNAMES) + str(i)
        company = f"{rng.choice(CITIES)}{i % 5000}号科技有限公司" if i % 3 == 0 else ""
        lines.append(f"{name},1{rng.choice('3456789')}{seed % 10}{i:08d},u{seed}_{i}@example.cn,"
                     f"{company},经理,19{rng.randint(50, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)},"
                     f"客户{i}")
    return ("\n".join(lines) + "\n").encode()


def search_latencies(client: TestClient, customers: int | None) -> list[dict]:
    """p95 of 200 calls of each kind of list and search, as a rep's screen sends them (the
    metric names the number of customers when given)."""
    rng = random.Random(3)
    queries = [("filtered list (status+kind, 50 rows)",
                lambda: {"status": "prospect", "kind": "person", "limit": 50}),
               ("full-text search (name fragment)",
                lambda: {"q": f"{rng.choice(SURNAMES)}{rng.choice(SURNAMES)}"
                              f"{rng.randint(1, 99999)}"}),
               ("full-text search (phone digits)",
                lambda: {"q": f"{rng.randint(10000, 99999)}"}),
               ("full-text search (company, Chinese)",
                lambda: {"q": f"{rng.choice(CITIES)}{rng.randint(1, 4999)}号"})]
    rows = []
    for label, params in queries:
        samples = []
        for _ in range(200):
            start = time.perf_counter()
            resp = client.get("/v1/customers", params=params())
            samples.append(time.perf_counter() - start)
            assert resp.status_code == 200
        over = f" over {customers:,} customers" if customers else ""
        rows.append(row(f"{label} p95{over}",
                        latency_summary(samples)["p95"], "ms", 50.0))
    return rows


def run(database_url: str) -> list[dict]:
    settings = Settings(database_url=database_url, run_background_jobs=False,
                        subscribers="segmentation=http://127.0.0.1:1,engagement=http://127.0.0.1:1,"
                                    "needs=http://127.0.0.1:1")
    rows = []
    with TestClient(create_app(settings), headers=auth()) as client:
        small = phone_csv(2000, seed=1)
        with Timer() as t:
            r = client.post("/v1/imports", content=small, headers={"content-type": "text/csv"})
        assert r.status_code == 200 and r.json()["created"] == 2000, r.text[:300]
        rows.append(row("import 2,000-row phone CSV", t.seconds, "s", 1.0))

        big_rows = int(100_000 * SCALE)
        big = phone_csv(big_rows, seed=2)
        with Timer() as t:
            r = client.post("/v1/imports", content=big, headers={"content-type": "text/csv"})
        assert r.status_code == 200 and r.json()["created"] == big_rows, r.text[:300]
        rows.append(row(f"import {big_rows:,} contacts through the API", t.seconds, "s", 10.0))
        count = client.get("/v1/customers", params={"limit": 1}).status_code
        assert count == 200

        rows += search_latencies(client, big_rows + 2000)
    return rows


if __name__ == "__main__":
    database_main(run, sqlite="registry", postgres="registry_postgres")
