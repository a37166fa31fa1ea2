"""The needs library through the API: record, classify, decide, history, analytics."""
from guanxi_testing.fixtures import assert_problem, auth

REP = auth("rep", sub="u-rep", team_id="t1")
OTHER_REP = auth("rep", sub="u-other", team_id="t1")
STRANGER = auth("rep", sub="u-far", team_id="t9")


def record(client, customer_id="c1", headers=None, **fields):
    body = {"customer_id": customer_id, "need_class": "product", "source": "sales",
            "description": "A sofa that can be taken apart", **fields}
    resp = client.post("/v1/needs", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


def move(client, need, status, **extra):
    return client.post(f"/v1/needs/{need['id']}/status", json={"status": status, **extra})


def category(client, name, parent_id=None):
    resp = client.post("/v1/categories", json={"name": name, "parent_id": parent_id})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def test_a_need_without_a_category_is_special_and_publishes(client, kit, customer):
    need = record(client, headers=REP)
    assert need["need_class"] == "special" and need["status"] == "collected"
    assert need["recorded_by"] == "u-rep"
    assert kit.published("need.created")[0]["id"] == need["id"]
    furniture = category(client, "Furniture")
    classified = record(client, category_id=furniture, need_class="restrictive")
    assert classified["need_class"] == "restrictive"


def test_unknown_fields_category_and_customer_are_refused(client, kit, customer):
    assert_problem(client.post("/v1/needs", json={"customer_id": "c1", "need_class": "product",
                                                  "source": "sales", "description": "x",
                                                  "colour": "red"}), 422)
    assert_problem(client.post("/v1/needs", json={
        "customer_id": "c1", "need_class": "product", "source": "sales", "description": "x",
        "category_id": "nope"}), 422)
    assert_problem(client.post("/v1/needs", json={
        "customer_id": "nobody", "need_class": "product", "source": "sales",
        "description": "x"}), 404)


def test_status_machine_with_history_and_decision_event(client, kit, customer):
    need = record(client)
    body = assert_problem(move(client, need, "accepted", feedback="yes"), 409)
    assert "cannot go from collected to accepted" in body["detail"]
    assert move(client, need, "classified").status_code == 200
    assert move(client, need, "analysed", note="12 customers ask").status_code == 200
    body = assert_problem(move(client, need, "planned"), 409)
    assert "feedback" in body["detail"]
    decided = move(client, need, "planned", feedback="Planned for the spring release")
    assert decided.json()["status"] == "planned"
    assert decided.json()["feedback"] == "Planned for the spring release"
    assert [e["status"] for e in kit.published("need.decided")] == ["planned"]
    history = client.get(f"/v1/needs/{need['id']}/history").json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "collected"), ("collected", "classified"), ("classified", "analysed"),
        ("analysed", "planned")]
    assert all(h["changed_by"] == "u-admin" and h["changed_at"] for h in history)


def test_if_match_and_etag(client, kit, customer):
    need = record(client)
    etag = client.get(f"/v1/needs/{need['id']}").headers["etag"]
    ok = client.patch(f"/v1/needs/{need['id']}", json={"urgency": "high"},
                      headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.json()["urgency"] == "high"
    assert_problem(client.patch(f"/v1/needs/{need['id']}", json={"urgency": "low"},
                                headers={"If-Match": etag}), 412)


def test_reps_see_needs_of_their_customers_only(client, kit, customer):
    kit.add_customer("c2", owner_id="u-other")
    mine = record(client, headers=REP)
    record(client, "c2", headers=OTHER_REP)
    assert [n["id"] for n in client.get("/v1/needs", headers=REP).json()["items"]] == [mine["id"]]
    assert_problem(client.get(f"/v1/needs/{mine['id']}", headers=STRANGER), 404)
    assert_problem(client.post("/v1/needs", headers=STRANGER, json={
        "customer_id": "c1", "need_class": "product", "source": "sales",
        "description": "x"}), 404)
    assert_problem(client.post("/v1/needs", headers=auth("analyst"), json={
        "customer_id": "c1", "need_class": "product", "source": "sales",
        "description": "x"}), 403)


def test_stats_niches_and_unmet_needs(client, kit, customer):
    for cid in ("c2", "c3"):
        kit.add_customer(cid)
    kit.send_event("segment.changed", {"customer_id": "c1", "segment": "champions",
                                           "tier": "top", "at_risk": False,
                                           "at_risk_reasons": []})
    training = category(client, "Training")
    for cid in ("c1", "c2", "c3"):
        record(client, cid, category_id=training, need_class="positively_correlated",
               description=f"Training for {cid}")
    record(client, "c1", source="service", urgency="urgent", description="Fix the invoice")
    by_category = client.get("/v1/needs/stats", params={"by": "category"}).json()
    assert {(r["key"], r["needs"], r["customers"]) for r in by_category["rows"]} == {
        (training, 3, 3), (None, 1, 1)}
    by_source = client.get("/v1/needs/stats",
                           params={"by": "source", "period": "month"}).json()["rows"]
    assert {(r["key"], r["needs"]) for r in by_source} == {("sales", 3), ("service", 1)}
    assert all(len(r["period"]) == 7 for r in by_source)
    by_segment = client.get("/v1/needs/stats", params={"by": "segment"}).json()["rows"]
    assert {(r["key"], r["needs"]) for r in by_segment} == {("champions", 2), (None, 2)}
    niches = client.get("/v1/needs/niches", params={"min_customers": 3}).json()
    assert [(n["category"], n["customers"]) for n in niches] == [("Training", 3)]
    unmet = client.get("/v1/needs/unmet", params={"customer_id": "c1"}).json()
    assert [n["description"] for n in unmet] == ["Fix the invoice", "Training for c1"]
    assert_problem(client.get("/v1/needs/unmet", params={"customer_id": "c1"},
                              headers=STRANGER), 404)
