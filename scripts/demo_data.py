"""A realistic demo company: a few hundred customers, two years of purchases, through the API."""
from __future__ import annotations

import random
from datetime import date, timedelta

import httpx

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "苏州", "西安"]
TRADES = ["科技", "贸易", "食品", "医疗器械", "建材", "教育咨询", "物流", "电子", "服装", "餐饮"]
REPS = ["rep-li", "rep-wang", "rep-zhang", "rep-chen"]


def load_demo_data(gateway_url: str, api_key: str, customers: int = 300, seed: int = 7) -> None:
    rng = random.Random(seed)
    today = date.today()
    with httpx.Client(base_url=gateway_url, timeout=60,
                      headers={"Authorization": f"Bearer {api_key}"}) as http:
        for i in range(customers):
            is_company = rng.random() < 0.6
            city = rng.choice(CITIES)
            name = (f"{city}{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(TRADES)}有限公司"
                    if is_company else rng.choice(SURNAMES) + rng.choice(GIVEN))
            resp = http.post("/api/v1/registry/customers", headers={"Idempotency-Key": f"demo-c{i}"},
                             json={"kind": "company" if is_company else "person", "name": name,
                                   "region": city, "status": "active",
                                   "owner_id": rng.choice(REPS), "team_id": "team-east",
                                   "phone": f"13{rng.randint(100000000, 999999999)}"})
            resp.raise_for_status()
            customer_id = resp.json()["id"]
            # Pareto-like spend: a few big buyers, many small ones; purchases over two years.
            scale = rng.paretovariate(1.3) * 800
            for j in range(rng.choice([0, 1, 1, 2, 3, 4, 6, 9, 14])):
                day = today - timedelta(days=rng.randint(0, 730))
                http.post("/api/v1/registry/purchases", json={
                    "customer_id": customer_id, "purchased_on": day.isoformat(),
                    "amount": f"{scale * rng.uniform(0.5, 1.5):.2f}",
                    "external_ref": f"DEMO-{i}-{j}"}).raise_for_status()
