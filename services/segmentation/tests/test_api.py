"""Segmentation through the app: events in, scores, reports and exports out."""
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest

from guanxi_segmentation.store.read_model import customers
from guanxi_testing.fixtures import assert_problem, auth, paged_registry

SERVICE = auth("service", sub="service:registry")
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the service's business date


def event(n, etype, data):
    return {"id": f"e{etype}{n}", "type": etype, "source": "registry",
            "occurred_at": datetime.now(UTC).isoformat(), "data": data}


def load(client, customers):
    """customers: {id: (owner, [(days_ago, amount), ...])}."""
    events = []
    for cid, (owner, purchases) in customers.items():
        events.append(event(cid, "customer.created", {"id": cid, "name": f"客户{cid}",
                                                      "status": "active", "owner_id": owner}))
        for k, (days_ago, amount) in enumerate(purchases):
            events.append(event(f"{cid}-{k}", "purchase.recorded", {
                "id": f"p-{cid}-{k}", "customer_id": cid, "amount": str(amount),
                "purchased_on": (TODAY - timedelta(days=days_ago)).isoformat()}))
    resp = client.post("/v1/events", json={"events": events}, headers=SERVICE)
    assert resp.status_code == 200, resp.text


DATA = {  # five customers: one per quintile of every dimension
    "a": ("rep-a", [(2, 500), (30, 500), (60, 500), (90, 500), (120, 500)]),
    "b": ("rep-a", [(20, 300), (80, 300), (200, 300), (300, 100)]),
    "c": ("rep-b", [(60, 200), (250, 100), (400, 0)]),
    "d": ("rep-b", [(200, 100), (500, -20)]),
    "e": ("rep-b", [(700, 50)]),
}


def test_events_apply_once(client):
    load(client, {"x": ("rep-a", [(1, 10)])})
    again = client.post("/v1/events", json={"events": [event("x", "customer.created", {
        "id": "x", "name": "x", "status": "active"})]}, headers=SERVICE).json()
    assert again["duplicates"] == 1
    assert_problem(client.post("/v1/events", json={"events": []}, headers=auth("rep")), 403)


def test_recompute_scores_grid_segments_and_value_card(client):
    load(client, DATA)
    run = client.post("/v1/recompute", json={}).json()
    assert run["customers"] == 5
    cells = client.get("/v1/rfm/grid").json()["cells"]
    assert len(cells) == 125 and sum(c["customers"] for c in cells) == 5
    assert {"r": 5, "f": 5, "m": 5, "customers": 1, "revenue": "2500.00"} in cells
    card = client.get("/v1/customers/a/value").json()
    assert (card["rfm"]["r"], card["rfm"]["f"], card["rfm"]["m"]) == (5, 5, 5)
    assert card["segment"]["name"] == "champions" and card["tier"]["name"] == "invest"
    assert card["purchase_count"] == 5 and card["total_spend"] == "2500.00"
    lost = client.get("/v1/customers/e/value").json()
    assert (lost["rfm"]["r"], lost["segment"]["name"], lost["tier"]["name"]) == (
        1, "lost", "reconsider")
    refunds = client.get("/v1/customers/d/value").json()
    assert refunds["total_spend"] == "80.00"
    segments = {s["name"]: s for s in client.get("/v1/segments").json()}
    assert segments["champions"]["customers"] == 1 and segments["champions"]["strategy"]


def test_purchase_event_updates_the_customer_at_once(client):
    load(client, DATA)
    client.post("/v1/recompute", json={})
    before = client.get("/v1/customers/e/value").json()
    client.post("/v1/events", headers=SERVICE, json={"events": [event("new", "purchase.recorded", {
        "id": "p-new", "customer_id": "e", "amount": "5000", "purchased_on": TODAY.isoformat()})]})
    after = client.get("/v1/customers/e/value").json()
    assert after["purchase_count"] == before["purchase_count"] + 1
    assert after["rfm"]["recency_days"] == 0 and after["rfm"]["r"] == 5
    assert after["segment"]["name"] != "lost"


def test_at_risk_reasons(client):
    load(client, {"r": ("rep-a", [(300, 100), (330, 100), (360, 100), (390, 100)]),
                  "s": ("rep-a", [(1, 10)])})
    client.post("/v1/recompute", json={})
    card = client.get("/v1/customers/r/value").json()
    assert card["at_risk"] and "usual gap of 30 days" in card["at_risk_reasons"][0]


def test_pareto_and_tiers(client):
    load(client, DATA)
    client.post("/v1/recompute", json={})
    report = client.get("/v1/pareto").json()
    assert report["customers"] == 5 and report["top_20_percent_share"] == round(2500 / 3930, 4)
    assert [t["customers"] for t in report["tiers"]] == [1, 3, 1]
    profit = client.get("/v1/pareto", params={"measure": "profit"}).json()
    assert profit["total"] == round(3930 * 0.3, 2)


def test_lists_ownership_and_csv_export(client):
    load(client, DATA | {"z": ("rep-a", [(1, 10)])})
    client.post("/v1/events", json={"events": [event("z2", "customer.updated", {
        "id": "z", "name": "=HYPERLINK(\"http://evil\")", "status": "active",
        "owner_id": "rep-a"})]}, headers=SERVICE)
    client.post("/v1/recompute", json={})
    page = client.get("/v1/customers", params={"limit": 2}).json()
    assert [c["customer_id"] for c in page["items"]] == ["a", "b"] and page["next_cursor"]
    mine = client.get("/v1/customers", headers=auth("rep", sub="rep-a")).json()["items"]
    assert {c["customer_id"] for c in mine} == {"a", "b", "z"}
    assert {c["owner_id"] for c in mine} == {"rep-a"}
    cell = client.get("/v1/customers", params={"r_score": mine[0]["r_score"],
                                               "f_score": mine[0]["f_score"]}).json()["items"]
    assert mine[0]["customer_id"] in {c["customer_id"] for c in cell}
    assert all((c["r_score"], c["f_score"]) == (mine[0]["r_score"], mine[0]["f_score"])
               for c in cell)
    assert {c["customer_id"] for c in client.get(
        "/v1/customers", params={"owner_id": "rep-a"}).json()["items"]} == {"a", "b", "z"}
    assert_problem(client.get("/v1/customers", params={"r_score": 6}), 422)
    assert_problem(client.get("/v1/customers/c/value", headers=auth("rep", sub="rep-a")), 404)
    grid = client.get("/v1/rfm/grid", headers=auth("rep", sub="rep-a")).json()["cells"]
    assert sum(c["customers"] for c in grid) == 3
    exported = client.get("/v1/customers", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert "'=HYPERLINK" in exported.text and "\n=HYPERLINK" not in exported.text



@pytest.mark.parametrize("segment", ["高价值客户", "Ünïcødé", 'a"b\\c/../d\r\nX-Evil: 1', "..."])
def test_csv_file_name_from_a_filter_is_encoded_not_a_500(client, segment):
    """Issue 15: a non-Latin segment went raw into Content-Disposition (a 500)."""
    load(client, DATA)
    resp = client.get("/v1/customers", params={"format": "csv", "segment": segment})
    assert resp.status_code == 200, resp.text
    disposition = resp.headers["content-disposition"]
    assert disposition.isascii() and "\n" not in disposition and "/" not in disposition
    assert "X-Evil" not in resp.headers and disposition.startswith('attachment; filename="')
    if not segment.isascii():
        name = disposition.split("filename*=UTF-8''", 1)[1]
        assert unquote(name) == f"customers-{segment}.csv"


def test_snapshots_migration_and_churn(client):
    load(client, DATA)
    first = (TODAY - timedelta(days=30)).isoformat()
    client.post("/v1/recompute", json={"as_of": first, "snapshot": True})
    client.post("/v1/recompute", json={"snapshot": True})
    dates = [s["snapshot_date"] for s in client.get("/v1/snapshots").json()]
    assert dates == [TODAY.isoformat(), first]
    matrix = client.get("/v1/snapshots/migration",
                        params={"from": first, "to": TODAY.isoformat()}).json()
    assert matrix["moved"] + matrix["stayed"] == 5
    for cid, reason in (("d", "价格"), ("e", "价格"), ("c", "服务不稳定")):
        client.post("/v1/events", json={"events": [event(f"lost{cid}", "customer.updated", {
            "id": cid, "name": cid, "status": "lost", "lost_reason": reason})]}, headers=SERVICE)
    month = TODAY.replace(day=1)
    report = client.get("/v1/churn", params={"from": month.isoformat(),
                                             "to": (TODAY + timedelta(days=1)).isoformat()}).json()
    this_month = report[-1]
    assert this_month["lost"] == 3
    assert this_month["unrecorded"] == {"count": 3, "percent": 100.0}  # a note, no reason code
    assert_problem(client.get("/v1/churn", params={"from": "2026-02-01", "to": "2026-01-01"}), 422)


def kept_scores(client) -> dict[str, tuple]:
    items = client.get("/v1/customers", params={"limit": 100}).json()["items"]
    return {c["customer_id"]: (c["r_score"], c["f_score"], c["m_score"], c["segment"],
                               c["tier"], c["monetary"]) for c in items}


def test_a_kept_day_adds_only_the_customers_whose_scores_changed(client):
    load(client, DATA)
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert client.post("/v1/recompute", json={"as_of": yesterday}).status_code == 200
    before = kept_scores(client)
    client.post("/v1/recompute", json={})  # a day older, the same ranks: nothing to keep
    assert kept_scores(client) == before
    assert client.get("/v1/snapshots").json() == [
        {"snapshot_date": TODAY.isoformat(), "customers": 5, "changed": 0},
        {"snapshot_date": yesterday, "customers": 5, "changed": 5}]
    load(client, {"e": ("rep-b", [(0, 5000)]), "f": ("rep-a", [(0, 10)])})  # a new customer
    client.post("/v1/recompute", json={})  # the same day again
    now = kept_scores(client)
    changed = {cid for cid, scores in now.items() if before.get(cid) != scores}
    assert {"e", "f"} <= changed
    assert client.get("/v1/snapshots").json()[0] == {
        "snapshot_date": TODAY.isoformat(), "customers": 6, "changed": len(changed)}
    for cid, scores in now.items():
        history = client.get(f"/v1/customers/{cid}/value").json()["history"]
        assert [h["date"] for h in history] == (
            [yesterday] if cid in before else []) + ([TODAY.isoformat()] if cid in changed else [])
        assert tuple(history[-1][k] for k in ("r", "f", "m", "segment", "tier")) == scores[:5]
    matrix = client.get("/v1/snapshots/migration",
                        params={"from": yesterday, "to": TODAY.isoformat()}).json()
    assert matrix["moved"] + matrix["stayed"] == 5  # "f" was not scored yesterday
    assert matrix["moved"] == sum(before[c][3] != now[c][3] for c in before)
    # days are kept in date order; an earlier recompute may still run without keeping
    assert_problem(client.post("/v1/recompute", json={"as_of": yesterday}), 409)
    assert client.post("/v1/recompute", json={"as_of": yesterday,
                                              "snapshot": False}).status_code == 200
    assert len(client.get("/v1/snapshots").json()) == 2


def test_policy_fixed_bins_and_if_match(client):
    load(client, DATA)
    current = client.get("/v1/policies")
    body = current.json() | {"binning": "fixed", "fixed_bins": {
        "recency_days": [30, 90, 180, 365], "frequency": [1, 2, 3, 4],
        "monetary": [100, 500, 1000, 2000]}}
    ok = client.put("/v1/policies", json=body, headers={"If-Match": current.headers["etag"]})
    assert ok.status_code == 200
    assert_problem(client.put("/v1/policies", json=body,
                              headers={"If-Match": current.headers["etag"]}), 412)
    assert_problem(client.put("/v1/policies", json=body | {"binning": "fixed",
                                                           "fixed_bins": None}), 422)
    assert_problem(client.put("/v1/policies", json=body, headers=auth("rep")), 403)
    client.post("/v1/recompute", json={})
    card = client.get("/v1/customers/b/value").json()
    # 20 days < 30: R5; 4 purchases reach the 4th cut: F5; 1000 reaches the 3rd: M4.
    assert (card["rfm"]["r"], card["rfm"]["f"], card["rfm"]["m"]) == (5, 5, 4)


def test_model_fit_reports_parameters_and_holdout(client):
    purchases = {f"m{i}": ("rep-a", [(400 - 70 * k - i, 100 + i) for k in range(1 + i % 6)])
                 for i in range(30)}
    load(client, purchases)
    cut_off = (TODAY - timedelta(days=120)).isoformat()
    fit = client.post("/v1/clv/fit", json={"cut_off": cut_off, "time_unit": "weeks"}).json()
    assert set(fit["bgnbd"]) == {"r", "alpha", "a", "b", "log_likelihood"}
    assert set(fit["gamma_gamma"]) == {"p", "q", "gamma", "log_likelihood"}
    assert fit["holdout"]["actual_purchases"] > 0
    card = client.get("/v1/customers/m5/value").json()
    assert 0 <= card["p_alive"] <= 1 and card["clv_model"] is not None
    assert client.get("/v1/clv/fit").json()["cut_off"] == cut_off
    assert_problem(client.post("/v1/clv/fit", json={"cut_off": "2000-01-01"}), 422)
    assert client.post("/v1/clv/simple", json={
        "first_sale_profit": 75, "repeat_profit": 150, "purchases_per_year": 3,
        "lifetime_years": 2}).json()["lifetime_value"] == 975


def test_privacy_erase_keeps_totals(client):
    load(client, DATA)
    client.post("/v1/recompute", json={"snapshot": True})
    assert client.get("/v1/privacy/customers/a").json()["data"]["purchase_count"] == 5
    erased = client.delete("/v1/privacy/customers/a").json()
    assert erased["erased"]["scores"] == 1
    assert client.get("/v1/pareto").json()["customers"] == 4
    assert client.get("/v1/customers/a/value").json()["total_spend"] == "2500.00"


def test_resync_rebuilds_the_read_model_from_the_registry(client):
    load(client, {"a": ("rep-a", [(5, 100)])})
    pages = {
        "/v1/customers": [
            {"items": [{"id": "a", "name": "改名", "status": "active", "owner_id": "rep-b",
                        "kind": "company"}], "next_cursor": "2"},
            {"items": [{"id": "m", "name": "missed", "status": "active", "owner_id": "rep-b"}]}],
        "/v1/purchases": [
            {"items": [{"id": "p-a-0", "customer_id": "a", "amount": "100.00",
                        "purchased_on": (TODAY - timedelta(days=5)).isoformat()},
                       {"id": "p-m", "customer_id": "m", "amount": "42.50", "currency": "CNY",
                        "purchased_on": TODAY.isoformat()}]}],
    }

    peer = paged_registry(pages, caller="segmentation")
    with client.app.state.sessions() as session:
        assert customers.resync(session=session, client=peer) == {"customers": 2, "purchases": 2}
        assert customers.resync(session=session, client=peer) == {"customers": 2, "purchases": 2}
    client.post("/v1/recompute", json={})
    missed = client.get("/v1/customers/m/value").json()
    assert (missed["purchase_count"], missed["total_spend"]) == (1, "42.50")
    card = client.get("/v1/customers/a/value").json()
    assert (card["purchase_count"], card["total_spend"]) == (1, "100.00")
    owned = client.get("/v1/customers", headers=auth("rep", sub="rep-b")).json()["items"]
    assert {c["customer_id"] for c in owned} == {"a", "m"}
