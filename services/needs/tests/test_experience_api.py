"""The customer experience map (客户体验地图): a product's touchpoints become dated care steps for
each purchase, once, from the API or from the registry's purchase event."""
from guanxi_testing.fixtures import assert_problem, auth

MAP = {"name": "4000G U盘 体验地图", "repurchase_after_days": 365, "touchpoints": [
    {"stage": "before", "kind": "visit", "title": "演示样品"},
    {"stage": "during", "kind": "call", "title": "到货电话", "offset_days": 3},
    {"stage": "after", "kind": "message", "title": "感谢信"},
    {"stage": "in_use", "kind": "check", "title": "使用 30 天回访", "offset_days": 30},
    {"stage": "in_use", "kind": "visit", "title": "复购前拜访", "anchor": "repurchase",
     "offset_days": -30}]}


def rep(sub="u-rep"):
    return auth("rep", sub=sub, team_id="t1")


def new_map(client, **extra) -> dict:
    resp = client.post("/v1/experience-maps", json={**MAP, **extra})
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_applying_a_map_schedules_dated_steps_once(client, kit, customer):
    kit.add_customer("c2", owner_id="u-b")
    found = new_map(client)
    assert_problem(client.post("/v1/experience-maps", json=MAP, headers=rep()), 403)
    assert_problem(client.post("/v1/experience-maps", json={
        **MAP, "repurchase_after_days": None}), 422)
    body = {"customer_id": "c1", "purchased_on": "2026-03-01", "purchase_id": "pu1"}
    steps = client.post(f"/v1/experience-maps/{found['id']}/apply", json=body, headers=rep())
    assert steps.status_code == 200, steps.text
    # the "before" touchpoint is not scheduled; 365 - 30 days after 2026-03-01 is 2027-01-30
    assert [(s["title"], s["due_on"]) for s in steps.json()] == [
        ("感谢信", "2026-03-01"), ("到货电话", "2026-03-04"), ("使用 30 天回访", "2026-03-31"),
        ("复购前拜访", "2027-01-30")]
    again = client.post(f"/v1/experience-maps/{found['id']}/apply", json=body, headers=rep())
    assert [s["id"] for s in again.json()] == [s["id"] for s in steps.json()]
    assert_problem(client.post(f"/v1/experience-maps/{found['id']}/apply", json={
        **body, "customer_id": "c2"}, headers=rep()), 404)
    agenda = client.get("/v1/care-steps", params={"status": "open", "due_to": "2026-03-31"},
                        headers=rep()).json()["items"]
    assert [s["title"] for s in agenda] == ["感谢信", "到货电话", "使用 30 天回访"]
    assert client.get("/v1/care-steps", headers=rep("u-b")).json()["items"] == []
    step = agenda[1]
    assert_problem(client.post(f"/v1/care-steps/{step['id']}/done", json={},
                               headers={**rep(), "If-Match": '"x.1"'}), 412)
    done = client.post(f"/v1/care-steps/{step['id']}/done", json={"note": "货已收到"},
                       headers=rep())
    assert done.status_code == 200 and done.json()["done_by"] == "u-rep"
    assert_problem(client.post(f"/v1/care-steps/{step['id']}/done", json={},
                               headers=rep()), 409)
    etag = client.get(f"/v1/experience-maps/{found['id']}").headers["etag"]
    assert_problem(client.patch(f"/v1/experience-maps/{found['id']}", json={"name": None},
                                headers={"If-Match": etag}), 422)
    edited = client.patch(f"/v1/experience-maps/{found['id']}", json={"auto_apply": False},
                          headers={"If-Match": etag})
    assert edited.status_code == 200 and edited.json()["auto_apply"] is False


def test_a_recorded_purchase_of_the_product_schedules_its_steps(client, kit, customer):
    product = client.post("/v1/products", json={
        "name": "4000G U盘", "line": "存储", "price_from": "899.00", "price_to": "1099.00"})
    found = new_map(client, product_id=product.json()["id"])
    assert_problem(client.post("/v1/experience-maps", json={**MAP, "product_id": "nope"}), 422)
    for _ in range(2):  # the same purchase delivered twice under new event ids
        kit.send_event("purchase.recorded", {
            "id": "pu9", "customer_id": "c1", "purchased_on": "2026-05-10", "amount": "899.00",
            "lines": [{"product": "4000g u盘", "quantity": "1", "unit_price": "899.00"}]})
    steps = client.get("/v1/care-steps", params={"customer_id": "c1",
                                                 "map_id": found["id"]}).json()["items"]
    assert [(s["kind"], s["due_on"], s["purchase_ref"]) for s in steps] == [
        ("message", "2026-05-10", "pu9"), ("call", "2026-05-13", "pu9"),
        ("check", "2026-06-09", "pu9"), ("visit", "2027-04-10", "pu9")]



def test_touchpoints_changed_without_their_defaults_read_back(client):
    """Found by Schemathesis (issue 15): PATCH touchpoints without anchor and offset_days
    stored them without, and the map could not be read back (a 500, also for the list)."""
    made = new_map(client)
    resp = client.patch(f"/v1/experience-maps/{made['id']}", json={
        "touchpoints": [{"stage": "after", "kind": "call", "title": "回访"}]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["touchpoints"][0]["anchor"] == "purchase"
    assert resp.json()["touchpoints"][0]["offset_days"] == 0
    assert client.get("/v1/experience-maps").status_code == 200
