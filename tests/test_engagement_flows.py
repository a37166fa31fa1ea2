"""Engagement follows through on what the other services record, through the real processes:
purchase -> thanks, referred purchase -> referrer thanked, won opportunity -> referral task,
at risk -> revisit task, complaint -> messages, contact left -> tasks. Each is counted once,
also after every publisher delivers all its events to engagement a second time.

One suite per database for the module; the flows share it and use their own customers."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from guanxi_shared.db import make_engine
from guanxi_shared.events import OutboxDelivery
from guanxi_testing.fixtures import eventually

API = "/api/v1"
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


def created(resp) -> dict:
    assert resp.status_code == 201, resp.text
    return resp.json()


def customer(gateway, name: str, **extra) -> str:
    return created(gateway.post(f"{API}/registry/customers",
                                json={"kind": "company", "name": name, **extra}))["id"]


def contact(gateway, customer_id: str, name: str, **extra) -> str:
    return created(gateway.post(f"{API}/registry/customers/{customer_id}/contacts",
                                json={"name": name, **extra}))["id"]


def purchase(gateway, customer_id: str, on=TODAY, amount="880.00") -> str:
    return created(gateway.post(f"{API}/registry/purchases", json={
        "customer_id": customer_id, "purchased_on": on.isoformat(), "amount": amount}))["id"]


def tasks(gateway, **params) -> list[dict]:
    resp = gateway.get(f"{API}/engagement/tasks", params={"limit": 500, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def messages(gateway, **params) -> list[dict]:
    resp = gateway.get(f"{API}/engagement/messages", params={"limit": 500, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def known_to(gateway, service_path: str) -> bool:
    return bool(eventually(lambda: gateway.get(service_path).status_code == 200))


@pytest.fixture(scope="module")
def flows(suite):
    """Drive every flow once through the gateway; returns what each one concerns."""
    import httpx
    with httpx.Client(base_url=suite.url("gateway"), timeout=30,
                      headers={"Authorization": f"Bearer {suite.admin_api_key}"}) as gateway:
        # complaint progress and goal reports go out on the log channel in this suite
        resp = gateway.patch(f"{API}/engagement/policies/flows",
                             json={"service_channels": ["log"]})
        assert resp.status_code == 200, resp.text
        buyer = customer(gateway, "感谢客户", owner_id="rep-thanks")
        buyer_contact = contact(gateway, buyer, "张经理")
        created(gateway.post(f"{API}/engagement/rules", json={
            "name": "购买感谢", "trigger": "purchase_thanks", "channel": "log",
            "audience": {"customer_ids": [buyer]}}))
        referrer = customer(gateway, "介绍人公司", owner_id="rep-referrer")
        referrer_contact = contact(gateway, referrer, "李总")
        referred = customer(gateway, "被介绍客户", owner_id="rep-new")
        won_customer = customer(gateway, "赢单客户", owner_id="rep-won")
        risky = customer(gateway, "流失风险客户", owner_id="rep-risk")
        unhappy = customer(gateway, "投诉客户", owner_id="rep-service")
        unhappy_contact = contact(gateway, unhappy, "王女士")
        leaving = customer(gateway, "离职联系人客户", owner_id="rep-left")
        leaver = contact(gateway, leaving, "赵总", job_title="CIO")
        # the rule and the customers must be in engagement's read model before the facts
        assert eventually(lambda: gateway.get(f"{API}/engagement/customers/{leaving}/context")
                          .status_code == 200)

        purchase(gateway, buyer)
        created(gateway.post(f"{API}/registry/referrals", json={
            "referrer_customer_id": referrer, "referrer_contact_id": referrer_contact,
            "referred_customer_id": referred}))
        purchase(gateway, referred)
        purchase(gateway, referred, amount="120.00")  # not the first purchase

        assert known_to(gateway, f"{API}/needs/needs/unmet?customer_id={won_customer}")
        opp = created(gateway.post(f"{API}/needs/opportunities", json={
            "customer_id": won_customer, "title": "5G 基站", "money": True,
            "authority": False, "need": True, "expected_amount": "975.00"}))
        resp = gateway.post(f"{API}/needs/opportunities/{opp['id']}/won",
                            json={"reason": "价格合适"})
        assert resp.status_code == 200, resp.text

        for days_ago in (400, 390, 380):  # a steady buyer gone quiet for a year
            purchase(gateway, risky, on=TODAY - timedelta(days=days_ago))
        assert eventually(lambda: gateway.get(f"{API}/segmentation/customers/{risky}/value")
                          .json().get("purchase_count") == 3)
        resp = gateway.post(f"{API}/segmentation/recompute", json={})
        assert resp.status_code == 200, resp.text

        assert known_to(gateway, f"{API}/needs/needs/unmet?customer_id={unhappy}")
        complaint = created(gateway.post(f"{API}/needs/complaints", json={
            "customer_id": unhappy, "contact_id": unhappy_contact, "channel": "phone",
            "severity": "medium", "summary": "送货延误"}))
        for path, body in (("resolve", {"resolution": "已补发"}), ("close", None)):
            resp = gateway.post(f"{API}/needs/complaints/{complaint['id']}/{path}", json=body)
            assert resp.status_code == 200, resp.text

        url = f"{API}/registry/contacts/{leaver}"
        for change in ({"left_on": TODAY.isoformat(), "went_to": "华为"},
                       {"wechat": "zhao-new"}):  # a second event about the same departure
            etag = gateway.get(url).headers["etag"]
            resp = gateway.patch(url, json=change, headers={"If-Match": etag})
            assert resp.status_code == 200, resp.text

        yield {"gateway": gateway, "buyer": buyer, "buyer_contact": buyer_contact,
               "referrer": referrer, "referrer_contact": referrer_contact,
               "referred": referred, "won": won_customer, "opportunity": opp["id"],
               "risky": risky, "unhappy": unhappy, "unhappy_contact": unhappy_contact,
               "leaving": leaving, "leaver": leaver}


def outcomes(f: dict) -> dict:
    """What the rep and the customers see of every flow, as comparable values."""
    gateway = f["gateway"]
    return {
        "thanks": [(m["contact_id"], m["occasion"]) for m in messages(
            gateway, customer_id=f["buyer"])],
        "referrer": [(t["assignee_id"], t["contact_id"], t["title"]) for t in tasks(
            gateway, customer_id=f["referrer"], rule_id="referrer_thanks")],
        "referral_ask": [(t["assignee_id"], t["title"]) for t in tasks(
            gateway, customer_id=f["won"], rule_id="referral_ask")],
        "man": [(t["rule_id"], t["status"]) for t in tasks(
            gateway, customer_id=f["won"], recommendation="find_authority")],
        "revisit": [(t["assignee_id"], t["title"]) for t in tasks(
            gateway, customer_id=f["risky"], rule_id="at_risk_revisit")],
        "complaint": sorted((m["contact_id"], m["occasion"]) for m in messages(
            gateway, customer_id=f["unhappy"])),
        "departure": sorted((t["rule_id"], t["assignee_id"]) for t in tasks(
            gateway, customer_id=f["leaving"])),
    }


EXPECTED_COMPLAINT_STEPS = ["complaint_closed", "complaint_received", "complaint_resolved"]


def settled(f: dict) -> dict | None:
    seen = outcomes(f)
    ready = (seen["thanks"] and seen["referrer"] and seen["referral_ask"] and seen["man"]
             and seen["revisit"] and len(seen["complaint"]) == 3
             and len(seen["departure"]) == 2)
    return seen if ready else None


def test_each_flow_happens_once(flows):
    seen = eventually(lambda: settled(flows), timeout=60)
    assert seen, outcomes(flows)
    assert seen["thanks"] == [(flows["buyer_contact"], "purchase_thanks")]
    assert seen["referrer"] == [("rep-referrer", flows["referrer_contact"],
                                 f"Thank 李总 for referring 被介绍客户 (first purchase {TODAY})")]
    assert seen["referral_ask"] == [("rep-won", "Ask 赢单客户 for introductions (转介绍): won "
                                                "5G 基站")]
    # found on create, closed when the opportunity was won
    assert seen["man"] == [("man:find_authority", "done")]
    [(owner, title)] = seen["revisit"]
    assert owner == "rep-risk" and title.startswith("Revisit 流失风险客户: at risk (no purchase for")
    assert seen["complaint"] == [(flows["unhappy_contact"], step)
                                 for step in EXPECTED_COMPLAINT_STEPS]
    assert seen["departure"] == [("contact_left", "rep-left"), ("find_successor", "rep-left")]
    closing = [m for m in messages(flows["gateway"], customer_id=flows["unhappy"])
               if m["occasion"] == "complaint_closed"]
    assert "How satisfied are you" in closing[0]["body"]


def test_every_event_delivered_again_changes_nothing(flows, suite):
    before = eventually(lambda: settled(flows), timeout=60)
    assert before
    redelivered = 0
    for name in ("registry", "needs", "segmentation"):
        url = suite.database_urls.get(name, f"sqlite:///{suite.data_dir / f'{name}.db'}")
        engine = make_engine(url)
        with engine.begin() as conn:
            redelivered += conn.execute(update(OutboxDelivery).where(
                OutboxDelivery.subscriber == "engagement").values(delivered_at=None)).rowcount
        engine.dispose()
    assert redelivered > 20

    def all_delivered_again() -> bool:
        for name in ("registry", "needs", "segmentation"):
            url = suite.database_urls.get(name, f"sqlite:///{suite.data_dir / f'{name}.db'}")
            engine = make_engine(url)
            with engine.connect() as conn:
                pending = conn.execute(select(func.count()).select_from(OutboxDelivery).where(
                    OutboxDelivery.subscriber == "engagement",
                    OutboxDelivery.delivered_at.is_(None))).scalar()
            engine.dispose()
            if pending:
                return False
        return True

    assert eventually(all_delivered_again, timeout=60)
    assert outcomes(flows) == before
