"""Weddings, moves and achievements: recorded by the rep who owns the customer, greeted by
life_event rules once per occasion (once a year for an anniversary), shown on the agenda."""
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from guanxi_testing.fixtures import assert_problem, auth

SHANGHAI = ZoneInfo("Asia/Shanghai")
REP = auth("rep", "rep-1")
OTHER_REP = auth("rep", "rep-2")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def record(client, headers=None, **body) -> dict:
    resp = client.post("/v1/occasions", json=body, headers=headers or {})
    assert resp.status_code == 201, resp.text
    return resp.json()


def tasks(client, **params) -> list[dict]:
    return client.get("/v1/tasks", params=params).json()["items"]


def test_a_wedding_is_congratulated_days_before_once_and_again_each_anniversary(
        api, client, provider):
    api.customer("c1")
    api.contact("p1", "c1")
    api.contact("p2", "c1")
    wedding = record(client, REP, customer_id="c1", contact_id="p1", kind="wedding",
                     occurs_on="2027-05-20", note="marries Wang Fang")
    assert wedding["recurs_yearly"] is True and wedding["recorded_by"] == "rep-1"
    template = client.post("/v1/templates", json={
        "name": "wedding", "body": {"zh": "{name}，恭喜！（{note}）"}}).json()
    api.rule(name="新婚祝福", trigger="life_event", occasion="wedding", days_before=3,
             channel="sms", template_id=template["id"])
    api.rule(name="move card", trigger="life_event", occasion="move", channel="sms")
    with time_machine.travel(at(2027, 5, 16, 10), tick=False):
        assert api.run("2027-05-16")["created"] == 0
    with time_machine.travel(at(2027, 5, 17, 10), tick=False):
        first, again = api.run("2027-05-17"), api.run("2027-05-17")
    assert (first["created"], first["sent"], again["created"]) == (1, {"sent": 1}, 0)
    [message] = api.messages()
    assert (message["contact_id"], message["occasion"], message["occurs_on"]) == (
        "p1", "wedding", "2027-05-20")  # the wedding's day, greeted 3 days before
    assert message["send_after"].startswith("2027-05-17T01:00:00")
    assert message["occasion_id"] == wedding["id"]
    assert message["body"] == "Contact p1，恭喜！（marries Wang Fang）"
    assert len(provider.sent) == 1
    with time_machine.travel(at(2028, 5, 17, 10), tick=False):  # the first anniversary
        assert api.run("2028-05-17")["created"] == 1
        assert api.run("2028-05-18")["created"] == 0
    assert [m["occurs_on"] for m in api.messages(contact_id="p1")] == ["2027-05-20",
                                                                       "2028-05-20"]
    assert api.messages(contact_id="p2") == []


def test_a_customer_move_is_a_task_once_and_greets_every_current_contact(api, client):
    api.customer("c1")
    api.customer("c2")
    api.contact("p1", "c1")
    api.contact("p2", "c1")
    api.contact("p3", "c1", left_on="2026-12-31")
    api.contact("p9", "c2")
    move = record(client, customer_id="c1", kind="move", occurs_on="2027-03-08",
                  note="new office in Pudong")
    assert move["recurs_yearly"] is False and move["contact_id"] is None
    api.rule(name="乔迁之喜 call", trigger="life_event", occasion="move", channel="call")
    api.rule(name="any occasion", trigger="life_event", channel="log")
    assert api.run("2027-03-08", send=False)["created"] == 3  # one task, two messages
    assert api.run("2027-03-08", send=False)["created"] == 0
    [task] = tasks(client)
    assert (task["customer_id"], task["contact_id"], task["assignee_id"], task["title"]) == (
        "c1", None, "rep-1", "乔迁之喜 call: new office in Pudong")
    assert sorted(m["contact_id"] for m in api.messages()) == ["p1", "p2"]
    assert api.run("2028-03-08", send=False)["created"] == 0  # a move is greeted once


def test_two_occasions_of_one_contact_on_one_day_greet_once(api, client):
    api.customer("c1")
    api.contact("p1", "c1")
    record(client, customer_id="c1", contact_id="p1", kind="achievement",
           occurs_on="2027-06-01", note="promoted to director")
    record(client, customer_id="c1", kind="achievement", occurs_on="2027-06-01",
           note="won the provincial quality award")
    api.rule(name="congratulations", trigger="life_event", channel="log")
    api.rule(name="call", trigger="life_event", occasion="achievement", channel="call")
    assert api.run("2027-06-01", send=False)["created"] == 3  # a message, two tasks
    assert len(api.messages()) == 1 and len(tasks(client)) == 2


def test_a_29_february_wedding_is_remembered_on_28_february_in_common_years(api, client):
    api.customer("c1")
    api.contact("p1", "c1")
    record(client, customer_id="c1", contact_id="p1", kind="wedding", occurs_on="2024-02-29")
    api.rule(trigger="life_event", occasion="wedding", channel="call")
    assert api.run("2027-02-28", send=False)["created"] == 1
    assert api.run("2028-02-28", send=False)["created"] == 0
    assert api.run("2028-02-29", send=False)["created"] == 1


def test_rules_audiences_and_departed_contacts_limit_life_event_greetings(api, client):
    api.customer("c1", groups=["key"])
    api.customer("c2", status="lost")
    api.contact("p1", "c1", left_on="2027-01-01")
    api.contact("p2", "c2")
    record(client, customer_id="c1", contact_id="p1", kind="wedding", occurs_on="2027-09-09")
    record(client, customer_id="c2", contact_id="p2", kind="wedding", occurs_on="2027-09-09")
    api.rule(trigger="life_event", occasion="wedding", channel="call",
             audience={"groups": ["key"]})
    assert api.run("2027-09-09", send=False)["created"] == 0


def test_occasions_follow_customer_ownership(api, client):
    api.customer("c1", owner="rep-1")
    api.customer("c2", owner="rep-2")
    mine = record(client, REP, customer_id="c1", kind="achievement", occurs_on="2027-01-05")
    assert_problem(client.post("/v1/occasions", headers=REP, json={
        "customer_id": "c2", "kind": "move", "occurs_on": "2027-01-05"}), 404)
    assert_problem(client.get(f"/v1/occasions/{mine['id']}", headers=OTHER_REP), 404)
    assert_problem(client.patch(f"/v1/occasions/{mine['id']}", headers=OTHER_REP,
                                json={"note": "x"}), 404)
    assert_problem(client.delete(f"/v1/occasions/{mine['id']}", headers=OTHER_REP), 404)
    assert client.get("/v1/occasions", headers=OTHER_REP).json()["items"] == []
    assert [o["id"] for o in client.get("/v1/occasions", headers=REP).json()["items"]] == [
        mine["id"]]
    team = client.get("/v1/occasions", headers=auth("manager", "m-1", team_id="team-1"))
    assert [o["id"] for o in team.json()["items"]] == [mine["id"]]
    assert_problem(client.post("/v1/occasions", headers=auth("analyst", "a-1"), json={
        "customer_id": "c1", "kind": "move", "occurs_on": "2027-01-05"}), 403)


def test_bad_occasions_are_refused_and_change_nothing(api, client):
    api.customer("c1")
    api.customer("c2")
    api.contact("p2", "c2")
    good = {"customer_id": "c1", "kind": "wedding", "occurs_on": "2027-05-20"}
    for bad in ({**good, "kind": "birthday"}, {**good, "colour": "red"},
                {**good, "occurs_on": "1066-10-14"}, {**good, "occurs_on": "2027-02-30"},
                {**good, "note": "x" * 301}, {k: v for k, v in good.items() if k != "kind"}):
        assert_problem(client.post("/v1/occasions", json=bad), 422)
    problem = assert_problem(client.post("/v1/occasions", json={**good, "contact_id": "p2"}),
                             422)
    assert problem["errors"][0]["field"] == "contact_id"
    assert_problem(client.post("/v1/occasions", json={**good, "customer_id": "nobody"}), 404)
    assert client.get("/v1/occasions").json()["items"] == []
    occasion = record(client, **good)
    url = f"/v1/occasions/{occasion['id']}"
    etag = client.get(url).headers["etag"]
    for bad in ({"kind": None}, {"occurs_on": None}, {"recurs_yearly": None},
                {"contact_id": "p2"}, {"customer_id": "c2"}):
        assert_problem(client.patch(url, json=bad), 422)
    assert_problem(client.patch(url, json={"note": "x"}, headers={"If-Match": '"x.9"'}), 412)
    assert client.get(url).json() == occasion
    moved = client.patch(url, json={"occurs_on": "2027-06-06", "note": "moved the date"},
                         headers={"If-Match": etag})
    assert moved.status_code == 200 and moved.json()["version"] == 2, moved.text
    assert_problem(client.delete(url, headers={"If-Match": etag}), 412)
    # A life_event rule names an occasion kind, or none.
    assert_problem(client.post("/v1/rules", json={"name": "x", "trigger": "life_event",
                                                  "occasion": "spring_festival"}), 422)
    rule = api.rule(trigger="life_event", occasion="wedding")
    assert_problem(client.patch(f"/v1/rules/{rule['id']}", json={"occasion": "sick"}), 422)
    assert client.patch(f"/v1/rules/{rule['id']}", json={"occasion": None}).status_code == 200


def test_an_edited_date_is_greeted_on_the_new_day_and_a_deleted_occasion_not_at_all(
        api, client):
    api.customer("c1")
    api.contact("p1", "c1")
    wedding = record(client, customer_id="c1", contact_id="p1", kind="wedding",
                     occurs_on="2027-05-20")
    award = record(client, customer_id="c1", kind="achievement", occurs_on="2027-05-21")
    api.rule(trigger="life_event", channel="call")
    client.patch(f"/v1/occasions/{wedding['id']}", json={"occurs_on": "2027-05-22"})
    assert client.delete(f"/v1/occasions/{award['id']}").status_code == 204
    assert_problem(client.get(f"/v1/occasions/{award['id']}"), 404)
    created = {day: api.run(day, send=False)["created"]
               for day in ("2027-05-20", "2027-05-21", "2027-05-22")}
    # 2027-05-22 is a Saturday: the call is due on Friday the 21st.
    assert created == {"2027-05-20": 0, "2027-05-21": 1, "2027-05-22": 0}
    [task] = tasks(client)
    assert (task["due_on"], task["occurs_on"]) == ("2027-05-21", "2027-05-22")


def test_the_agenda_context_and_the_calendar_show_upcoming_occasions(api, client):
    api.customer("c1", owner="rep-1")
    api.contact("p1", "c1")
    wedding = record(client, customer_id="c1", contact_id="p1", kind="wedding",
                     occurs_on="2020-02-14", note="married Li Na")
    record(client, customer_id="c1", kind="move", occurs_on="2026-02-20")  # past, one-off
    award = record(client, customer_id="c1", kind="achievement", occurs_on="2027-02-25")
    record(client, customer_id="c1", kind="achievement", occurs_on="2027-04-01")  # too far
    api.rule(trigger="month_start", channel="call")
    api.run("2027-02-01", send=False)
    agenda = client.get("/v1/agenda", params={"on": "2027-02-01"}, headers=REP).json()
    upcoming = agenda["items"][0]["customer"]["upcoming_occasions"]
    assert [(o["id"], o["on"], o["years"]) for o in upcoming] == [
        (wedding["id"], "2027-02-14", 7), (award["id"], "2027-02-25", 0)]
    assert upcoming[0]["note"] == "married Li Na" and upcoming[0]["contact_id"] == "p1"
    context = client.get("/v1/customers/c1/context", params={"on": "2027-02-15"}).json()
    assert [o["id"] for o in context["upcoming_occasions"]] == [award["id"]]
    days = client.get("/v1/calendar", params={"year": 2027, "customer_id": "c1"}).json()["days"]
    assert sorted(d["on"] for d in days if d["kind"] == "life_event") == [
        "2027-02-14", "2027-02-25", "2027-04-01"]


def test_occasions_follow_merges_and_erasure(api, client):
    api.customer("c1")
    api.customer("c2")
    api.contact("p1", "c1")
    record(client, customer_id="c1", contact_id="p1", kind="wedding", occurs_on="2027-05-20")
    record(client, customer_id="c1", kind="move", occurs_on="2027-05-21")
    api.feed("customer.merged", {"merged_id": "c1", "into_id": "c2"})
    assert {o["customer_id"] for o in client.get("/v1/occasions").json()["items"]} == {"c2"}
    api.feed("contact.erased", {"contact_id": "p1", "customer_id": "c2"})
    [left] = client.get("/v1/occasions").json()["items"]
    assert left["kind"] == "move"
    exported = client.get("/v1/privacy/customers/c2").json()["data"]
    assert [o["kind"] for o in exported["occasions"]] == ["move"]
    assert client.delete("/v1/privacy/customers/c2").json()["erased"]["occasions"] == 1
    assert client.get("/v1/occasions").json()["items"] == []


def test_runs_and_agendas_at_the_ends_of_the_calendar_are_refused_or_answered(api, client):
    api.rule(trigger="revisit", every_days=30, channel="call")
    api.rule(trigger="life_event", days_before=30, channel="call")
    for day in ("0001-01-01", "1900-12-31", "2100-01-01", "9999-12-31"):
        assert_problem(client.post("/v1/runs", json={"on": day}), 422)
    assert client.get("/v1/agenda", params={"on": "9999-12-31", "span": "week"},
                      headers=REP).status_code == 200
