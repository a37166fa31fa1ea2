"""Flows that cross services: a won opportunity becomes one purchase; satisfaction reaches
segmentation; a reassigned customer moves with what hangs off it."""
from guanxi_testing.fixtures import eventually


def new_customer(gateway, name):
    resp = gateway.post("/api/v1/registry/customers", json={"kind": "company", "name": name})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def known_to_needs(gateway, customer_id):
    return eventually(lambda: gateway.get("/api/v1/needs/needs/unmet",
                                          params={"customer_id": customer_id}).status_code == 200)


def test_won_opportunity_is_recorded_once_as_a_purchase(gateway):
    cid = new_customer(gateway, "赢单客户")
    assert known_to_needs(gateway, cid)
    opp = gateway.post("/api/v1/needs/opportunities", json={
        "customer_id": cid, "title": "5G 基站", "money": True, "authority": True, "need": True,
        "expected_amount": "975.00"})
    assert opp.status_code == 201, opp.text
    url = f"/api/v1/needs/opportunities/{opp.json()['id']}/won"
    assert gateway.post(url, json={"reason": "价格合适"}).status_code == 200
    assert gateway.post(url, json={"reason": "again"}).status_code == 409

    def purchases():
        items = gateway.get("/api/v1/registry/purchases",
                            params={"customer_id": cid}).json()["items"]
        return items or None

    items = eventually(purchases)
    assert [(p["amount"], p["external_ref"]) for p in items] == [
        ("975.00", f"opportunity:{opp.json()['id']}")]
    card = eventually(lambda: gateway.get(f"/api/v1/segmentation/customers/{cid}/value")
                      .json().get("purchase_count") == 1)
    assert card


def test_satisfaction_scores_reach_segmentation(gateway):
    cid = new_customer(gateway, "满意度客户")
    assert known_to_needs(gateway, cid)
    goal = gateway.post("/api/v1/needs/expectations", json={
        "customer_id": cid, "goal_kind": "single", "goal": "上线 CRM"})
    assert goal.status_code == 201, goal.text
    check = gateway.post(f"/api/v1/needs/expectations/{goal.json()['id']}/checks", json={
        "result": "按期上线", "reached": True, "expected_score": "8", "experienced_score": "9"})
    assert check.status_code == 201, check.text

    def satisfaction():
        card = gateway.get(f"/api/v1/segmentation/customers/{cid}/value")
        return card.status_code == 200 and card.json()["satisfaction"]

    assert eventually(satisfaction)[0]["index"] == 112.5
