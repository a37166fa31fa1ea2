"""Visits done right: the 21 visiting mistakes as the company checklist, the time limit and its
outline, no visit closed without a next step (mistake 21), and the thank-you as a step."""
from guanxi_engagement.domain.visits import MISTAKES, agenda_problem, plan_warnings, time_split
from guanxi_testing.fixtures import assert_problem, auth

REP = auth("rep", "rep-1")
MANAGER = auth("manager", "mgr-1", team_id="team-1")


def seed(api):
    api.customer("c1", owner="rep-1")
    api.customer("c2", owner="rep-2", team_id="team-2")
    api.contact("p1", "c1")


def plan(client, customer="c1", headers=REP, **extra):
    resp = client.post("/v1/visits", headers=headers, json={
        "customer_id": customer, "contact_id": "p1" if customer == "c1" else None,
        "purpose": "bond", "appointment_at": "2027-02-05T02:00:00Z"} | extra)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_the_split_and_the_warnings_by_hand():
    agenda = [{"topic": "Training plan", "minutes": 2, "kind": "business"},
              {"topic": "Son's stamp collection", "minutes": 5, "kind": "small_talk"},
              {"topic": "Holiday plans", "minutes": 3, "kind": "small_talk"}]
    split = time_split(15, agenda)
    assert (split.business, split.small_talk, split.unplanned) == (2, 8, 5)
    assert plan_warnings(15, agenda) == []
    assert agenda_problem(9, agenda) == "The agenda takes 10 minutes, more than the planned 9"
    assert agenda_problem(None, agenda) is None and agenda_problem(10, agenda) is None
    pitch = [{"topic": "Price list", "minutes": 6, "kind": "business"},
             {"topic": "Tea", "minutes": 4, "kind": "small_talk"}]
    assert [w.split(" (")[0] for w in plan_warnings(None, pitch)] == [
        "No time limit", "More business than small talk"]
    assert plan_warnings(10, [])[0].startswith("No outline")
    assert len(MISTAKES) == 21 and [m[0] for m in MISTAKES] == list(range(1, 22))


def test_a_new_visit_carries_the_company_checklist_then_the_reps_own(api, client):
    seed(api)
    checks = client.get("/v1/visits/checklist", params={"limit": 100}).json()["items"]
    assert len(checks) == 22  # the 21 mistakes and the thank-you
    assert {c["mistake"] for c in checks} == set(range(1, 22)) | {None}
    visit = plan(client, checklist=[{"item": "stamp album for the son"}])
    items = visit["checklist"]
    assert len(items) == 23 and items[-1] == {"item": "stamp album for the son", "item_en": None,
                                              "done": False, "phase": "before",
                                              "mistake": None}
    assert items[0]["mistake"] == 1 and items[0]["phase"] == "before"
    assert items[20]["mistake"] == 21 and items[20]["phase"] == "after"
    assert items[21]["item_en"] == "Thank the contact after the visit"
    bare = plan(client, company_checklist=False)
    assert bare["checklist"] == []


def test_the_company_edits_its_checklist_and_new_plans_follow(api, client):
    seed(api)
    # A rep may read the checklist but not change it.
    assert_problem(client.post("/v1/visits/checklist", headers=REP, json={
        "phase": "before", "label_zh": "带名片", "label_en": "Bring business cards"}), 403)
    added = client.post("/v1/visits/checklist", json={
        "phase": "before", "label_zh": "带名片", "label_en": "Bring business cards",
        "position": 0})
    assert added.status_code == 201, added.text
    check = client.get("/v1/visits/checklist/mistake-02")
    assert check.json()["label_en"] == "No flirting with the receptionist"
    stale = client.patch("/v1/visits/checklist/mistake-02", json={"active": False},
                         headers={"If-Match": '"mistake-02.0"'})
    assert_problem(stale, 412)
    assert_problem(client.patch("/v1/visits/checklist/mistake-02", json={"active": False},
                                headers=REP), 403)
    retired = client.patch("/v1/visits/checklist/mistake-02", json={"active": False},
                           headers={"If-Match": check.headers["etag"]})
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert_problem(client.patch("/v1/visits/checklist/nope", json={"active": False}), 404)
    assert_problem(client.post("/v1/visits/checklist", json={
        "phase": "during", "label_zh": "x", "label_en": "x"}), 422)
    items = plan(client)["checklist"]
    assert items[0]["item_en"] == "Bring business cards"
    assert 2 not in [i["mistake"] for i in items] and len(items) == 22
    active = client.get("/v1/visits/checklist", params={"active": "false"}).json()["items"]
    assert [c["id"] for c in active] == ["mistake-02"]


def test_a_plan_has_a_time_limit_and_an_outline_that_fits_it(api, client):
    seed(api)
    visit = plan(client, planned_minutes=10, agenda=[
        {"topic": "Training plan", "minutes": 2, "kind": "business"},
        {"topic": "Son's stamps", "minutes": 8, "kind": "small_talk"}])
    assert visit["time_split"] == {"business_minutes": 2, "small_talk_minutes": 8,
                                   "unplanned_minutes": 0}
    assert visit["warnings"] == []
    too_long = client.post("/v1/visits", headers=REP, json={
        "customer_id": "c1", "purpose": "sell", "appointment_at": "2027-02-05T02:00:00Z",
        "planned_minutes": 10, "agenda": [{"topic": "Demo", "minutes": 11}]})
    assert_problem(too_long, 422)
    etag = client.get(f"/v1/visits/{visit['id']}").headers["etag"]
    shorter = client.patch(f"/v1/visits/{visit['id']}", json={"planned_minutes": 5},
                           headers={**REP, "If-Match": etag})
    assert_problem(shorter, 422)  # the outline would no longer fit
    pitch = client.patch(f"/v1/visits/{visit['id']}", headers=REP, json={
        "planned_minutes": 20, "agenda": [{"topic": "Price list", "minutes": 15}]})
    assert pitch.status_code == 200, pitch.text
    assert pitch.json()["time_split"]["unplanned_minutes"] == 5
    assert pitch.json()["warnings"][0].startswith("More business than small talk")
    assert_problem(client.patch(f"/v1/visits/{visit['id']}", headers=REP,
                                json={"purpose": None}), 422)
    assert_problem(client.patch(f"/v1/visits/{visit['id']}", headers=REP,
                                json={"planned_minutes": 2}), 422)
    untimed = plan(client)
    assert [w.split(" (")[0] for w in untimed["warnings"]] == ["No time limit", "No outline"]


def test_a_visit_cannot_be_closed_without_a_next_step(api, client):
    seed(api)
    visit = plan(client, planned_minutes=10)
    silent = client.post(f"/v1/visits/{visit['id']}/complete", headers=REP,
                         json={"result": "Nice chat"})
    assert_problem(silent, 422)
    assert client.get(f"/v1/visits/{visit['id']}").json()["status"] == "planned"
    assert_problem(client.post(f"/v1/visits/{visit['id']}/complete", headers=REP, json={
        "result": "Nice chat", "next_appointment_on": "2027-01-01"}), 422)  # before the visit
    done = client.post(f"/v1/visits/{visit['id']}/complete", headers=REP, json={
        "result": "Nice chat", "no_follow_up_reason": "Customer is moving office; call in May",
        "actual_minutes": 25})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "done" and body["follow_up_missing"] is True
    assert body["warnings"] == [
        "9 preparation item(s) not ticked before the visit",
        "Stayed 15 minutes over the time limit (mistake 19: staying too long)",
        "No follow-up (mistake 21): Customer is moving office; call in May"]
    assert_problem(client.post(f"/v1/visits/{visit['id']}/complete", headers=REP, json={
        "result": "again", "no_follow_up_reason": "again"}), 409)
    # Done: the outline is history, only the after-visit review can still be ticked.
    etag = client.get(f"/v1/visits/{visit['id']}").headers["etag"]
    assert_problem(client.patch(f"/v1/visits/{visit['id']}", json={"planned_minutes": 30},
                                headers={"If-Match": etag}), 409)
    review = [{**i, "done": True} for i in body["checklist"]]
    ticked = client.patch(f"/v1/visits/{visit['id']}", json={"checklist": review},
                          headers={"If-Match": etag})
    assert ticked.status_code == 200 and all(i["done"] for i in ticked.json()["checklist"])


def test_the_thank_you_is_a_step_on_the_agenda(api, client):
    seed(api)
    visit = plan(client)
    done = client.post(f"/v1/visits/{visit['id']}/complete", headers=REP, json={
        "result": "Agreed on a training plan", "next_appointment_on": "2027-03-01",
        "thanks_by": "sms"}).json()
    assert done["follow_up_missing"] is False and done["no_follow_up_reason"] is None
    tasks = client.get("/v1/tasks", params={"customer_id": "c1"}).json()["items"]
    thanks = [t for t in tasks if t["id"] == done["thanks_task_id"]]
    assert len(thanks) == 1 and thanks[0]["kind"] == "sms"
    assert thanks[0]["title"] == "Thank Contact p1 for the visit (致谢)"
    assert thanks[0]["visit_id"] == visit["id"] and thanks[0]["assignee_id"] == "rep-1"


def test_managers_see_visits_lacking_a_follow_up(api, client):
    seed(api)
    closed_no_next = plan(client)
    client.post(f"/v1/visits/{closed_no_next['id']}/complete", headers=REP, json={
        "result": "ok", "no_follow_up_reason": "Only a courtesy call"})
    kept = plan(client)
    client.post(f"/v1/visits/{kept['id']}/complete", headers=REP, json={
        "result": "ok", "next_appointment_on": "2999-01-01"})
    late = plan(client, appointment_at="2026-01-05T02:00:00Z")
    client.post(f"/v1/visits/{late['id']}/complete", headers=REP, json={
        "result": "ok", "next_appointment_on": "2026-01-06"})  # a past day: overdue
    other_team = plan(client, customer="c2", headers=auth("rep", "rep-2", team_id="team-2"))
    client.post(f"/v1/visits/{other_team['id']}/complete", json={
        "result": "ok", "no_follow_up_reason": "Not needed now"})
    plan(client)  # still planned: not listed
    lacking = client.get("/v1/visits/lacking-follow-up", headers=MANAGER)
    assert lacking.status_code == 200, lacking.text
    rows = {r["visit"]["id"]: (r["why"], r["follow_up_due_on"])
            for r in lacking.json()["items"]}
    assert rows == {closed_no_next["id"]: ("no_follow_up", None),
                    late["id"]: ("follow_up_overdue", "2026-01-06")}
    everyone = client.get("/v1/visits/lacking-follow-up", params={"limit": 1}).json()
    assert len(everyone["items"]) == 1 and everyone["next_cursor"]
    rest = client.get("/v1/visits/lacking-follow-up",
                      params={"cursor": everyone["next_cursor"], "limit": 10}).json()
    assert len(rest["items"]) == 2
    assert_problem(client.get("/v1/visits/lacking-follow-up", headers=REP), 403)
