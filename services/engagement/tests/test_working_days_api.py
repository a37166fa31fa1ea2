"""Lead times, working-day shifts and the official schedule through real daily runs."""
from guanxi_testing.fixtures import assert_problem, auth


def rep() -> dict:
    """Minted when used: a module-level token expires in a long test session."""
    return auth("rep", "rep-1")


def manager() -> dict:
    return auth("manager", "boss")


NATIONAL_DAY_2031 = {
    "days_off": [{"on": f"2031-10-0{d}", "name": "国庆节"} for d in range(1, 8)],
    "workdays": [{"on": "2031-09-28", "name": "国庆节"}, {"on": "2031-10-11", "name": "国庆节"}],
}


def tasks(client, **params) -> list[dict]:
    resp = client.get("/v1/tasks", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def test_a_gift_rule_7_days_before_mid_autumn_creates_its_task_on_the_7th_day_once(
        api, client):
    api.customer()
    api.contact()
    rule = api.rule(trigger="holiday", occasion="mid_autumn", channel="gift", days_before=7)
    # Mid-Autumn 2027 is 9月15日 (a Wednesday): the gift is due 9月8日, a Wednesday.
    assert api.run("2027-09-07", send=False)["created"] == 0
    assert api.run("2027-09-08", send=False)["created"] == 1
    [task] = tasks(client)
    assert (task["due_on"], task["occurs_on"], task["kind"]) == ("2027-09-08", "2027-09-15",
                                                                 "gift")
    # A longer lead time afterwards does not create it again, nor does the next day.
    resp = client.patch(f"/v1/rules/{rule['id']}", json={"days_before": 10})
    assert resp.status_code == 200, resp.text
    assert api.run("2027-09-09", send=False)["created"] == 0
    assert len(tasks(client)) == 1


def test_a_rule_added_after_the_due_day_still_creates_its_task_before_the_event(api, client):
    api.customer()
    api.contact("p1", birthday_calendar="lunar", lunar_birthday_month=8, lunar_birthday_day=15)
    api.run("2027-09-11", send=False)  # nothing yet: no rule
    api.rule(trigger="birthday", channel="gift", days_before=3)
    # The lunar birthday is 2027-09-15; 3 days before is Sunday 9月12日: due Friday 9月10日.
    assert api.run("2027-09-11", send=False)["created"] == 1
    [task] = tasks(client)
    assert (task["due_on"], task["occurs_on"], task["contact_id"]) == ("2027-09-10",
                                                                       "2027-09-15", "p1")
    assert api.run("2027-09-12", send=False)["created"] == 0


def test_a_month_start_call_on_national_day_moves_by_the_company_policy(api, client):
    api.customer()
    api.rule(trigger="month_start", channel="call")
    assert api.run("2026-09-30", send=False)["created"] == 1  # for 10月1日, a holiday
    assert api.run("2026-10-01", send=False)["created"] == 0
    [task] = tasks(client)
    assert (task["due_on"], task["occurs_on"]) == ("2026-09-30", "2026-10-01")

    assert_problem(client.patch("/v1/policies", json={"workday_shift": "next"},
                                headers=rep()), 403)
    assert_problem(client.patch("/v1/policies", json={"workday_shift": "later"}), 422)
    resp = client.patch("/v1/policies", json={"workday_shift": "next"})
    assert resp.status_code == 200 and resp.json()["workday_shift"] == "next", resp.text
    # 2026-11-01 is a Sunday: with next, the call is due Monday 11月2日.
    assert api.run("2026-11-01", send=False)["created"] == 0
    assert api.run("2026-11-02", send=False)["created"] == 1
    assert [t["due_on"] for t in tasks(client, due_from="2026-11-01")] == ["2026-11-02"]

    client.patch("/v1/policies", json={"workday_shift": "keep"})
    assert api.run("2026-12-31", send=False)["created"] == 0
    assert api.run("2027-05-01", send=False)["created"] == 1  # kept on Labour Day
    assert [t["due_on"] for t in tasks(client, due_from="2027-01-01")] == ["2027-05-01"]


def test_a_birthday_greeting_stays_on_the_day_while_the_gift_moves_before_it(api, client):
    api.customer()
    api.contact("p1", birthday_calendar="solar", birthday="1980-10-03")
    api.rule(trigger="birthday", channel="sms")
    api.rule(trigger="birthday", channel="gift")
    assert api.run("2026-09-30", send=False)["created"] == 1
    assert [t["due_on"] for t in tasks(client)] == ["2026-09-30"]
    assert api.messages() == []
    assert api.run("2026-10-03", send=False)["created"] == 1
    [message] = api.messages()
    assert message["occurs_on"] == "2026-10-03"
    assert message["send_after"].startswith("2026-10-03T01:00:00")  # 09:00 in Shanghai


def test_an_admin_loads_a_year_the_library_does_not_know_and_the_run_uses_it(api, client):
    api.customer()
    api.contact("p1", birthday_calendar="solar", birthday="1975-10-06")
    api.rule(trigger="birthday", channel="gift")
    status = {s["year"]: s for s in client.get(
        "/v1/calendar/official", params={"from_year": 2026, "to_year": 2031}).json()}
    assert status[2026] == {"year": 2026, "known": True, "source": "library"}
    assert status[2031] == {"year": 2031, "known": False, "source": "statutory"}
    calendar = client.get("/v1/calendar", params={"year": 2031}).json()
    assert calendar["schedule_known"] is False
    # Not known: 10月6日 2031 is a Monday and a working day, so nothing is due on 9月30日.
    first = api.run("2031-09-30", send=False)
    assert first["created"] == 0
    assert [w[:45] for w in first["warnings"]] == [
        "The official holiday schedule for 2031 is not",
        "The official holiday schedule for 2032 is not"]

    assert_problem(client.put("/v1/calendar/official/2031", json=NATIONAL_DAY_2031,
                              headers=rep()), 403)
    assert_problem(client.put("/v1/calendar/official/2031", json=NATIONAL_DAY_2031,
                              headers=manager()), 403)
    wrong_year = {"days_off": [{"on": "2032-10-01"}]}
    problem = assert_problem(client.put("/v1/calendar/official/2031", json=wrong_year), 422)
    assert "2032-10-01 is not in 2031" in problem["detail"]
    both = {"days_off": [{"on": "2031-10-04"}], "workdays": [{"on": "2031-10-04"}]}
    problem = assert_problem(client.put("/v1/calendar/official/2031", json=both), 422)
    assert "both a day off and a working day" in problem["detail"]
    weekday = {"days_off": [{"on": "2031-10-01"}], "workdays": [{"on": "2031-10-08"}]}
    assert_problem(client.put("/v1/calendar/official/2031", json=weekday), 422)
    assert client.get("/v1/calendar/official/2031").json()["source"] == "statutory"

    resp = client.put("/v1/calendar/official/2031", json=NATIONAL_DAY_2031)
    assert resp.status_code == 200, resp.text
    assert resp.json()["known"] is True and resp.json()["source"] == "loaded"
    assert [d["on"] for d in resp.json()["workdays"]] == ["2031-09-28", "2031-10-11"]
    kinds = {d["on"]: d["kind"] for d in client.get(
        "/v1/calendar", params={"year": 2031}).json()["days"] if d["occasion"] == "official"}
    assert kinds["2031-10-06"] == "holiday" and kinds["2031-09-28"] == "adjusted_workday"

    again = api.run("2031-09-30", send=False)
    assert again["created"] == 1 and len(again["warnings"]) == 1  # only 2032 now
    [task] = tasks(client)
    assert (task["due_on"], task["occurs_on"]) == ("2031-09-30", "2031-10-06")
    runs = client.get("/v1/runs").json()["items"]
    assert [(r["run_on"], r["trigger"], len(r["warnings"])) for r in runs] == [
        ("2031-09-30", "api", 1), ("2031-09-30", "api", 2)]
    assert_problem(client.get("/v1/runs", headers=rep()), 403)

    assert client.delete("/v1/calendar/official/2031", headers=rep()).status_code == 403
    assert client.delete("/v1/calendar/official/2031").status_code == 204
    assert client.get("/v1/calendar/official/2031").json()["known"] is False
