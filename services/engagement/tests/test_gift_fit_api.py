"""Gifts that fit the person: taboos by the recipient's native place and customs, categories
matched with their synonyms, hobbies, and customers gone too long without a gift; the rep's
week shows contacts' birthdays, lunar ones on this year's solar day."""
from guanxi_testing.fixtures import assert_problem, auth


def rep() -> dict:
    """Minted when used: a module-level token expires in a long test session."""
    return auth("rep", "rep-1")


def other_rep() -> dict:
    return auth("rep", "rep-2")


def gift(client, name: str, category: str, cost: str = "100.00") -> str:
    resp = client.post("/v1/gifts", json={"name": name, "category": category, "cost": cost})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def check(client, gift_id: str, customer_id: str = "c1", **extra) -> dict:
    resp = client.post("/v1/gifts/check", json={"gift_id": gift_id, "customer_id": customer_id,
                                                "given_on": "2027-03-01", **extra})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_the_check_uses_the_recipients_native_place_not_the_companys_region(api, client):
    api.customer("c1", region="上海")  # the company is in Shanghai
    api.contact("p1", "c1", native_place="湖南长沙")
    api.contact("p2", "c1", native_place="上海市")
    apples = gift(client, "Fuji apples", "苹果")
    from_hunan = check(client, apples, contact_id="p1", occasion="sick")
    assert from_hunan["blocked"] == []
    assert from_hunan["warnings"] == ["苹果 for the sick may read as 病故"]
    from_shanghai = check(client, apples, contact_id="p2", occasion="sick")
    assert from_shanghai["blocked"] == ["苹果 sounds like 病故 to a patient from Shanghai"]
    unnamed = check(client, apples, occasion="sick")
    assert unnamed["blocked"] == [] and any(
        w.startswith("no recipient named") for w in unnamed["warnings"])
    # The recipient must be one of the customer's contacts.
    api.customer("c2")
    api.contact("p9", "c2")
    problem = assert_problem(client.post("/v1/gifts/check", json={
        "gift_id": apples, "customer_id": "c1", "contact_id": "p9", "given_on": "2027-03-01"}),
        422)
    assert problem["errors"][0]["field"] == "contact_id"


def test_taboos_match_on_the_category_whatever_word_the_catalogue_uses(api, client):
    api.customer("c1")
    api.contact("p1", "c1")
    for name, category in (("座钟", "钟表"), ("Rolex", "watch"), ("挂钟", "钟"),
                           ("Desk clock", "Clock")):
        assert check(client, gift(client, name, category), contact_id="p1")["blocked"] == [
            "送钟 sounds like 送终 (attending a death)"], category
    assert check(client, gift(client, "雪梨", "梨"))["blocked"] == ["梨 sounds like 离 (separation)"]
    assert check(client, gift(client, "Golf umbrella", "umbrella"))["blocked"] == [
        "伞 sounds like 散 (breaking up)"]
    assert check(client, gift(client, "Kitchen knives", "刀具"))["blocked"] == [
        "刀 and scissors cut the relationship (一刀两断)"]
    assert check(client, gift(client, "Sneakers", "鞋"))["warnings"] == [
        "送鞋 may read as sending someone away (鞋 sounds like 邪)"]
    # A company taboo written in one word catches a gift catalogued in another.
    assert client.post("/v1/gifts/taboos", json={"category": "镜子", "reason": "镜子 break",
                                                 }).status_code == 201
    assert check(client, gift(client, "Hand mirror", "mirror"))["blocked"] == ["镜子 break"]
    listed = client.get("/v1/gifts/taboos", params={"category": "Mirror"}).json()["items"]
    assert [t["category"] for t in listed] == ["镜子"]


def test_customs_and_hobbies_of_the_recipient(api, client):
    api.customer("c1")
    api.contact("p1", "c1", ethnicity="回族", hobbies=["喝茶", "书法"])
    api.contact("p2", "c1", ethnicity="汉族", hobbies=["golf"])
    ham, baijiu, tea = (gift(client, "金华火腿", "火腿"), gift(client, "Maotai", "白酒"),
                        gift(client, "Longjing", "tea"))
    assert check(client, ham, contact_id="p1")["blocked"] == [
        "pork is forbidden by the recipient's customs (清真)"]
    assert check(client, baijiu, contact_id="p1")["blocked"] == [
        "alcohol is forbidden by the recipient's customs (清真)"]
    assert check(client, ham, contact_id="p2")["blocked"] == []
    assert check(client, tea, contact_id="p1")["fits"] == ["fits their hobby: 喝茶"]
    assert check(client, tea, contact_id="p2")["fits"] == []
    # A company taboo scoped by ethnicity, through the API.
    taboo = client.post("/v1/gifts/taboos", json={
        "category": "golf", "reason": "no golf gifts for officials", "ethnicities": ["汉族"]})
    assert taboo.status_code == 201 and taboo.json()["ethnicities"] == ["汉族"], taboo.text
    assert check(client, gift(client, "Golf balls", "高尔夫"), contact_id="p2")["blocked"] == [
        "no golf gifts for officials"]
    # The log keeps the recipient; a blocked gift is not logged.
    assert_problem(client.post("/v1/gifts/log", json={
        "gift_id": ham, "customer_id": "c1", "contact_id": "p1", "given_on": "2027-03-01"}),
        422)
    logged = client.post("/v1/gifts/log", json={"gift_id": tea, "customer_id": "c1",
                                                "contact_id": "p1", "given_on": "2027-03-01"})
    assert logged.status_code == 201 and logged.json()["contact_id"] == "p1"


def test_a_customer_without_a_gift_for_longer_than_the_policy_is_flagged(api, client):
    api.customer("c1", owner="rep-1")
    api.customer("c2", owner="rep-1")
    api.customer("c3", owner="rep-2")
    api.customer("c4", owner="rep-1")
    tea = gift(client, "Tea", "tea")
    for cid, on in (("c1", "2025-12-01"), ("c2", "2026-09-01"), ("c3", "2025-01-01")):
        resp = client.post("/v1/gifts/log", json={"gift_id": tea, "customer_id": cid,
                                                  "given_on": on})
        assert resp.status_code == 201, resp.text
    overdue = client.get("/v1/gifts/overdue", params={"on": "2027-01-01"}, headers=rep()).json()
    assert [(o["customer_id"], o["days_since"]) for o in overdue["items"]] == [("c1", 396)]
    assert overdue["items"][0]["reason"] == "no gift for 396 days (policy: at most 365)"
    everyone = client.get("/v1/gifts/overdue", params={"on": "2027-01-01",
                                                       "include_never": True}).json()
    assert [o["customer_id"] for o in everyone["items"]] == ["c1", "c3", "c4"]
    context = client.get("/v1/customers/c1/context", params={"on": "2027-01-01"},
                         headers=rep()).json()
    assert context["last_gift_on"] == "2025-12-01"
    assert context["gift_flags"] == ["no gift for 396 days (policy: at most 365)"]
    assert client.get("/v1/customers/c2/context", params={"on": "2027-01-01"}).json()[
        "gift_flags"] == []
    assert_problem(client.patch("/v1/policies", json={"gift_max_days_between": 0}), 422)
    assert client.patch("/v1/policies", json={"gift_max_days_between": 90}).status_code == 200
    tighter = client.get("/v1/gifts/overdue", params={"on": "2027-01-01"}, headers=rep()).json()
    assert [o["customer_id"] for o in tighter["items"]] == ["c1", "c2"]
    assert client.patch("/v1/policies", json={"gift_max_days_between": None}).status_code == 200
    assert client.get("/v1/gifts/overdue", params={"on": "2027-01-01"}).json()["items"] == []


def test_the_reps_week_shows_birthdays_with_lunar_ones_on_this_years_solar_day(api, client):
    api.customer("c1", owner="rep-1")
    api.customer("c2", owner="rep-2")
    api.contact("p1", "c1", birthday_calendar="solar", birthday="1980-09-16")
    # 农历八月十五 is 2027-09-15; 闰六月初十 in 2026 (no leap month) is 2026-07-23.
    api.contact("p2", "c1", birthday_calendar="lunar", lunar_birthday_month=8,
                lunar_birthday_day=15)
    api.contact("p3", "c1", birthday_calendar="solar", birthday="1980-10-30")  # too far
    api.contact("p4", "c1", birthday_calendar="solar", birthday="1980-09-14",
                left_on="2027-01-01")  # left
    api.contact("p9", "c2", birthday_calendar="solar", birthday="1990-09-15")  # not rep-1's
    api.rule(trigger="month_start", channel="call")
    agenda = client.get("/v1/agenda", params={"on": "2027-09-13", "span": "week"},
                        headers=rep()).json()
    assert [(b["contact_id"], b["on"], b["calendar"]) for b in agenda["birthdays"]] == [
        ("p2", "2027-09-15", "lunar"), ("p1", "2027-09-16", "solar")]
    assert agenda["birthdays"][0]["lunar_month"] == 8 and agenda["birthdays"][1]["turns"] == 47
    other = client.get("/v1/agenda", params={"on": "2027-09-13", "span": "week",
                                             "assignee_id": "rep-1"}, headers=other_rep()).json()
    assert other["birthdays"] == []
    context = client.get("/v1/customers/c1/context", params={"on": "2027-09-13"},
                         headers=rep()).json()
    assert [b["contact_id"] for b in context["upcoming_birthdays"]] == ["p2", "p1"]
    api.contact("p5", "c1", birthday_calendar="lunar", lunar_birthday_month=6,
                lunar_birthday_day=10, lunar_birthday_leap=True)
    summer = client.get("/v1/customers/c1/context", params={"on": "2026-07-20"}).json()
    assert [(b["contact_id"], b["on"]) for b in summer["upcoming_birthdays"]][:1] == [
        ("p5", "2026-07-23")]
