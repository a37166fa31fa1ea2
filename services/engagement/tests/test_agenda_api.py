"""The agenda with customer context, task handling, visits and their promised follow-ups."""
from guanxi_testing.fixtures import assert_problem, auth

REP = auth("rep", "rep-1")


def seed(api):
    api.customer("c1", owner="rep-1")
    api.customer("c2", owner="rep-2")
    api.contact("p1", "c1", role="decision_maker", cares_about_people=["son collects stamps"])
    api.feed("purchase.recorded", {"id": "o1", "customer_id": "c1", "amount": "250.00",
                                   "purchased_on": "2027-01-10"})
    api.feed("segment.changed", {"customer_id": "c1", "segment": "champions", "tier": "top"})
    api.feed("need.created", {"id": "n1", "customer_id": "c1", "title": "More training"})
    api.rule(trigger="revisit", every_days=30, channel="call", audience={"tiers": ["top"]})
    api.rule(trigger="month_start", channel="call")
    api.run("2027-02-01", send=False)


def test_agenda_shows_the_reps_tasks_with_the_customer_context(api, client):
    seed(api)
    agenda = client.get("/v1/agenda", params={"on": "2027-02-01"}, headers=REP).json()
    assert agenda["assignee_id"] == "rep-1" and len(agenda["items"]) == 2
    context = agenda["items"][0]["customer"]
    assert context["segment"] == "champions" and context["last_purchase_on"] == "2027-01-10"
    assert context["open_needs"] == ["More training"]
    assert context["contacts"] == [{"id": "p1", "name": "Contact p1", "role": "decision_maker",
                                    "cares_about": ["son collects stamps"]}]
    # A rep sees neither another rep's customers nor their tasks.
    other = client.get("/v1/tasks", params={"customer_id": "c2"}, headers=REP).json()
    assert other["items"] == []
    # A revisit cadence of 30 days does not repeat the next day.
    assert api.run("2027-02-02", send=False)["created"] == 0


def test_tasks_are_completed_rescheduled_and_reassigned(api, client):
    seed(api)
    task_id = client.get("/v1/tasks", params={"customer_id": "c1"}).json()["items"][0]["id"]
    etag = client.get(f"/v1/tasks/{task_id}").headers["etag"]
    moved = client.post(f"/v1/tasks/{task_id}/reschedule", json={"due_on": "2027-02-03"},
                        headers={**REP, "If-Match": etag})
    assert moved.status_code == 200 and moved.json()["due_on"] == "2027-02-03"
    stale = client.post(f"/v1/tasks/{task_id}/reassign", json={"assignee_id": "rep-9"},
                        headers={"If-Match": etag})
    assert_problem(stale, 412)
    assert client.post(f"/v1/tasks/{task_id}/reassign",
                       json={"assignee_id": "rep-9"}).json()["assignee_id"] == "rep-9"
    done = client.post(f"/v1/tasks/{task_id}/complete",
                       json={"outcome": "Happy with the product", "result_check": "ok"})
    assert done.json()["status"] == "done"
    assert_problem(client.post(f"/v1/tasks/{task_id}/complete", json={"outcome": "again"}), 409)
    assert_problem(client.post(f"/v1/tasks/{task_id}/complete", json={"outcome": "x"},
                               headers=auth("analyst", "a")), 403)


def test_a_promised_next_appointment_becomes_a_follow_up_task(api, client):
    seed(api)
    visit = client.post("/v1/visits", json={
        "customer_id": "c1", "contact_id": "p1", "purpose": "bond",
        "appointment_at": "2027-02-05T02:00:00Z",
        "checklist": [{"item": "stamp album for the son"}]}, headers=REP)
    assert visit.status_code == 201, visit.text
    visit_id = visit.json()["id"]
    assert_problem(client.get(f"/v1/visits/{visit_id}", headers=auth("rep", "rep-2")), 404)
    done = client.post(f"/v1/visits/{visit_id}/complete", headers=REP, json={
        "result": "Agreed on a training plan", "next_appointment_on": "2027-03-01"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    follow_ups = client.get("/v1/tasks", params={"due_from": "2027-03-01",
                                                 "due_to": "2027-03-01"}).json()["items"]
    assert [(t["kind"], t["visit_id"]) for t in follow_ups] == [("visit", visit_id)]


def test_unknown_fields_and_bad_rules_are_refused(client):
    assert_problem(client.post("/v1/rules", json={"name": "x", "trigger": "revisit"}), 422)
    assert_problem(client.post("/v1/rules", json={"name": "x", "trigger": "birthday",
                                                  "colour": "red"}), 422)


def test_company_settings_are_for_managers(client):
    rule = {"name": "x", "trigger": "birthday"}
    assert_problem(client.post("/v1/rules", json=rule, headers=REP), 403)
    assert_problem(client.patch("/v1/policies", json={"quiet_start": 21}, headers=REP), 403)
    assert client.post("/v1/rules", json=rule, headers=auth("manager", "m-1")).status_code == 201


def test_policy_refuses_explicit_nulls(client):
    before = client.get("/v1/policies").json()
    problem = assert_problem(client.patch("/v1/policies", json={"quiet_end": None}), 422)
    assert "quiet_end" in str(problem)
    assert client.get("/v1/policies").json() == before
