"""Registry events (reassign, merge, erase) and the privacy endpoints."""

from guanxi_needs.store.read_model import customers
from guanxi_testing.fixtures import (
    assert_problem,
    auth,
    erase_both_ways,
    paged_registry,
    rows_about,
)


def seed(client, customer_id="c1"):
    need = client.post("/v1/needs", json={"customer_id": customer_id, "need_class": "product",
                                          "source": "sales", "description": "CRM"}).json()
    client.post("/v1/opportunities", json={"need_id": need["id"], "title": "CRM", "money": True,
                                           "authority": True, "need": True})
    client.post("/v1/complaints", json={"customer_id": customer_id, "channel": "phone",
                                        "severity": "low", "summary": "slow"})
    return need


def test_reassigning_the_customer_moves_its_needs(client, kit, customer):
    need = seed(client)
    rep = auth("rep", sub="u-rep", team_id="t1")
    assert client.get(f"/v1/needs/{need['id']}", headers=rep).status_code == 200
    kit.add_customer("c1", owner_id="u-new")
    assert_problem(client.get(f"/v1/needs/{need['id']}", headers=rep), 404)
    assert client.get(f"/v1/needs/{need['id']}",
                      headers=auth("rep", sub="u-new", team_id="t1")).status_code == 200


def test_merge_repoints_and_erase_deletes(client, kit, customer):
    kit.add_customer("c2")
    seed(client, "c2")
    kit.send_event("customer.merged", {"merged_id": "c2", "into_id": "c1"})
    assert len(client.get("/v1/needs", params={"customer_id": "c1"}).json()["items"]) == 1
    kit.send_event("contact.changed", {"id": "k1", "customer_id": "c1", "name": "Li Lei",
                                       "role": "decision_maker"})
    exported = client.get("/v1/privacy/customers/c1").json()["data"]
    assert len(exported["needs"]) == 1 and exported["contacts"][0]["role"] == "decision_maker"
    assert_problem(client.get("/v1/privacy/customers/c1",
                              headers=auth("rep", sub="u-rep", team_id="t1")), 403)
    erased = client.delete("/v1/privacy/customers/c1").json()
    assert erased == {"service": "needs", "erased": {
        "needs": 1, "opportunities": 1, "expectations": 0, "complaints": 1, "contacts": 1,
        "purchase_lines": 0, "launch_calls": 0, "launch_reasons": 0, "commitments": 0,
        "balance_entries": 1, "balance": 1, "care_steps": 0}}
    assert client.get("/v1/needs", params={"customer_id": "c1"}).json()["items"] == []


def test_resync_pages_through_the_registry_and_keeps_the_segment(client, kit, customer):
    kit.send_event("segment.changed", {"customer_id": "c1", "segment": "champions"})
    pages = {
        "/v1/customers": [{"items": [{"id": "c1", "name": "Renamed", "status": "active",
                                      "owner_id": "u-new", "team_id": "t1"}],
                           "next_cursor": "p2"},
                          {"items": [{"id": "c7", "name": "New", "status": "active",
                                      "owner_id": "u-rep", "team_id": "t1"}]}],
        "/v1/contacts": [{"items": [{"id": "k1", "customer_id": "c7", "name": "Han Meimei",
                                     "role": "supporter"}]}],
    }

    peer = paged_registry(pages, caller="needs")
    with client.app.state.sessions() as session:
        assert customers.resync(session=session, client=peer) == {"customers": 2, "contacts": 1}
    exported = client.get("/v1/privacy/customers/c7").json()["data"]
    assert exported["contacts"][0]["name"] == "Han Meimei"
    by_segment = client.post("/v1/needs", json={"customer_id": "c1", "need_class": "product",
                                                "source": "sales", "description": "x"})
    assert by_segment.status_code == 201
    rows = client.get("/v1/needs/stats", params={"by": "segment"}).json()["rows"]
    assert rows == [{"key": "champions", "period": None, "needs": 1, "customers": 1}]
    assert_problem(client.get(f"/v1/needs/{by_segment.json()['id']}",
                              headers=auth("rep", sub="u-rep", team_id="t1")), 404)


def test_the_event_and_the_endpoint_erase_the_same_data(client, kit):
    by_event, by_endpoint = "EVTERASE", "APIERASE"
    for cid in (by_event, by_endpoint):
        kit.add_customer(cid)
        seed(client, cid)
        kit.send_event("contact.changed", {"id": f"k-{cid}", "customer_id": cid,
                                           "name": "Li Lei", "role": "decision_maker"})
    with client.app.state.sessions() as session:
        assert rows_about(session, by_event)["need"]
    left = erase_both_ways(
        client, lambda cid: kit.send_event("customer.erased", {"customer_id": cid}),
        by_event, by_endpoint)
    assert not any(left.values()), left  # needs keeps nothing about an erased customer
