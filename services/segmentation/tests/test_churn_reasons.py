"""The churn report's reasons: the company list, in percent, controllable or not."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guanxi_segmentation.store.tables import Reason
from guanxi_shared.reasons import default_rows, seed_if_empty
from guanxi_testing.fixtures import auth

SERVICE = auth("service", sub="service:registry")
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture(autouse=True)
def defaults(client):
    """What the migration seeds; the previous test's cleanup emptied every table."""
    with client.app.state.sessions() as session:
        seed_if_empty(session, Reason)


def send(client, n, etype, data, at=None):
    event = {"id": f"r{etype}{n}", "type": etype, "source": "registry",
             "occurred_at": (at or datetime.now(UTC)).isoformat(), "data": data}
    resp = client.post("/v1/events", json={"events": [event]}, headers=SERVICE)
    assert resp.status_code == 200 and resp.json()["applied"] == 1, resp.text


def lose(client, cid, code, owner="rep-a"):
    send(client, cid, "customer.created", {"id": cid, "name": cid, "status": "active",
                                           "owner_id": owner})
    data = {"id": cid, "name": cid, "status": "lost", "lost_reason": "备注", "owner_id": owner}
    if code:
        data["lost_reason_code"] = code
    send(client, f"{cid}-lost", "customer.updated", data)


def this_month(client, headers=None):
    params = {"from": TODAY.replace(day=1).isoformat(),
              "to": (TODAY + timedelta(days=1)).isoformat()}
    return client.get("/v1/churn", params=params, headers=headers).json()[-1]


def test_reasons_in_percent_with_the_controllable_share(client):
    for cid, code in (("a", "price"), ("b", "price"), ("c", "closure"), ("d", None)):
        lose(client, cid, code)
    report = this_month(client)
    assert report["lost"] == 4
    assert [(r["code"], r["count"], r["percent"], r["controllable"]) for r in
            report["reasons"]] == [("price", 2, 50.0, True), ("closure", 1, 25.0, False),
                                   ("unrecorded", 1, 25.0, None)]
    assert report["reasons"][0]["label_zh"] == "价格"
    assert report["controllable"] == {"count": 2, "percent": 50.0}
    assert report["not_controllable"] == {"count": 1, "percent": 25.0}
    assert report["unrecorded"] == {"count": 1, "percent": 25.0}
    only_b = this_month(client, auth("rep", "rep-b"))
    assert only_b["lost"] == 0 and only_b["reasons"] == []


def test_the_registry_list_relabels_and_a_stale_list_is_ignored(client):
    lose(client, "a", "price")
    lose(client, "c", "closure")
    new_list = [{k: v for k, v in r.items() if k != "updated_at"} for r in default_rows()
                if r["code"] != "closure"]
    for row in new_list:
        if row["code"] == "price":
            row.update(label_zh="价格太高", controllable=False)
    now = datetime.now(UTC)
    send(client, 1, "reasons.changed", {"reasons": new_list, "changed_at": now.isoformat()})
    report = this_month(client)
    by_code = {r["code"]: r for r in report["reasons"]}
    assert by_code["price"]["label_zh"] == "价格太高" and by_code["price"]["controllable"] is False
    assert by_code["closure"]["label_zh"] == "倒闭或破产"  # dropped from the list: kept, retired
    assert report["not_controllable"] == {"count": 2, "percent": 100.0}
    older = [dict(r, controllable=True) for r in new_list]
    send(client, 2, "reasons.changed", {"reasons": older,
                                        "changed_at": (now - timedelta(hours=1)).isoformat()})
    assert this_month(client)["not_controllable"]["count"] == 2


def test_a_corrected_reason_replaces_the_first(client):
    lose(client, "a", "other")
    send(client, "fix", "customer.updated", {"id": "a", "name": "a", "status": "lost",
                                             "lost_reason_code": "competitor",
                                             "owner_id": "rep-a"})
    report = this_month(client)
    assert [(r["code"], r["count"]) for r in report["reasons"]] == [("competitor", 1)]
