"""Gifts with taboos and budgets, renewals, the calendar, resync and personal data."""
import httpx

from guanxi_testing.fixtures import assert_problem, auth, erase_both_ways, rows_about

REP = auth("rep", "rep-1")


def test_taboo_gifts_are_blocked_and_the_log_keeps_warnings(api, client):
    api.customer("c1", region="北京")
    api.contact("p1", "c1", native_place="上海")
    clock = client.post("/v1/gifts", json={"name": "Desk clock", "category": "clock",
                                           "cost": "300.00"}).json()
    apple = client.post("/v1/gifts", json={"name": "Apples", "category": "apple",
                                           "cost": "80.00"}).json()
    tea = client.post("/v1/gifts", json={"name": "Longjing tea", "category": "tea",
                                         "cost": "500.00"}).json()
    blocked = client.post("/v1/gifts/log", json={"gift_id": clock["id"], "customer_id": "c1",
                                                 "given_on": "2027-02-01"})
    assert "送终" in assert_problem(blocked, 422)["detail"]
    assert_problem(client.post("/v1/gifts/log", json={
        "gift_id": apple["id"], "customer_id": "c1", "contact_id": "p1", "occasion": "sick",
        "given_on": "2027-02-01"}), 422)
    first = client.post("/v1/gifts/log", json={"gift_id": tea["id"], "customer_id": "c1",
                                               "occasion": "spring_festival",
                                               "given_on": "2027-02-01"})
    assert first.status_code == 201 and first.json()["warnings"] == []
    soon = client.post("/v1/gifts/log", json={"gift_id": tea["id"], "customer_id": "c1",
                                              "given_on": "2027-02-10"})
    assert soon.json()["warnings"] == ["last gift only 9 days ago"]
    assert len(client.get("/v1/gifts/log", params={"customer_id": "c1"}).json()) == 2


def test_renewal_reminder_before_the_contract_ends(api, client):
    api.customer("c1")
    contract = client.post("/v1/contracts", json={"customer_id": "c1", "title": "Support",
                                                  "ends_on": "2027-03-31", "amount": "12000"})
    assert contract.status_code == 201, contract.text
    client.post("/v1/contracts", json={"customer_id": "c1", "title": "Hosting",
                                       "ends_on": "2027-03-31", "amount": "3000"})
    rule = api.rule(name="续费提醒", trigger="renewal", days_before=30, channel="call")
    assert api.run("2027-03-01", send=False)["created"] == 2  # one per contract, naming it
    tasks = client.get("/v1/tasks", params={"customer_id": "c1"}).json()["items"]
    assert sorted(t["title"] for t in tasks) == ["续费提醒: Hosting", "续费提醒: Support"]
    # a shorter lead time from now on does not remind again of contracts already reminded
    changed = client.patch(f"/v1/rules/{rule['id']}", json={"days_before": 14},
                           headers={"If-Match": f'"{rule["id"]}.1"'})
    assert changed.status_code == 200, changed.text
    assert api.run("2027-03-17", send=False)["created"] == 0
    # by message: one to each current contact of the customer, however many contracts end
    api.contact("p1", "c1")
    api.contact("p2", "c1")
    api.rule(trigger="renewal", days_before=20, channel="email")
    assert api.run("2027-03-11", send=False)["created"] == 2
    assert {m["contact_id"] for m in api.messages(customer_id="c1")} == {"p1", "p2"}
    renewed = client.post(f"/v1/contracts/{contract.json()['id']}/renewal",
                          json={"renewal": "renewed"})
    assert renewed.json()["renewal"] == "renewed"  # not renewed, with reasons: test_renewals


def test_calendar_lists_festivals_company_dates_and_anniversaries(api, client):
    api.customer("c1", founded_on="2010-06-18")
    client.post("/v1/calendar/company-dates", json={"name": "客户答谢日", "month": 11, "day": 8})
    days = client.get("/v1/calendar", params={"year": 2027, "customer_id": "c1"}).json()["days"]
    named = {d["occasion"]: d["on"] for d in days}
    assert named["spring_festival"] == "2027-02-06" and named["anniversary"] == "2027-06-18"
    assert any(d["kind"] == "company" and d["on"] == "2027-11-08" for d in days)


def registry(request: httpx.Request) -> httpx.Response:
    pages = {"/v1/customers": [{"id": "c9", "name": "Resynced", "status": "active",
                                "owner_id": "rep-1", "team_id": None}],
             "/v1/contacts": [{"id": "p9", "customer_id": "c9", "name": "Li",
                               "birthday_calendar": "solar", "birthday": "1992-02-29"}],
             "/v1/purchases": [{"id": "o9", "customer_id": "c9", "amount": "10.00",
                                "purchased_on": "2027-01-01"}]}
    return httpx.Response(200, json={"items": pages[request.url.path], "next_cursor": None})


def test_resync_then_export_and_erase_personal_data(api, client):
    client.app.state.registry_client.http._transport = httpx.MockTransport(registry)
    assert client.post("/v1/resync").json() == {"customers": 1, "contacts": 1, "purchases": 1}
    api.rule(trigger="birthday", channel="log")
    assert api.run("2027-02-28", send=False)["created"] == 1  # 29 Feb in a common year
    exported = client.get("/v1/privacy/customers/c9").json()
    assert [c["name"] for c in exported["data"]["contacts"]] == ["Li"]
    erased = client.delete("/v1/privacy/customers/c9").json()
    assert erased["service"] == "engagement" and erased["erased"]["contacts"] == 1
    assert client.get("/v1/privacy/customers/c9").json()["data"]["contacts"] == []


def gift(client, name: str, category: str, cost: str = "100.00") -> str:
    resp = client.post("/v1/gifts", json={"name": name, "category": category, "cost": cost})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def test_a_taboo_for_a_group_or_a_tag_blocks_or_warns_only_for_those_customers(api, client):
    api.customer("c1", groups=["清真客户"], region="宁夏银川")
    api.customer("c2", groups=["key"], region="宁夏银川")
    api.customer("c3", tags=["hospital"])
    liquor, flowers = gift(client, "Maotai", "liquor"), gift(client, "Chrysanthemums", "flowers")
    manager = auth("manager", "m-1", team_id="team-1")
    blocked = client.post("/v1/gifts/taboos", headers=manager, json={
        "category": "liquor", "reason": "no alcohol for halal customers",
        "groups": ["清真客户"]})
    assert blocked.status_code == 201, blocked.text
    assert client.post("/v1/gifts/taboos", json={
        "category": "flowers", "reason": "菊花 are for funerals", "block": False,
        "tags": ["hospital"]}).status_code == 201

    def log(customer_id: str, gift_id: str, **extra):
        return client.post("/v1/gifts/log", json={"gift_id": gift_id, "customer_id": customer_id,
                                                  "given_on": "2027-02-01", **extra})

    problem = assert_problem(log("c1", liquor), 422)
    assert "halal" in problem["detail"] and problem["errors"][0]["field"] == "gift_id"
    api.contact("p2", "c2", ethnicity="汉族")
    # same region, another group; the recipient named, so 清真 customs are checked too
    assert log("c2", liquor, contact_id="p2").json()["warnings"] == []
    assert log("c3", flowers).json()["warnings"] == ["菊花 are for funerals"]
    assert log("c1", flowers).json()["warnings"] == []
    # Planning a gift: the same check, nothing logged.
    check = client.post("/v1/gifts/check", json={"gift_id": liquor, "customer_id": "c1",
                                                 "given_on": "2027-06-01"}, headers=REP)
    assert check.json()["blocked"] == ["no alcohol for halal customers"]
    assert check.json()["warnings"] == [  # no recipient named: their customs are unknown
        "no recipient named (contact_id), so not checked against their native place and "
        "customs: alcohol is forbidden by the recipient's customs (清真)"]
    assert client.get("/v1/gifts/log", params={"customer_id": "c1"}).json()[0]["gift_id"] \
        == flowers
    # A retired taboo blocks no more.
    taboo = blocked.json()
    retired = client.patch(f"/v1/gifts/taboos/{taboo['id']}", json={"active": False},
                           headers={**manager, "If-Match": f'"{taboo["id"]}.1"'})
    assert retired.status_code == 200 and retired.json()["version"] == 2, retired.text
    assert log("c1", liquor).status_code == 201
    active = client.get("/v1/gifts/taboos", params={"active": True}).json()["items"]
    assert [t["category"] for t in active] == ["flowers"]


def test_company_taboos_are_set_by_managers_and_bad_ones_refused(client):
    taboo = {"category": "knife", "reason": "刀 cuts the relationship", "groups": ["key"]}
    assert_problem(client.post("/v1/gifts/taboos", json=taboo, headers=REP), 403)
    for bad in ({**taboo, "groups": [""]}, {**taboo, "colour": "red"},
                {**taboo, "reason": ""}, {**taboo, "tags": ["x" * 101]},
                {k: v for k, v in taboo.items() if k != "category"}):
        assert_problem(client.post("/v1/gifts/taboos", json=bad), 422)
    assert client.get("/v1/gifts/taboos").json()["items"] == []
    made = client.post("/v1/gifts/taboos", json=taboo).json()
    url = f"/v1/gifts/taboos/{made['id']}"
    for bad in ({"reason": None}, {"groups": None}, {"category": "fork"}):
        assert_problem(client.patch(url, json=bad), 422)
    assert_problem(client.patch(url, json={"block": False}, headers=REP), 403)
    assert client.get(url).json() == made


def test_the_event_and_the_endpoint_erase_the_same_data(api, client):
    by_event, by_endpoint = "EVTERASE", "APIERASE"
    api.rule(trigger="birthday", channel="log")
    for cid in (by_event, by_endpoint):
        api.customer(cid)
        api.contact(f"k-{cid}", cid, birthday_calendar="solar", birthday="1990-03-01")
        api.feed("purchase.recorded", {"id": f"o-{cid}", "customer_id": cid, "amount": "10.00",
                                       "purchased_on": "2027-01-01"})
        api.feed("need.created", {"id": f"n-{cid}", "customer_id": cid, "title": "CRM"})
    assert api.run("2027-03-01", send=False)["created"] == 2
    with client.app.state.sessions() as session:
        assert rows_about(session, by_event)["message"]
    left = erase_both_ways(client, lambda cid: api.feed("customer.erased", {"customer_id": cid}),
                           by_event, by_endpoint)
    assert not any(left.values()), left  # engagement keeps nothing about an erased customer
