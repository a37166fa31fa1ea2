"""The read model follows registry events, once per event id."""
from datetime import UTC, datetime

from guanxi_shared.testing import assert_problem, auth


def event(eid, etype, data):
    return {"id": eid, "type": etype, "source": "registry",
            "occurred_at": datetime.now(UTC).isoformat(), "data": data}


CUSTOMER = {"id": "c1", "name": "华为", "status": "active", "owner_id": "rep-a", "team_id": "t1"}
PURCHASE = {"id": "p1", "customer_id": "c1", "purchased_on": "2026-03-01", "amount": "150.50"}


def test_purchase_events_apply_once(client):
    svc = auth("service", sub="service:registry")
    batch = {"events": [event("e1", "customer.created", CUSTOMER),
                        event("e2", "purchase.recorded", PURCHASE),
                        event("e3", "something.else", {})]}
    first = client.post("/v1/events", json=batch, headers=svc).json()
    assert first == {"applied": 2, "duplicates": 0, "ignored": 1, "dead_lettered": 0}
    again = client.post("/v1/events", json=batch, headers=svc).json()
    assert again["duplicates"] == 3
    card = client.get("/v1/customers/c1/value").json()
    assert card["purchase_count"] == 1 and card["total_spend"] == "150.50"


def test_events_need_a_service_credential(client):
    assert_problem(client.post("/v1/events", json={"events": []}, headers=auth("rep")), 403)
    assert_problem(client.post("/v1/events", json={"events": []}, headers={"Authorization": ""}),
                   401)


def test_rep_cannot_see_another_reps_value_card(client):
    client.post("/v1/events", json={"events": [event("e1", "customer.created", CUSTOMER)]},
                headers=auth("service", sub="service:registry"))
    assert client.get("/v1/customers/c1/value", headers=auth("rep", sub="rep-a")).status_code == 200
    assert_problem(client.get("/v1/customers/c1/value", headers=auth("rep", sub="rep-b")), 404)
