"""Every page of the web console answers in under a second with the demo data.

A page's time is what the browser waits for: the HTML and the console's own scripts, then the
/api/v1 calls that page makes, in parallel as the page makes them (ECharts too for the
dashboard). Measured on the real suite (five processes, SQLite) after `scripts/demo_data.py`
loaded its 300 customers and the demo users; the median over the repeats against a 1 s target,
and the p95 beside it.
"""
from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "scripts"), str(ROOT / "tests")]
from _common import percentile, report, row  # noqa: E402
from demo_data import load_demo_data  # noqa: E402
from harness import start_suite  # noqa: E402

PASSWORD = "bench-" + secrets.token_hex(6)
SHELL = ["/console/", "/console/js/app.js", "/console/js/core.js", "/console/js/i18n.js",
         "/console/js/today.js", "/console/js/customer.js", "/console/js/dashboard.js",
         "/console/js/import.js", "/console/js/settings.js", "/console/css/app.css"]


def pages(customer_id: str, today: date) -> dict[str, tuple[str, list[tuple[str, dict]]]]:
    """page -> (who opens it, the API calls it makes)."""
    year_ago, tomorrow = (today - timedelta(days=364)).isoformat(), (today + timedelta(days=1)).isoformat()
    return {
        "today (rep)": ("li", [("/engagement/agenda", {"span": "day"}),
                               ("/engagement/visits", {"status": "planned", "limit": 100})]),
        "customers (rep)": ("li", [("/registry/customers", {"limit": 50})]),
        "customer (rep)": ("li", [
            (f"/customers/{customer_id}/360", {}), (f"/registry/customers/{customer_id}", {}),
            ("/needs/complaints", {"customer_id": customer_id, "limit": 50}),
            ("/engagement/visits", {"customer_id": customer_id, "limit": 50}),
            ("/engagement/gifts/log", {"customer_id": customer_id}),
            ("/engagement/tasks", {"customer_id": customer_id, "status": "done", "limit": 50})]),
        "dashboard (manager)": ("zhao", [
            ("/segmentation/retention", {"from": year_ago, "to": today.isoformat(),
                                         "period": "month"}),
            ("/segmentation/rfm/grid", {}), ("/segmentation/pareto", {}),
            ("/segmentation/snapshots", {}),
            ("/segmentation/snapshots/migration", {"from": (today - timedelta(days=30)).isoformat(),
                                                   "to": today.isoformat()}),
            ("/segmentation/churn", {"from": year_ago, "to": tomorrow, "period": "month"}),
            ("/engagement/renewals/report", {"from": year_ago, "to": today.isoformat(),
                                             "period": "month"}),
            ("/needs/pipeline", {"group_by": "stage"}), ("/users", {"limit": 500}),
            ("/segmentation/customers", {"at_risk": "true", "limit": 500})]),
        "import (rep)": ("li", []),
        "settings: users (admin)": ("admin", [("/users", {"limit": 200})]),
        "settings: api keys (admin)": ("admin", [("/api-keys", {"limit": 200})]),
        "settings: rules (admin)": ("admin", [("/engagement/rules", {"limit": 200})]),
        "settings: templates (admin)": ("admin", [("/engagement/templates", {"limit": 200})]),
        "settings: gift taboos (admin)": ("admin", [("/engagement/gifts/taboos", {"limit": 200})]),
        "settings: segment policy (admin)": ("admin", [("/segmentation/policies", {})]),
    }


async def sign_in(client: httpx.AsyncClient, username: str) -> str:
    resp = await client.post("/console/auth/login", json={"username": username,
                                                          "password": PASSWORD},
                             headers={"X-Guanxi-Console": "1"})
    resp.raise_for_status()
    return resp.json()["access_token"]


async def open_page(client: httpx.AsyncClient, token: str, calls: list[tuple[str, dict]],
                    dashboard: bool) -> float:
    start = time.perf_counter()
    shell = SHELL + (["/console/vendor/echarts.min.js"] if dashboard else [])
    answers = await asyncio.gather(*(client.get(path) for path in shell))
    answers += await asyncio.gather(*(
        client.get(f"/api/v1{path}", params=params, headers={"Authorization": f"Bearer {token}"})
        for path, params in calls))
    seconds = time.perf_counter() - start
    bad = [f"{a.request.url}: {a.status_code}" for a in answers if a.status_code != 200]
    if bad:
        raise RuntimeError(f"a page call failed: {bad}")
    return seconds


async def measure(base: str, repeats: int, customer_id: str) -> list[dict]:
    rows = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        tokens = {u: await sign_in(client, u) for u in ("li", "zhao", "admin")}
        logins = []
        for _ in range(repeats):
            with_timer = time.perf_counter()
            await sign_in(client, "li")
            logins.append(time.perf_counter() - with_timer)
        rows.append(row("sign-in (password check with argon2), median", percentile(logins, 50)
                        * 1000, "ms", 1000))
        for name, (who, calls) in pages(customer_id, date.today()).items():
            await open_page(client, tokens[who], calls, "dashboard" in name)  # warm up
            samples = [await open_page(client, tokens[who], calls, "dashboard" in name)
                       for _ in range(repeats)]
            rows.append(row(f"{name}: HTML, scripts, {len(calls)} API calls, median",
                            percentile(samples, 50) * 1000, "ms", 1000))
            rows.append(row(f"{name}: p95", percentile(samples, 95) * 1000, "ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        suite = start_suite(Path(tmp), extra_env={"GUANXI_ADMIN_PASSWORD": PASSWORD})
        try:
            base = suite.url("gateway")
            load_demo_data(base, suite.admin_api_key, users_password=PASSWORD)
            with httpx.Client(base_url=base, timeout=30,
                              headers={"Authorization": f"Bearer {suite.admin_api_key}"}) as gw:
                li = next(u["id"] for u in gw.get("/api/v1/users").json()["items"]
                          if u["username"] == "li")
                # li's customer with the most purchases: the fullest customer page
                scored = gw.get("/api/v1/segmentation/customers",
                                params={"owner_id": li, "limit": 1}).json()["items"]
            rows = asyncio.run(measure(base, args.repeats, scored[0]["customer_id"]))
        finally:
            suite.stop_all()
    report("console_pages", rows)


if __name__ == "__main__":
    main()
