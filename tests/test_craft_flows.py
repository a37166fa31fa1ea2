"""Selling from needs and the relationship balance, through the real processes: a product
launch finds the customers whose needs and purchases fit it, and a customer's balance moves
with a greeting delivered, a complaint and a broken promise (and segmentation hears it)."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from harness import gateway_client, start_suite

from guanxi_testing.fixtures import eventually, suite_databases

API = "/api/v1"
YESTERDAY = (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def gateway(request, tmp_path_factory):
    """A suite whose needs housekeeping (overdue promises) runs every second."""
    with suite_databases(request.param) as databases:
        suite = start_suite(tmp_path_factory.mktemp("craft"), databases, extra_env={
            "GUANXI_NEEDS_HOUSEKEEPING_MINUTES": "0.02",
            "GUANXI_ENGAGEMENT_SEND_INTERVAL_SECONDS": "1"})
        try:
            with gateway_client(suite) as client:
                yield client
        finally:
            suite.stop_all()


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


def test_a_template_quotes_the_product_needs_describes_and_follows_its_edits(gateway):
    """needs publishes product.changed; engagement keeps a copy, so a launch greeting quotes
    the USP and the FFAB pitch, and after an edit of the USP the next one quotes the new one."""
    product = ok(gateway.post(f"{API}/needs/products", json={
        "name": "静音碎纸机", "line": "办公设备", "price_from": "300.00", "price_to": "500.00",
        "usp": {"statement": "唯一低于 40 分贝的碎纸机"},
        "ffab": [{"feature": "静音电机", "function": "碎纸不出声", "advantage": "开会也能用",
                  "benefit": "机密文件随手销毁"}]}))
    cid = customer(gateway, "碎纸机客户", "rep-d")
    ok(gateway.post(f"{API}/registry/customers/{cid}/contacts", json={"name": "李主任"}))
    ok(gateway.patch(f"{API}/engagement/policies", json={"quiet_start": 0, "quiet_end": 0}))
    text = {"name": "新品推荐", "product_id": product["id"],
            "body": {"zh": "{name}您好：{product.usp}\n{product.pitch}"}}

    def template() -> dict | None:  # 422 until product.changed reached engagement
        resp = gateway.post(f"{API}/engagement/templates", json=text)
        return resp.json() if resp.status_code == 201 else None

    made = eventually(template, timeout=30)
    assert made, "engagement never heard of the product"

    def sent(occasion: str) -> str | None:
        def queued() -> bool:  # 0 until engagement heard of the contact
            resp = gateway.post(f"{API}/engagement/messages/mass", json={
                "channel": "log", "kind": "marketing", "occasion": occasion,
                "template_id": made["id"], "audience": {"customer_ids": [cid]}})
            return resp.status_code == 202 and resp.json()["queued"] == 1

        def body() -> str | None:
            items = ok(gateway.get(f"{API}/engagement/messages", params={
                "customer_id": cid}))["items"]
            return next((m["body"] for m in items
                         if m["occasion"] == occasion and m["status"] == "sent"), None)

        assert eventually(queued, timeout=30), "engagement never heard of the contact"
        return eventually(body, timeout=30)

    first = sent("新品上市")
    assert first == f"李主任您好：唯一低于 40 分贝的碎纸机\n{product['pitch']}", first
    path = f"{API}/needs/products/{product['id']}"
    ok(gateway.patch(path, json={"usp": {"statement": "唯一低于 30 分贝的碎纸机"}},
                     headers={"If-Match": gateway.get(path).headers["etag"]}))

    def quotes_the_edit() -> bool:
        return "30 分贝" in (sent(f"再次推荐-{time.monotonic()}") or "")

    assert eventually(quotes_the_edit, timeout=30)


def test_the_agenda_shows_the_care_steps_of_a_purchase_and_the_open_promises(gateway):
    """A purchase of a mapped product schedules care steps in needs; the gateway's agenda
    puts them, and the promises to the rep's customers, beside engagement's tasks."""
    product = ok(gateway.post(f"{API}/needs/products", json={
        "name": "净水器", "line": "家电", "lifecycle": "current", "price_from": "1000.00",
        "price_to": "2000.00"}))
    ok(gateway.post(f"{API}/needs/experience-maps", json={
        "name": "净水器体验地图", "product_id": product["id"], "touchpoints": [
            {"stage": "during", "kind": "call", "title": "到货当天回访"},
            {"stage": "in_use", "kind": "check", "title": "30天使用检查", "offset_days": 30}]}))
    cid = customer(gateway, "净水器客户", "rep-e")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the suite's business day
    ok(gateway.post(f"{API}/registry/purchases", json={
        "customer_id": cid, "purchased_on": today.isoformat(), "external_ref": f"water-{cid}",
        "lines": [{"product": "净水器", "product_id": product["id"], "quantity": "1",
                   "unit_price": "1500.00"}]}))
    promise = ok(gateway.post(f"{API}/needs/commitments", json={
        "customer_id": cid, "promise": "下周送滤芯", "due_on": today.isoformat(),
        "origin": "call"}))

    def week() -> dict:
        return ok(gateway.get(f"{API}/agenda", params={"assignee_id": "rep-e", "span": "week"}))

    def steps() -> list[str]:
        return [s["title"] for s in week()["care_steps"] if s["customer_id"] == cid]

    assert eventually(steps, timeout=30) == ["到货当天回访"], "the 30-day check is not due yet"
    found = week()
    assert found["partial"] is False and found["start"] == today.isoformat()
    assert found["end"] == (today + timedelta(days=6)).isoformat()
    assert [p["id"] for p in found["promises"]] == [promise["id"]]
    assert found["tasks"]["assignee_id"] == "rep-e"
