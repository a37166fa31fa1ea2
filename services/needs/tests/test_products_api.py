"""Products (USP, FFAB, lifecycle), launch call lists ranked from needs and purchases, and the
related / back-end suggestions on a customer's context."""
from guanxi_testing.fixtures import assert_problem, auth


def manager():
    return auth("manager", sub="u-boss", team_id="t1")


DRIVE = {
    "name": "4000G USB drive", "line": "Storage", "price_from": "399.00", "price_to": "599.00",
    "usp": {"statement": "The only pocket drive that holds 4000G",
            "points": [{"direction": "product", "dimension": "capacity",
                        "claim": "4000G in a pocket-sized case", "proof": "lab test 2026-10"}],
            "versus_competitors": "Rivals stop at 2000G"},
    "ffab": [{"feature": "huge capacity", "function": "stores masses of data",
              "advantage": "portable and durable",
              "benefit": "your important files are never lost"}]}


def category(client, name="storage") -> str:
    resp = client.post("/v1/categories", json={"name": name})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def product(client, **fields) -> dict:
    resp = client.post("/v1/products", json=fields, headers=manager())
    assert resp.status_code == 201, resp.text
    return resp.json()


def need(client, customer_id, category_id, urgency="normal", need_class="product", **kw):
    resp = client.post("/v1/needs", json={
        "customer_id": customer_id, "need_class": need_class, "category_id": category_id,
        "source": "sales", "description": f"{urgency} need of {customer_id}",
        "urgency": urgency, **kw})
    assert resp.status_code == 201, resp.text
    return resp.json()


def bought(kit, purchase_id, customer_id, on, *lines):
    kit.send_event("purchase.recorded", {
        "id": purchase_id, "customer_id": customer_id, "purchased_on": on, "amount": "100.00",
        "currency": "CNY", "lines": [{"quantity": "1", "unit_price": "100.00", **line}
                                     for line in lines]})


def test_catalogue_keeps_usp_and_ffab_and_only_managers_edit(client):
    drive = product(client, **DRIVE)
    assert drive["lifecycle"] == "new" and drive["usp"]["points"][0]["dimension"] == "capacity"
    assert ("huge capacity -> stores masses of data -> portable and durable -> your important "
            "files are never lost") in drive["pitch"]
    assert drive["pitch"].startswith("4000G USB drive: The only pocket drive")
    rep = auth("rep", sub="u-rep", team_id="t1")
    assert_problem(client.post("/v1/products", json={**DRIVE, "name": "X"}, headers=rep), 403)
    assert client.get(f"/v1/products/{drive['id']}", headers=rep).status_code == 200
    assert_problem(client.post("/v1/products", json={**DRIVE, "name": "4000g  usb DRIVE"},
                               headers=manager()), 409)
    assert_problem(client.post("/v1/products", json={**DRIVE, "name": "Y",
                                                     "price_from": "700.00"}), 422)
    assert_problem(client.post("/v1/products", json={**DRIVE, "name": "Y",
                                                     "category_ids": ["nope"]}), 422)
    assert_problem(client.post("/v1/products", json={**DRIVE, "name": "Y",
                                                     "usp": {"statement": "s", "points": [{
                                                         "direction": "taste",
                                                         "dimension": "capacity",
                                                         "claim": "c"}]}}), 422)
    path = f"/v1/products/{drive['id']}"
    etag = client.get(path).headers["etag"]
    assert_problem(client.patch(path, json={"name": None}, headers={"If-Match": etag}), 422)
    assert_problem(client.patch(path, json={"price_to": "100.00"}), 422)
    assert_problem(client.patch(path, json={"related_product_ids": [drive["id"]]}), 422)
    moved = client.patch(path, json={"lifecycle": "current"}, headers={"If-Match": etag})
    assert moved.status_code == 200 and moved.json()["lifecycle"] == "current"
    assert_problem(client.patch(path, json={"lifecycle": "retired"},
                                headers={"If-Match": etag}), 412)
    retired = client.patch(path, json={"lifecycle": "retired"},
                           headers={"If-Match": moved.headers["etag"]}).json()
    assert retired["retired_on"] is not None
    assert_problem(client.patch(path, json={"lifecycle": "new"}), 409)
    assert_problem(client.post(f"{path}/launches", json={}), 409)
    listed = client.get("/v1/products", params={"lifecycle": "retired", "q": "usb"}).json()
    assert [p["id"] for p in listed["items"]] == [drive["id"]]


def test_launch_call_list_ranks_customers_by_needs_and_purchases(client, kit):
    for cid, owner, team in (("c1", "u-rep", "t1"), ("c2", "u-rep", "t1"),
                             ("c3", "u-b", "t1"), ("c4", "u-rep", "t1"), ("c5", "u-c", "t2")):
        kit.add_customer(cid, owner_id=owner, team_id=team)
    storage, other = category(client), category(client, "training")
    small = product(client, name="USB 1000G", line="Storage", price_from="99.00",
                    price_to="99.00")
    drive = product(client, **DRIVE, category_ids=[storage])
    backup = product(client, name="Backup service", line="Services", price_from="50.00",
                     price_to="80.00", related_product_ids=[drive["id"]])
    # c1: urgent need (5) + bought a product of the same line (2) = 7
    need(client, "c1", storage, "urgent")
    bought(kit, "p1", "c1", "2026-03-01", {"product": "usb 1000g"})
    # c2: normal need (3) + bought a product naming the drive as related (3) = 6
    need(client, "c2", storage, "normal")
    bought(kit, "p2", "c2", "2026-05-01", {"product": "Whatever", "product_id": backup["id"]})
    bought(kit, "p2", "c2", "2026-05-01", {"product": "Whatever", "product_id": backup["id"]})
    # c3: bought the drive itself twice (4, once) + a restrictive need (1) = 5
    bought(kit, "p3", "c3", "2026-01-01", {"product": "4000G USB Drive"})
    bought(kit, "p4", "c3", "2026-02-01", {"product": "4000G  usb drive"})
    need(client, "c3", storage, "urgent", need_class="restrictive")
    # c4: a need in another category, a refund line; c5: a rejected need; neither is called
    need(client, "c4", other, "urgent")
    bought(kit, "p5", "c4", "2026-02-01", {"product": "USB 1000G", "unit_price": "-99.00"})
    rejected = need(client, "c5", storage, "urgent")
    client.post(f"/v1/needs/{rejected['id']}/status", json={"status": "rejected",
                                                            "feedback": "no budget"})
    assert small["id"]
    assert_problem(client.post(f"/v1/products/{drive['id']}/launches",
                               json={"kind": "upgrade"}, headers=manager()), 409)
    assert_problem(client.post(f"/v1/products/{drive['id']}/launches", json={},
                               headers=auth("rep", sub="u-rep", team_id="t1")), 403)
    launch = client.post(f"/v1/products/{drive['id']}/launches",
                         json={"launched_on": "2026-11-20", "note": "Double Eleven"},
                         headers=manager())
    assert launch.status_code == 201, launch.text
    launch = launch.json()
    assert launch["calls"] == 3 and launch["kind"] == "launch"
    assert client.get(f"/v1/products/{drive['id']}").json()["launched_on"] == "2026-11-20"
    calls = client.get(f"/v1/launches/{launch['id']}/calls", headers=manager()).json()["items"]
    assert [(c["customer_id"], c["score"], c["position"]) for c in calls] == [
        ("c1", 7, 1), ("c2", 6, 2), ("c3", 5, 3)]
    assert [(r["kind"], r["points"]) for r in calls[0]["reasons"]] == [("need", 5),
                                                                        ("same_line", 2)]
    assert calls[2]["reasons"][0] == {"kind": "bought_this", "ref_id": drive["id"],
                                      "detail": "4000G USB drive", "points": 4,
                                      "evidence_on": "2026-02-01"}
    rep = auth("rep", sub="u-rep", team_id="t1")
    mine = client.get(f"/v1/launches/{launch['id']}/calls", headers=rep).json()["items"]
    assert [c["customer_id"] for c in mine] == ["c1", "c2"]
    page = client.get(f"/v1/launches/{launch['id']}/calls", params={"limit": 2}).json()
    rest = client.get(f"/v1/launches/{launch['id']}/calls",
                      params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [c["customer_id"] for c in page["items"] + rest["items"]] == ["c1", "c2", "c3"]
    by_owner = client.get(f"/v1/launches/{launch['id']}/calls", params={"owner_id": "u-b"})
    assert [c["customer_id"] for c in by_owner.json()["items"]] == ["c3"]
    # the rep records the outcome; another rep cannot see the row
    path = f"/v1/launches/{launch['id']}/calls/c1"
    assert_problem(client.patch(path, json={"status": "called"},
                                headers=auth("rep", sub="u-b", team_id="t1")), 404)
    etag = client.get(path, headers=rep).headers["etag"]
    done = client.patch(path, json={"status": "interested", "note": "wants 20"},
                        headers={**rep, "If-Match": etag})
    assert done.status_code == 200 and done.json()["called_by"] == "u-rep"
    assert_problem(client.patch(path, json={"status": "called"},
                                headers={**rep, "If-Match": etag}), 412)
    todo = client.get(f"/v1/launches/{launch['id']}/calls", params={"status": "to_call"})
    assert [c["customer_id"] for c in todo.json()["items"]] == ["c2", "c3"]


def test_suggestions_offer_related_back_end_and_correlated_need_products(client, kit):
    kit.add_customer("c1")
    storage = category(client)
    archive = product(client, name="Cloud archive", line="Services", price_from="10.00",
                      price_to="20.00")
    drive = product(client, **DRIVE, category_ids=[storage])
    retired = product(client, name="Old tape", line="Storage", price_from="1.00",
                      price_to="2.00", lifecycle="retired")
    starter = product(client, name="Starter kit", line="Storage", price_from="9.00",
                      price_to="9.00", related_product_ids=[drive["id"], retired["id"]],
                      back_end_product_ids=[archive["id"]])
    bought(kit, "p1", "c1", "2026-06-01", {"product": "starter kit"})
    found = client.get("/v1/customers/c1/suggestions",
                       headers=auth("rep", sub="u-rep", team_id="t1")).json()["items"]
    assert [(s["product_name"], s["kind"]) for s in found] == [
        ("Cloud archive", "back_end"), ("4000G USB drive", "related")]
    assert "Starter kit" in found[0]["because"] and found[1]["pitch"].startswith("4000G")
    bought(kit, "p2", "c1", "2026-07-01", {"product": "x", "product_id": drive["id"]})
    other = product(client, name="Data recovery", line="Services", price_from="1.00",
                    price_to="1.00", category_ids=[storage])
    need(client, "c1", storage, need_class="positively_correlated")
    found = client.get("/v1/customers/c1/suggestions").json()["items"]
    assert [(s["product_id"], s["kind"]) for s in found] == [
        (archive["id"], "back_end"), (other["id"], "correlated_need")]
    assert starter["id"] and found[1]["because"].startswith("正相关需求")
    assert_problem(client.get("/v1/customers/c1/suggestions",
                              headers=auth("rep", sub="u-b", team_id="t1")), 404)


def test_every_change_of_a_product_is_published_for_engagement_templates(client, kit):
    """product.changed carries the read schema (USP, pitch, version) on create, edit and the
    first launch, so templates quote the product as it is now; a refused edit publishes
    nothing."""
    drive = product(client, **DRIVE)
    path = f"/v1/products/{drive['id']}"
    edited = client.patch(path, json={"usp": {"statement": "Holds 8000G now"}},
                          headers={"If-Match": client.get(path).headers["etag"]}).json()
    assert_problem(client.patch(path, json={"price_to": "1.00"}), 422)
    assert client.post(f"{path}/launches", json={}, headers=manager()).status_code == 201
    events = kit.published("product.changed")
    assert [(e["id"], e["version"]) for e in events] == [(drive["id"], 1), (drive["id"], 2),
                                                         (drive["id"], 3)]
    assert events[0]["pitch"] == drive["pitch"] and events[1]["pitch"] == edited["pitch"]
    assert events[1]["usp"]["statement"] == "Holds 8000G now"
    assert events[2]["launched_on"] is not None
    client.post(f"{path}/launches", json={"kind": "upgrade"}, headers=manager())
    assert len(kit.published("product.changed")) == 3  # launched_on is kept from the first
