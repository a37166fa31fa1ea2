"""Personal data: the customer.erased event and DELETE /v1/privacy/customers/{id} erase alike;
a resync records status changes as the events do."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from guanxi_segmentation.store.read_model import customers
from guanxi_testing.fixtures import auth, erase_both_ways, paged_registry, rows_about

SERVICE = auth("service", sub="service:registry")
AT = datetime.now(UTC).replace(microsecond=0)
TODAY = AT.astimezone(ZoneInfo("Asia/Shanghai")).date()


def event(eid, etype, data):
    return {"id": eid, "type": etype, "source": "registry", "occurred_at": AT.isoformat(),
            "data": data}


def send(client, *events):
    resp = client.post("/v1/events", json={"events": list(events)}, headers=SERVICE)
    assert resp.status_code == 200, resp.text


def give_history(client, cid):
    """A lost customer with purchases, a satisfaction score, a touch through a contact and
    loyalty answers: something for every kind of erasure."""
    send(client,
         event(f"c-{cid}", "customer.created", {"id": cid, "name": f"客户{cid}",
                                                "status": "active", "owner_id": "rep-a"}),
         *(event(f"p{k}-{cid}", "purchase.recorded", {
             "id": f"p{k}-{cid}", "customer_id": cid, "amount": "300",
             "purchased_on": (TODAY - timedelta(days=days)).isoformat()})
           for k, days in enumerate((3, 40, 200))),
         event(f"s-{cid}", "satisfaction.scored", {"customer_id": cid, "expected": 10,
                                                   "experienced": 8,
                                                   "scored_on": TODAY.isoformat()}),
         event(f"t-{cid}", "touch.recorded", {"customer_id": cid, "contact_id": f"k-{cid}",
                                              "kind": "call", "at": AT.isoformat(),
                                              "source_id": f"call-{cid}"}),
         event(f"l-{cid}", "customer.updated", {"id": cid, "name": f"客户{cid}",
                                                "status": "lost", "lost_reason": "嫌贵",
                                                "owner_id": "rep-a"}))
    assert client.put(f"/v1/loyalty/customers/{cid}/inputs",
                      json={"would_recommend": 3, "wallet_budget": "9000"}).status_code == 200


def test_the_event_and_the_endpoint_erase_the_same_data(client):
    by_event, by_endpoint = "EVTERASE", "APIERASE"  # 8 characters: the erased name shows 8
    for cid in (by_event, by_endpoint):
        give_history(client, cid)
    client.post("/v1/recompute", json={"snapshot": True})
    with client.app.state.sessions() as session:
        before = rows_about(session, by_event)
    assert before["score_snapshot"] and before["satisfaction_score"]

    after = erase_both_ways(
        client, lambda cid: send(client, event("erase", "customer.erased", {"customer_id": cid})),
        by_event, by_endpoint)
    for kept_empty in ("customer_score", "score_snapshot", "satisfaction_score",
                       "loyalty_input"):
        assert after[kept_empty] == []
    assert len(after["purchase_fact"]) == 3  # company totals do not change
    assert "嫌贵" not in repr(after) and "客户<customer>" not in repr(after)
    assert "k-<customer>" not in repr(after)


def test_resync_records_the_status_changes_events_would(client):
    lost_on = datetime(TODAY.year, TODAY.month, 1, 4, tzinfo=UTC)
    pages = {"/v1/customers": [{"items": [{
        "id": "r", "name": "missed", "status": "lost", "lost_reason": "价格",
        "lost_reason_code": "price", "owner_id": "rep-a", "updated_at": lost_on.isoformat()}]}],
        "/v1/purchases": [{"items": []}]}
    with client.app.state.sessions() as session:
        customers.resync(session=session, client=paged_registry(pages, caller="segmentation"))
        customers.resync(session=session, client=paged_registry(pages, caller="segmentation"))
    report = client.get("/v1/churn", params={"from": TODAY.replace(day=1).isoformat(),
                                             "to": (TODAY + timedelta(days=1)).isoformat()})
    assert report.status_code == 200, report.text
    assert sum(period["lost"] for period in report.json()) == 1  # once, though synced twice
