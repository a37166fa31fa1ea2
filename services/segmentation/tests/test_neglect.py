"""Neglect: last touch per customer (late and repeated events), limits per tier, the list and
the per-owner summary."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from guanxi_testing.fixtures import assert_problem, auth

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.now(SHANGHAI)
TODAY = NOW.date()
SERVICE = auth("service", sub="service:engagement")


def event(eid, etype, data, source="engagement"):
    return {"id": eid, "type": etype, "source": source,
            "occurred_at": datetime.now(UTC).isoformat(), "data": data}


def send(client, *events):
    resp = client.post("/v1/events", json={"events": list(events)}, headers=SERVICE)
    assert resp.status_code == 200, resp.text
    return resp.json()


def touch(eid, customer_id, days_ago, kind="call"):
    at = (NOW - timedelta(days=days_ago)).isoformat()
    return event(eid, "touch.recorded", {"customer_id": customer_id, "contact_id": None,
                                         "kind": kind, "at": at, "source_id": f"s-{eid}"})


# V is the top tier (30 days), K1-K3 the middle (90), R the bottom (180).
CUSTOMERS = {"V": ("rep-a", 5000, 400), "K1": ("rep-a", 300, 100), "K2": ("rep-a", 200, 50),
             "K3": ("rep-b", 150, 10), "R": ("rep-b", 10, 200)}


def setup(client):
    events = []
    for cid, (owner, amount, days_ago) in CUSTOMERS.items():
        events.append(event(f"c-{cid}", "customer.created", {
            "id": cid, "name": f"客户{cid}", "status": "active", "owner_id": owner,
            "team_id": "team-" + owner[-1]}, source="registry"))
        events.append(event(f"p-{cid}", "purchase.recorded", {
            "id": f"p-{cid}", "customer_id": cid, "amount": str(amount),
            "purchased_on": (TODAY - timedelta(days=days_ago)).isoformat()}, source="registry"))
    send(client, *events)
    client.post("/v1/recompute", json={})
    send(client, touch("t1", "V", 31),
         touch("t2", "K2", 95), touch("t3", "K2", 5, "visit"),
         touch("t4", "K2", 95, "gift"),  # late: older than the one already kept
         event("cc", "complaint.closed", {
             "id": "cmp-1", "customer_id": "R", "contact_id": None, "status": "closed",
             "closed_at": (NOW - timedelta(days=181)).isoformat()}, source="needs"))


def test_neglect_list_oldest_first_with_limits_per_tier(client):
    setup(client)
    assert send(client, touch("t3", "K2", 5, "visit"))["duplicates"] == 1
    items = client.get("/v1/neglect").json()["items"]
    assert [(i["customer_id"], i["tier"], i["days_without_touch"], i["limit_days"],
             i["days_over"], i["last_touch_kind"]) for i in items] == [
        ("R", "reconsider", 181, 180, 1, "complaint"),
        ("K1", "keep", 100, 90, 10, None),  # never touched: counted from the first purchase
        ("V", "invest", 31, 30, 1, "call")]
    k1 = items[1]
    assert k1["last_touch_on"] is None
    assert k1["counted_from"] == (TODAY - timedelta(days=100)).isoformat()
    assert items[0]["last_touch_on"] == (TODAY - timedelta(days=181)).isoformat()


def test_a_touch_removes_a_customer_and_late_ones_change_nothing(client):
    setup(client)
    send(client, touch("t5", "K1", 2, "message"))
    send(client, touch("t6", "K1", 120, "task"))  # arrives after, happened before
    ids = [i["customer_id"] for i in client.get("/v1/neglect").json()["items"]]
    assert ids == ["R", "V"]
    send(client, event("lost", "customer.updated", {"id": "R", "name": "R", "status": "lost",
                                                    "lost_reason": "价格"}, source="registry"))
    assert [i["customer_id"] for i in client.get("/v1/neglect").json()["items"]] == ["V"]


def test_limits_come_from_the_policy(client):
    setup(client)
    current = client.get("/v1/policies")
    assert current.json()["neglect_days"] == {"invest": 30, "keep": 90, "reconsider": 180}
    body = current.json() | {"neglect_days": {"invest": 31, "keep": 120, "reconsider": 180}}
    assert client.put("/v1/policies", json=body).status_code == 200
    assert [i["customer_id"] for i in client.get("/v1/neglect").json()["items"]] == ["R"]
    assert_problem(client.put("/v1/policies", json=body | {"neglect_days": {"invest": 0}}),
                   422)


def test_filters_roles_paging_summary_and_csv(client):
    setup(client)
    first = client.get("/v1/neglect", params={"limit": 2}).json()
    assert [i["customer_id"] for i in first["items"]] == ["R", "K1"] and first["next_cursor"]
    rest = client.get("/v1/neglect", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [i["customer_id"] for i in rest["items"]] == ["V"] and rest["next_cursor"] is None
    rep_b = auth("rep", sub="rep-b")
    assert [i["customer_id"] for i in client.get("/v1/neglect", headers=rep_b).json()[
        "items"]] == ["R"]
    assert client.get("/v1/neglect", params={"owner_id": "rep-a"}, headers=rep_b).json()[
        "items"] == []
    assert [i["customer_id"] for i in client.get("/v1/neglect", params={
        "team_id": "team-a", "tier": "keep"}).json()["items"]] == ["K1"]
    summary = client.get("/v1/neglect/summary").json()
    assert summary == [
        {"id": "rep-a", "customers": 3, "neglected": 2, "share": 0.6667,
         "oldest_days_without_touch": 100},
        {"id": "rep-b", "customers": 2, "neglected": 1, "share": 0.5,
         "oldest_days_without_touch": 181}]
    teams = client.get("/v1/neglect/summary", params={"by": "team"},
                       headers=auth("manager", sub="m", team_id="team-b")).json()
    assert [(t["id"], t["neglected"]) for t in teams] == [("team-b", 1)]
    exported = client.get("/v1/neglect", params={"format": "csv"})
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("customer_id,name,owner_id,team_id,tier,last_touch_on")
    assert lines[1].startswith("R,客户R,rep-b,team-b,reconsider,")
    assert_problem(client.get("/v1/neglect", params={"cursor": "nonsense"}), 400)
    assert_problem(client.get("/v1/neglect/summary", params={"by": "region"}), 422)


def test_merge_keeps_the_later_touch(client):
    setup(client)
    send(client, event("m1", "customer.merged", {"merged_id": "K2", "into_id": "K1"},
                       source="registry"))  # K2's visit 5 days ago is K1's last touch now
    send(client, event("m2", "customer.merged", {"merged_id": "K3", "into_id": "V"},
                       source="registry"))  # K3 was never touched: V keeps its own
    items = {i["customer_id"]: i for i in client.get("/v1/neglect").json()["items"]}
    assert set(items) == {"R", "V"} and items["V"]["days_without_touch"] == 31
