"""The registry's resources through the app, on SQLite and PostgreSQL."""
from datetime import UTC, datetime

from guanxi_testing.fixtures import assert_problem, auth

HUAWEI = {"kind": "company", "name": "华为技术有限公司", "credit_code": "91440300708461136T",
          "phone": "0755 2878 0808", "industry": "通信", "region": "深圳",
          "economic_scale": "大型", "employee_count": 200000}


def make(client, body, path="/v1/customers", status=201, **kw):
    resp = client.post(path, json=body, **kw)
    assert resp.status_code == status, resp.text
    return resp.json()


def test_company_fields_are_validated_and_normalised(client):
    c = make(client, HUAWEI)
    assert c["phone"] == "+8675528780808"
    assert c["credit_code"] == "91440300708461136T"
    body = assert_problem(client.post("/v1/customers", json=HUAWEI | {
        "credit_code": "91440300708461136X", "name": "假华为"}), 422)
    assert any("credit_code" in e["field"] and "check character" in e["msg"]
               for e in body["errors"])
    body = assert_problem(client.post("/v1/customers", json={"kind": "person", "name": "x",
                                                             "phone": "12345"}), 422)
    assert body["errors"][0]["field"] == "phone"
    assert_problem(client.post("/v1/customers", json={"kind": "person", "name": "x",
                                                      "employee_count": "many"}), 422)
    assert_problem(client.post("/v1/customers", json=HUAWEI | {"name": "重复"}), 409)
    assert_problem(client.post("/v1/customers", json={"kind": "person", "name": "x",
                                                      "status": "lost"}), 422)


def test_history_of_scale_headcount_and_owner(client):
    c = make(client, HUAWEI)
    url = f"/v1/customers/{c['id']}"
    client.patch(url, json={"employee_count": 207000, "owner_id": "rep-b"})
    changes = client.get(f"{url}/history").json()
    assert {(h["field"], h["old_value"], h["new_value"]) for h in changes} == {
        ("employee_count", "200000", "207000"), ("owner_id", "u-admin", "rep-b")}


def test_custom_fields_are_typed(client):
    make(client, {"key": "contract_level", "label": "合同等级", "type": "choice",
                  "choices": ["A", "B"]}, path="/v1/custom-fields")
    c = make(client, {"kind": "person", "name": "王芳", "custom_fields": {"contract_level": "A"}})
    assert c["custom_fields"] == {"contract_level": "A"}
    body = assert_problem(client.patch(f"/v1/customers/{c['id']}",
                                       json={"custom_fields": {"contract_level": "Z"}}), 422)
    assert body["errors"][0]["field"] == "custom_fields.contract_level"
    assert_problem(client.post("/v1/customers", json={"kind": "person", "name": "x",
                                                      "custom_fields": {"nope": 1}}), 422)


def test_contacts_with_lunar_birthday_roles_and_departure(client):
    c = make(client, HUAWEI)
    contact = make(client, {"name": "李总", "role": "decision_maker", "birthday_calendar": "lunar",
                            "lunar_birthday_month": 8, "lunar_birthday_day": 15,
                            "hobbies": ["集邮"], "cares_about_people": ["儿子: 喜欢集邮"],
                            "phones": [{"kind": "office", "number": "010 6552 9988"},
                                       {"kind": "mobile", "number": "13800138000"}]},
                   path=f"/v1/customers/{c['id']}/contacts")
    assert contact["primary_phone"] == "+8613800138000"
    assert_problem(client.post(f"/v1/customers/{c['id']}/contacts",
                               json={"name": "x", "birthday_calendar": "lunar"}), 422)
    assert_problem(client.post(f"/v1/customers/{c['id']}/contacts",
                               json={"name": "x", "role": "boss"}), 422)
    other = make(client, {"kind": "company", "name": "腾讯"})
    url = f"/v1/contacts/{contact['id']}"
    left = client.patch(url, json={"left_on": "2026-10-01", "went_to": "腾讯",
                                   "new_customer_id": other["id"]},
                        headers={"If-Match": client.get(url).headers["etag"]})
    assert left.status_code == 200 and left.json()["new_customer_id"] == other["id"]
    found = client.get("/v1/customers", params={"birthday_month": 8}).json()["items"]
    assert found == []  # departed contacts do not count for birthdays
    assert client.get("/v1/contacts", params={"role": "decision_maker"}).json()["items"]


def test_contact_language_and_timezone_for_messages(client):
    c = make(client, HUAWEI)
    path = f"/v1/customers/{c['id']}/contacts"
    contact = make(client, {"name": "Anna", "language": "en", "timezone": "Europe/Berlin"},
                   path=path)
    assert (contact["language"], contact["timezone"]) == ("en", "Europe/Berlin")
    for bad in ({"timezone": "Mars/Olympus"}, {"language": "english please"}):
        assert_problem(client.post(path, json={"name": "x", **bad}), 422)
    assert len(client.get(path).json()["items"]) == 1


def test_search_and_filters(client):
    hw = make(client, HUAWEI | {"tags": ["key"]})
    make(client, {"kind": "person", "name": "张伟", "email": "Zhang.Wei@Example.cn",
                  "region": "北京"})
    make(client, {"key": "x", "label": "x", "type": "text"}, path="/v1/custom-fields")
    note = make(client, {"customer_id": hw["id"], "body": "<p>关心 5G 基站</p>"}, path="/v1/notes")
    assert note["body"] == "<p>关心 5G 基站</p>"

    def names(**params):
        return [c["name"] for c in client.get("/v1/customers", params=params).json()["items"]]

    assert names(q="华为") == ["华为技术有限公司"]
    assert names(q="zhang.wei@example") == ["张伟"]
    assert names(q="5g 基站") == ["华为技术有限公司"]
    assert names(q="2878") == ["华为技术有限公司"]
    assert names(q="100%") == []
    assert names(tag="key") == ["华为技术有限公司"]
    assert names(region="北京", kind="person") == ["张伟"]
    assert names(sort="name", order="desc") == ["张伟", "华为技术有限公司"]  # code point order
    assert names(created_from=datetime.now(UTC).isoformat()) == []
    assert_problem(client.get("/v1/customers", params={"birthday_month": 13}), 422)
    assert_problem(client.get("/v1/customers", params={"sort": "password"}), 422)


def test_groups_and_membership(client):
    c = make(client, HUAWEI)
    group = make(client, {"name": "重点客户"}, path="/v1/groups")
    assert_problem(client.post("/v1/groups", json={"name": "重点客户"}), 409)
    added = client.post(f"/v1/groups/{group['id']}/members", json={"customer_ids": [c["id"]]})
    assert added.json()["member_count"] == 1
    assert client.get(f"/v1/customers/{c['id']}").json()["group_ids"] == [group["id"]]
    listed = client.get("/v1/customers", params={"group_id": group["id"]}).json()["items"]
    assert [x["id"] for x in listed] == [c["id"]]
    assert_problem(client.post(f"/v1/groups/{group['id']}/members",
                               json={"customer_ids": ["nope"]}), 404)


def test_referral_tree_and_top_referrers(client):
    a, b, c = (make(client, {"kind": "person", "name": n}) for n in ("甲", "乙", "丙"))
    make(client, {"referrer_customer_id": a["id"], "referred_customer_id": b["id"]},
         path="/v1/referrals")
    make(client, {"referrer_customer_id": b["id"], "referred_customer_id": c["id"]},
         path="/v1/referrals")
    assert_problem(client.post("/v1/referrals", json={"referrer_customer_id": c["id"],
                                                      "referred_customer_id": a["id"]}), 409)
    assert_problem(client.post("/v1/referrals", json={"referrer_customer_id": a["id"],
                                                      "referred_customer_id": c["id"]}), 409)
    for cid, amount in ((b["id"], "300.00"), (c["id"], "150.00")):
        make(client, {"customer_id": cid, "purchased_on": "2026-05-01", "amount": amount},
             path="/v1/purchases")
    tree = client.get(f"/v1/customers/{a['id']}/referrals/tree").json()["nodes"]
    assert [(n["name"], n["depth"]) for n in tree] == [("乙", 1), ("丙", 2)]
    top = client.get("/v1/referrals/top").json()
    assert [(t["name"], t["referred_revenue"]) for t in top] == [("甲", "300.00"),
                                                                ("乙", "150.00")]


def test_purchases_lines_bulk_and_refunds(client):
    c = make(client, HUAWEI)
    p = make(client, {"customer_id": c["id"], "purchased_on": "2026-01-05",
                      "lines": [{"product": "路由器", "quantity": "3", "unit_price": "100.00",
                                 "product_id": "p-router"}]},
             path="/v1/purchases")
    assert p["amount"] == "300.00" and p["lines"][0]["product_id"] == "p-router"
    assert_problem(client.post("/v1/purchases", json={
        "customer_id": c["id"], "purchased_on": "2026-01-05", "amount": "1.00",
        "lines": [{"product": "x", "quantity": "1", "unit_price": "2.00"}]}), 422)
    bulk = client.post("/v1/purchases/bulk", json={"purchases": [
        {"customer_id": c["id"], "purchased_on": "2026-02-01", "amount": "50", "external_ref": "A"},
        {"customer_id": c["id"], "purchased_on": "2026-02-02", "amount": "-20.00",
         "external_ref": "B"},
        {"customer_id": "missing", "purchased_on": "2026-02-03", "amount": "5"},
        {"customer_id": c["id"], "purchased_on": "2026-02-01", "amount": "50", "external_ref": "A"},
    ]}).json()
    assert (bulk["created"], bulk["existing"], bulk["rejected"]) == (2, 1, 1)
    assert bulk["items"][2]["reason"] == "Customer missing not found"
    again = client.post("/v1/purchases/bulk", json={"purchases": [
        {"customer_id": c["id"], "purchased_on": "2026-02-01", "amount": "50",
         "external_ref": "A"}]}).json()
    assert again["existing"] == 1
    amounts = sorted(p["amount"] for p in client.get(
        "/v1/purchases", params={"customer_id": c["id"]}).json()["items"])
    assert amounts == ["-20.00", "300.00", "50.00"]


def test_merge_keeps_everything_and_redirects(client):
    a = make(client, {"kind": "company", "name": "华为技术有限公司", "phone": "13800138000"})
    b = make(client, {"kind": "company", "name": "华为技术 有限公司", "region": "深圳",
                      "tags": ["vip"]})
    shared = {"name": "李总", "phones": [{"kind": "mobile", "number": "13900139000"}]}
    make(client, shared, path=f"/v1/customers/{a['id']}/contacts")
    make(client, shared | {"job_title": "CTO"}, path=f"/v1/customers/{b['id']}/contacts")
    make(client, {"name": "王秘书", "email": "wang@hw.cn"}, path=f"/v1/customers/{b['id']}/contacts")
    make(client, {"customer_id": b["id"], "purchased_on": "2026-03-01", "amount": "99"},
         path="/v1/purchases")
    make(client, {"customer_id": b["id"], "body": "老客户"}, path="/v1/notes")
    dupes = client.get("/v1/duplicates").json()
    assert {"reason": "similar_name", "value": "华为技术",
            "customer_ids": [a["id"], b["id"]]} in dupes
    assert any(d["reason"] == "contact_phone" for d in dupes)
    merged = client.post("/v1/duplicates/merge", json={"survivor_id": a["id"],
                                                       "merged_id": b["id"]})
    assert merged.status_code == 200 and merged.json()["region"] == "深圳"
    assert merged.json()["tags"] == ["vip"]
    contacts = client.get(f"/v1/customers/{a['id']}/contacts").json()["items"]
    assert sorted(c["name"] for c in contacts) == ["李总", "王秘书"]
    assert [c["job_title"] for c in contacts if c["name"] == "李总"] == ["CTO"]
    assert len(client.get("/v1/purchases", params={"customer_id": a["id"]}).json()["items"]) == 1
    assert len(client.get("/v1/notes", params={"customer_id": a["id"]}).json()["items"]) == 1
    old = client.get(f"/v1/customers/{b['id']}", follow_redirects=False)
    assert old.status_code == 308 and old.headers["location"] == f"/v1/customers/{a['id']}"
    assert [c["id"] for c in client.get("/v1/customers").json()["items"]] == [a["id"]]
    assert_problem(client.post("/v1/duplicates/merge", json={"survivor_id": a["id"],
                                                             "merged_id": b["id"]}), 409)


def test_export_and_erase(client):
    c = make(client, HUAWEI | {"email": "hw@huawei.com"})
    make(client, {"name": "李总", "email": "li@huawei.com"}, path=f"/v1/customers/{c['id']}/contacts")
    make(client, {"customer_id": c["id"], "purchased_on": "2026-03-01", "amount": "99"},
         path="/v1/purchases")
    export = client.get(f"/v1/customers/{c['id']}/export").json()
    assert export["customer"]["email"] == "hw@huawei.com" and len(export["contacts"]) == 1
    assert_problem(client.delete(f"/v1/privacy/customers/{c['id']}", headers=auth("rep")), 403)
    erased = client.delete(f"/v1/privacy/customers/{c['id']}").json()
    assert erased["erased"]["contacts"] == 1 and erased["erased"]["purchases_kept_anonymised"] == 1
    after = client.get(f"/v1/customers/{c['id']}").json()
    assert after["email"] is None and after["credit_code"] is None and "华为" not in after["name"]
    assert client.get("/v1/customers", params={"q": "华为"}).json()["items"] == []
    assert len(client.get("/v1/purchases", params={"customer_id": c["id"]}).json()["items"]) == 1
    assert_problem(client.patch(f"/v1/customers/{c['id']}", json={"name": "华为"}), 409)


def test_ownership_for_reps_and_managers(client):
    rep_a, rep_b = auth("rep", sub="rep-a", team_id="east"), auth("rep", sub="rep-b",
                                                                  team_id="west")
    mine = make(client, {"kind": "person", "name": "A的客户"}, headers=rep_a)
    theirs = make(client, {"kind": "person", "name": "B的客户"}, headers=rep_b)
    contact = make(client, {"name": "x", "email": "x@b.cn"},
                   path=f"/v1/customers/{theirs['id']}/contacts", headers=rep_b)
    for url in (f"/v1/customers/{theirs['id']}", f"/v1/contacts/{contact['id']}",
                f"/v1/customers/{theirs['id']}/contacts", f"/v1/customers/{theirs['id']}/export"):
        assert_problem(client.get(url, headers=rep_a), 404)
    assert_problem(client.post("/v1/purchases", headers=rep_a, json={
        "customer_id": theirs["id"], "purchased_on": "2026-01-01", "amount": "1"}), 404)
    assert_problem(client.post("/v1/customers", headers=rep_a,
                               json={"kind": "person", "name": "x", "owner_id": "rep-b"}), 403)
    assert [c["id"] for c in client.get("/v1/contacts", headers=rep_a).json()["items"]] == []
    manager = auth("manager", sub="boss", team_id="east")
    assert [c["id"] for c in client.get("/v1/customers", headers=manager).json()["items"]] == [
        mine["id"]]
    moved = client.patch(f"/v1/customers/{mine['id']}", headers=manager,
                         json={"owner_id": "rep-c"})
    assert moved.status_code == 200 and moved.json()["owner_id"] == "rep-c"
    assert_problem(client.get(f"/v1/customers/{mine['id']}", headers=rep_a), 404)
    analyst = auth("analyst", sub="ana")
    assert len(client.get("/v1/customers", headers=analyst).json()["items"]) == 2
    assert_problem(client.post("/v1/customers", headers=analyst,
                               json={"kind": "person", "name": "x"}), 403)


def test_won_opportunity_becomes_one_purchase(client):
    c = make(client, HUAWEI)
    event = {"id": "evt-won-1", "type": "opportunity.won", "source": "needs",
             "occurred_at": datetime.now(UTC).isoformat(),
             "data": {"id": "opp-1", "customer_id": c["id"], "amount": "975.00",
                      "currency": "CNY", "won_on": "2026-11-01", "title": "5G 基站"}}
    service = auth("service", sub="service:needs")
    client.post("/v1/events", json={"events": [event]}, headers=service)
    client.post("/v1/events", json={"events": [event | {"id": "evt-won-2"}]}, headers=service)
    purchases = client.get("/v1/purchases", params={"customer_id": c["id"]}).json()["items"]
    assert [(p["amount"], p["external_ref"]) for p in purchases] == [("975.00", "opportunity:opp-1")]


def test_the_openapi_tells_the_truth_about_answers_and_methods(client):
    """Issue 15: every 4xx is documented as problem details, the event inbox is not public,
    health probes need no credential, and a 405 lists exactly the methods of its path."""
    doc = client.get("/openapi.json").json()
    assert "/v1/events" not in doc["paths"]
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["paths"]["/healthz"]["get"]["security"] == []
    checked = 0
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    assert list(answer["content"]) == ["application/problem+json"], (
                        path, method, status)
            if operation.get("security") != []:
                assert {"401", "403"} <= set(operation["responses"]), (path, method)
        filled = path.replace("{", "").replace("}", "")
        resp = client.request("TRACE", filled)
        assert resp.status_code == 405, (path, resp.status_code)
        assert resp.headers["allow"] == ", ".join(sorted(m.upper() for m in item)), path
        checked += 1
    assert checked > 20
    patch = doc["paths"]["/v1/customers/{customer_id}"]["patch"]["responses"]
    listing = doc["paths"]["/v1/customers"]["get"]["responses"]
    assert "412" in patch and "409" not in listing and "HTTPValidationError" not in str(doc)
    body = doc["components"]["schemas"]["CustomerCreate"]["properties"]
    assert body["credit_code"]["anyOf"][0]["pattern"].startswith("^[0-9A-H")
    assert body["email"]["anyOf"][0]["format"] == "email"
    assert "pattern" in body["phone"]["anyOf"][0]
