"""At-risk widened: neglect, a complaint past its deadline, satisfaction under 100, an invoice
overdue more than 30 days; customer.at_risk and customer.recovered once per episode."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from guanxi_shared.events import OutboxEvent
from guanxi_testing.fixtures import auth

NOW = datetime.now(ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
SERVICE = auth("service", sub="service:registry")


@pytest.fixture
def client(publishing_client):
    return publishing_client


def send(client, etype, data, eid=None):
    event = {"id": eid or f"{etype}-{len(str(data))}-{hash(str(data)) & 0xffffff}",
             "type": etype, "source": "test", "occurred_at": datetime.now(UTC).isoformat(),
             "data": data}
    resp = client.post("/v1/events", json={"events": [event]}, headers=SERVICE)
    assert resp.status_code == 200, resp.text


def published(client, etype):
    """Every item of this type in the outbox, batched or not."""
    with client.app.state.sessions() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.event_type.in_(
            [etype, f"batch:{etype}"]))).all()
    return [item for r in rows for item in (r.payload["data"]["items"]
                                            if r.event_type.startswith("batch:")
                                            else [r.payload["data"]])]


def ago(days):
    return (NOW - timedelta(days=days)).isoformat()


def setup(client):
    for cid in ("A", "N", "C", "S", "T", "I"):
        send(client, "customer.created", {"id": cid, "name": cid, "status": "active",
                                          "owner_id": "rep-a", "team_id": "team-a"})
        days = 100 if cid == "N" else 10
        send(client, "purchase.recorded", {"id": f"p-{cid}", "customer_id": cid,
                                           "amount": "500", "purchased_on":
                                           (TODAY - timedelta(days=days)).isoformat()})
        if cid != "N":
            send(client, "touch.recorded", {"customer_id": cid, "contact_id": None,
                                            "kind": "call", "at": ago(2), "source_id": cid})
    body = client.get("/v1/policies").json()
    body["neglect_days"] = {"invest": 60, "keep": 60, "reconsider": 60}
    assert client.put("/v1/policies", json=body).status_code == 200
    send(client, "complaint.opened", {"id": "cmp1", "customer_id": "C", "status": "opened",
                                      "due_at": ago(2)})
    send(client, "complaint.opened", {"id": "cmp2", "customer_id": "A", "status": "opened",
                                      "due_at": (NOW + timedelta(days=1)).isoformat()})
    for k, (cid, expected, experienced, days) in enumerate((
            ("S", 10, 12, 20), ("S", 10, 8, 3), ("T", 10, 8, 20), ("T", 10, 12, 3))):
        send(client, "satisfaction.scored", {"customer_id": cid, "expected": expected,
                                             "experienced": experienced, "scored_on":
                                             (TODAY - timedelta(days=days)).isoformat()},
             eid=f"sat{k}")
    invoice = {"customer_id": "I", "document_id": "ERP-1", "currency": "CNY",
               "amount": "1000.00", "issue_date": (TODAY - timedelta(days=75)).isoformat()}
    send(client, "invoice.changed", invoice | {
        "invoice_id": "inv1", "outstanding": "400.00", "status": "open",
        "due_date": (TODAY - timedelta(days=45)).isoformat()})
    send(client, "invoice.changed", invoice | {
        "invoice_id": "inv2", "outstanding": "0.00", "status": "paid",
        "due_date": (TODAY - timedelta(days=45)).isoformat()})
    send(client, "invoice.changed", invoice | {
        "invoice_id": "inv3", "outstanding": "100.00", "status": "open",
        "due_date": (TODAY - timedelta(days=20)).isoformat()})  # overdue, not 30 days yet
    assert client.post("/v1/recompute", json={}).status_code == 200


def reasons(client, cid):
    card = client.get(f"/v1/customers/{cid}/value").json()
    return card["at_risk"], card["at_risk_reasons"]


def test_each_signal_names_its_reason(client):
    setup(client)
    assert reasons(client, "A") == (False, [])
    assert reasons(client, "T") == (False, [])  # its last check is 120
    at_risk, why = reasons(client, "N")
    tier = client.get("/v1/customers/N/value").json()["tier"]["name"]
    assert at_risk and why == [f"neglected: no touch for more than the 60 days the {tier} tier "
                               "allows (never touched since the first purchase)"]
    assert reasons(client, "C")[1][0].startswith("1 complaint open past the answer deadline")
    assert reasons(client, "S")[1] == [
        f"satisfaction index 80 at the last check ({TODAY - timedelta(days=3)}), under 100"]
    assert reasons(client, "I")[1] == [
        f"1 invoice overdue more than 30 days (the oldest due {TODAY - timedelta(days=45)}, "
        "45 days ago)"]
    listed = client.get("/v1/customers", params={"at_risk": True}).json()["items"]
    assert sorted(c["customer_id"] for c in listed) == ["C", "I", "N", "S"]


def test_becoming_at_risk_and_recovering_are_published_once_per_episode(client):
    setup(client)
    client.post("/v1/recompute", json={})  # again: nothing new
    risky = published(client, "customer.at_risk")
    assert sorted(e["customer_id"] for e in risky) == ["C", "I", "N", "S"]
    first = next(e for e in risky if e["customer_id"] == "N")
    assert first["owner_id"] == "rep-a" and first["team_id"] == "team-a"
    assert first["since"] == TODAY.isoformat() and first["reasons"][0].startswith("neglected")
    # Recovery: a touch, a payment, the complaint resolved; each ends its episode at once.
    send(client, "touch.recorded", {"customer_id": "N", "contact_id": None, "kind": "visit",
                                    "at": ago(0), "source_id": "v1"})
    send(client, "invoice.changed", {"invoice_id": "inv1", "customer_id": "I",
                                     "document_id": "ERP-1", "currency": "CNY",
                                     "amount": "1000.00", "outstanding": "0.00",
                                     "status": "paid", "issue_date": None,
                                     "due_date": (TODAY - timedelta(days=45)).isoformat()})
    send(client, "complaint.progress", {"complaint_id": "cmp1", "customer_id": "C",
                                        "contact_id": None, "step": "resolved",
                                        "text": "refund", "notice_id": 1, "at": ago(0)})
    for cid in ("N", "I", "C"):
        assert reasons(client, cid) == (False, [])
    recovered = published(client, "customer.recovered")
    assert sorted(e["customer_id"] for e in recovered) == ["C", "I", "N"]
    assert all(e["since"] == TODAY.isoformat() for e in recovered)
    send(client, "touch.recorded", {"customer_id": "N", "contact_id": None, "kind": "call",
                                    "at": ago(0), "source_id": "again"})  # still fine
    assert len(published(client, "customer.recovered")) == 3
    assert len(published(client, "customer.at_risk")) == 4
    # A new episode publishes again, once.
    send(client, "satisfaction.scored", {"customer_id": "N", "expected": 10, "experienced": 5,
                                         "scored_on": TODAY.isoformat()}, eid="sat-n")
    assert [e["customer_id"] for e in published(client, "customer.at_risk")].count("N") == 2


def test_an_episode_keeps_the_day_it_began_until_it_ends(client):
    setup(client)
    later = (TODAY + timedelta(days=3)).isoformat()
    assert client.post("/v1/recompute", json={"as_of": later}).status_code == 200
    card = client.get("/v1/customers/N/value").json()
    assert card["at_risk"] and card["at_risk_since"] == TODAY.isoformat()
    listed = {c["customer_id"]: c["at_risk_since"] for c in client.get(
        "/v1/customers", params={"at_risk": True}).json()["items"]}
    assert listed == dict.fromkeys(["C", "I", "N", "S"], TODAY.isoformat())
    assert len(published(client, "customer.at_risk")) == 4  # still the same episodes
    assert client.get("/v1/customers/A/value").json()["at_risk_since"] is None
    send(client, "touch.recorded", {"customer_id": "N", "contact_id": None, "kind": "visit",
                                    "at": ago(0), "source_id": "v1"})  # rescored at once
    assert client.get("/v1/customers/N/value").json()["at_risk_since"] is None
    assert [e["since"] for e in published(client, "customer.recovered")] == [TODAY.isoformat()]
