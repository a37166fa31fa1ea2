"""The relationship balance from needs (balance.changed): below zero it is an at-risk reason,
and the value card shows it."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guanxi_shared.models import new_id
from guanxi_testing.fixtures import auth

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def client(publishing_client):
    return publishing_client


def send(client, etype, data):
    event = {"id": new_id(), "type": etype, "source": "needs",
             "occurred_at": datetime.now(UTC).isoformat(), "data": data}
    resp = client.post("/v1/events", json={"events": [event]},
                       headers=auth("service", sub="service:needs"))
    assert resp.status_code == 200, resp.text


def card(client, cid="B"):
    body = client.get(f"/v1/customers/{cid}/value").json()
    return body["relationship_balance"], body["at_risk"], body["at_risk_reasons"]


def test_an_overdrawn_balance_is_an_at_risk_reason_until_it_recovers(client):
    send(client, "customer.created", {"id": "B", "name": "B", "status": "active",
                                      "owner_id": "rep-a", "team_id": "team-a"})
    send(client, "purchase.recorded", {"id": "p-B", "customer_id": "B", "amount": "500",
                                       "purchased_on": (TODAY - timedelta(days=5)).isoformat()})
    send(client, "touch.recorded", {"customer_id": "B", "contact_id": None, "kind": "call",
                                    "at": datetime.now(UTC).isoformat(), "source_id": "t1"})
    assert client.post("/v1/recompute", json={}).status_code == 200  # the first full run
    assert card(client) == (None, False, [])
    now = datetime.now(UTC)
    send(client, "balance.changed", {"customer_id": "B", "balance": "-5.00",
                                     "at": now.isoformat()})
    assert card(client) == ("-5.00", True, ["relationship balance negative (-5.00)"])
    listed = client.get("/v1/customers", params={"at_risk": True}).json()["items"]
    assert [c["customer_id"] for c in listed] == ["B"]
    send(client, "balance.changed", {"customer_id": "B", "balance": "1.00",
                                     "at": (now + timedelta(seconds=5)).isoformat()})
    assert card(client) == ("1.00", False, [])
    # an older report delivered late changes nothing
    send(client, "balance.changed", {"customer_id": "B", "balance": "-9.00",
                                     "at": (now + timedelta(seconds=1)).isoformat()})
    assert card(client) == ("1.00", False, [])
