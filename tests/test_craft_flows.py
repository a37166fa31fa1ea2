"""Selling from needs and the relationship balance, through the real processes: a product
launch finds the customers whose needs and purchases fit it, and a customer's balance moves
with a greeting delivered, a complaint and a broken promise (and segmentation hears it)."""
from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from harness import gateway_client, start_suite

from guanxi_shared.suite import APPS
from guanxi_testing.fixtures import (
    create_postgres_database,
    drop_postgres_database,
    eventually,
    require_postgres,
)

API = "/api/v1"
YESTERDAY = (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def gateway(request, tmp_path_factory):
    """A suite whose needs housekeeping (overdue promises) runs every second."""
    databases: dict[str, str] = {}
    if request.param == "postgresql":
        require_postgres()
        databases = {name: create_postgres_database(f"gx_{name}") for name in APPS}
    suite = start_suite(tmp_path_factory.mktemp("craft"), databases, extra_env={
        "GUANXI_NEEDS_HOUSEKEEPING_MINUTES": "0.02",
        "GUANXI_ENGAGEMENT_SEND_INTERVAL_SECONDS": "1"})
    try:
        with gateway_client(suite) as client:
            yield client
    finally:
        suite.stop_all()
        for url in databases.values():
            drop_postgres_database(url)


def ok(resp: httpx.Response) -> dict:
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def customer(gateway, name: str, owner: str) -> str:
    cid = ok(gateway.post(f"{API}/registry/customers", json={
        "kind": "company", "name": name, "owner_id": owner, "team_id": "team-craft"}))["id"]
    assert eventually(lambda: gateway.get(f"{API}/needs/customers/{cid}/balance")
                      .status_code == 200), "needs never heard of the customer"
    return cid


def test_a_launch_calls_the_customers_whose_needs_and_purchases_fit(gateway):
    storage = ok(gateway.post(f"{API}/needs/categories", json={"name": "存储"}))["id"]
    cloud = ok(gateway.post(f"{API}/needs/products", json={
        "name": "云备份服务", "line": "数据服务", "lifecycle": "current",
        "price_from": "600.00", "price_to": "3000.00"}))
    small = ok(gateway.post(f"{API}/needs/products", json={
        "name": "1000G U盘", "line": "移动存储", "lifecycle": "current",
        "price_from": "199.00", "price_to": "259.00", "back_end_product_ids": [cloud["id"]]}))
    drive = ok(gateway.post(f"{API}/needs/products", json={
        "name": "4000G U盘", "line": "移动存储", "price_from": "899.00", "price_to": "1099.00",
        "category_ids": [storage], "usp": {"statement": "唯一装得下 4000G 的口袋 U盘"},
        "ffab": [{"feature": "超大容量", "function": "存储海量数据", "advantage": "便携耐用",
                  "benefit": "您的重要文件永不丢失"}]}))
    needy = customer(gateway, "急需存储公司", "rep-a")
    buyer = customer(gateway, "老买家公司", "rep-b")
    both = customer(gateway, "又需要又买过公司", "rep-a")
    customer(gateway, "无关公司", "rep-a")
    for cid, urgency in ((needy, "urgent"), (both, "low")):
        ok(gateway.post(f"{API}/needs/needs", json={
            "customer_id": cid, "need_class": "product", "category_id": storage,
            "source": "sales", "urgency": urgency, "description": "图纸太大，U盘装不下"}))
    for n, (cid, line) in enumerate(((buyer, {"product": "1000G U盘"}),
                                     (both, {"product": "随便写", "product_id": small["id"]}))):
        ok(gateway.post(f"{API}/registry/purchases", json={
            "customer_id": cid, "purchased_on": "2026-06-01", "external_ref": f"craft-{n}",
            "lines": [{"quantity": "2", "unit_price": "229.00", **line}]}))

    def suggested(cid: str) -> list[dict]:  # once the purchase reached needs: the back-end sale
        return ok(gateway.get(f"{API}/needs/customers/{cid}/suggestions"))["items"]

    assert eventually(lambda: suggested(buyer) and suggested(both), timeout=30)
    assert [(s["product_id"], s["kind"]) for s in suggested(buyer)] == [(cloud["id"],
                                                                       "back_end")]
    launch = ok(gateway.post(f"{API}/needs/products/{drive['id']}/launches",
                             json={"kind": "launch"}))
    calls = ok(gateway.get(f"{API}/needs/launches/{launch['id']}/calls"))["items"]
    # urgent need 5 > low need 2 + same line 2 = 4 > same line 2
    assert [(c["customer_id"], c["score"]) for c in calls] == [(needy, 5), (both, 4),
                                                               (buyer, 2)]
    mine = ok(gateway.get(f"{API}/needs/launches/{launch['id']}/calls",
                          params={"owner_id": "rep-a"}))["items"]
    assert [c["customer_id"] for c in mine] == [needy, both]
    assert "4000G U盘: 唯一装得下" in ok(gateway.get(f"{API}/needs/products/{drive['id']}"))[
        "pitch"]


def test_the_balance_moves_with_a_greeting_a_complaint_and_a_broken_promise(gateway):
    cid = customer(gateway, "情感银行客户", "rep-c")
    ok(gateway.post(f"{API}/registry/customers/{cid}/contacts", json={"name": "王经理"}))
    ok(gateway.post(f"{API}/registry/purchases", json={
        "customer_id": cid, "purchased_on": date.today().isoformat(), "amount": "880.00",
        "external_ref": f"craft-bank-{cid}"}))

    def balance() -> dict:
        return ok(gateway.get(f"{API}/needs/customers/{cid}/balance"))

    # a greeting delivered: engagement reports the touch, needs deposits (weight 1)
    ok(gateway.patch(f"{API}/engagement/policies", json={"quiet_start": 0, "quiet_end": 0}))

    def greeted() -> int:
        resp = gateway.post(f"{API}/engagement/messages/mass", json={
            "channel": "log", "occasion": "新年问候", "audience": {"customer_ids": [cid]}})
        return resp.status_code == 202 and resp.json()["queued"]

    assert eventually(greeted, timeout=30), "engagement never knew the customer's contact"
    assert eventually(lambda: balance()["balance"] == "1.00", timeout=30), (
        balance(), ok(gateway.get(f"{API}/engagement/messages", params={"customer_id": cid})))
    assert ok(gateway.post(f"{API}/segmentation/recompute", json={"snapshot": False}))
    complaint = ok(gateway.post(f"{API}/needs/complaints", json={
        "customer_id": cid, "channel": "phone", "severity": "high", "summary": "交货晚了"}))
    assert balance()["balance"] == "-2.00"
    ok(gateway.post(f"{API}/needs/complaints/{complaint['id']}/resolve",
                    json={"resolution": "已补发并致歉"}))
    assert balance()["balance"] == "1.00"
    promise = ok(gateway.post(f"{API}/needs/commitments", json={
        "customer_id": cid, "promise": "前天答应寄样品", "due_on": YESTERDAY, "origin": "visit"}))
    assert promise["overdue"] is True

    def flagged() -> dict | None:
        found = ok(gateway.get(f"{API}/needs/commitments", params={
            "customer_id": cid, "overdue": True}))["items"]
        return found[0] if found and found[0]["flagged_at"] else None

    assert eventually(flagged, timeout=30), "housekeeping never flagged the broken promise"
    card = balance()
    assert (card["balance"], card["overdrawn"]) == ("-4.00", True)
    kinds = [e["kind"] for e in ok(gateway.get(
        f"{API}/needs/customers/{cid}/balance/history"))["items"]]
    assert kinds == ["commitment_broken", "complaint_resolved", "complaint", "greeting"]
    whole = ok(gateway.get(f"{API}/customers/{cid}/360"))
    assert whole["parts"]["relationship_balance"]["balance"] == "-4.00"

    def at_risk() -> list[str]:  # segmentation hears balance.changed: an at-risk reason
        value = ok(gateway.get(f"{API}/segmentation/customers/{cid}/value"))
        return value["relationship_balance"] == "-4.00" and value["at_risk_reasons"]

    assert "relationship balance negative (-4.00)" in (eventually(at_risk, timeout=30) or [])
    assert whole["parts"]["open_promises"]["items"][0]["id"] == promise["id"]
