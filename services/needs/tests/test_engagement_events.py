"""What needs publishes so that engagement can follow through: the MAN advice of an
opportunity, each step a complaining customer is told about, and a goal reached."""
from guanxi_testing.fixtures import auth


def test_man_advice_is_published_on_create_and_when_an_answer_changes(client, kit, customer):
    opp = client.post("/v1/opportunities", json={
        "customer_id": "c1", "title": "CRM rollout", "money": True, "authority": False,
        "need": True}, headers=auth("rep", sub="u-rep", team_id="t1")).json()
    assert kit.published("opportunity.qualified") == [{
        "id": opp["id"], "customer_id": "c1", "owner_id": "u-rep", "title": "CRM rollout",
        "stage": "prospecting", "money": True, "authority": False, "need": True,
        "recommended_action": "find_authority",
        "advice": "Contact, and find the person who has the authority to decide."}]
    url = f"/v1/opportunities/{opp['id']}"
    assert client.patch(url, json={"title": "CRM 2", "stage": "proposal"}).status_code == 200
    assert len(kit.published("opportunity.qualified")) == 1  # no MAN answer changed
    assert client.patch(url, json={"authority": False}).status_code == 200
    assert len(kit.published("opportunity.qualified")) == 1  # the same answer again
    assert client.patch(url, json={"money": False}).status_code == 200
    [_, second] = kit.published("opportunity.qualified")
    assert (second["title"], second["stage"], second["recommended_action"]) == (
        "CRM 2", "proposal", "nurture")


def test_each_notice_to_the_customer_is_published_with_its_step(client, kit, customer):
    complaint = client.post("/v1/complaints", json={
        "customer_id": "c1", "contact_id": "k1", "channel": "phone", "severity": "low",
        "summary": "Late delivery"}).json()
    cid = complaint["id"]
    client.post(f"/v1/complaints/{cid}/assign", json={"assignee_id": "u-service"})
    client.post(f"/v1/complaints/{cid}/notes", json={"text": "internal only",
                                                     "notify_customer": False})
    client.post(f"/v1/complaints/{cid}/notes", json={"text": "The parts arrive on Monday",
                                                     "notify_customer": True})
    client.post(f"/v1/complaints/{cid}/resolve", json={"resolution": "Delivered"})
    assert client.post(f"/v1/complaints/{cid}/close").status_code == 200
    told = kit.published("complaint.progress")
    assert [(e["step"], e["complaint_id"], e["customer_id"], e["contact_id"]) for e in told] == [
        (step, cid, "c1", "k1")
        for step in ("received", "assigned", "next_step", "resolved", "closed")]
    assert told[2]["text"] == "The parts arrive on Monday"
    assert told[3]["text"] == "Resolution: Delivered"
    assert told[4]["text"].startswith("Your complaint is closed. How satisfied are you")
    assert len({e["notice_id"] for e in told}) == 5
    log = client.get(f"/v1/complaints/{cid}").json()["log"]
    assert [e["text"] for e in log if e["kind"] == "notified"] == [e["text"] for e in told]


def test_a_goal_reached_is_published_once(client, kit, customer):
    goal = client.post("/v1/expectations", json={
        "customer_id": "c1", "goal_kind": "staged", "stage_no": 2, "goal": "Second branch live"
    }).json()
    url = f"/v1/expectations/{goal['id']}/checks"
    assert client.post(url, json={"checked_on": "2026-11-20", "result": "half way"}
                       ).status_code == 201
    assert kit.published("expectation.reached") == []
    assert client.post(url, json={"checked_on": "2026-11-23", "result": "120 orders",
                                  "reached": True}).status_code == 201
    assert client.post(url, json={"checked_on": "2026-11-24", "result": "still fine",
                                  "reached": True}).status_code == 201
    [reached] = kit.published("expectation.reached")
    assert {k: reached[k] for k in ("id", "customer_id", "goal_kind", "stage_no", "goal",
                                    "result", "reached_on")} == {
        "id": goal["id"], "customer_id": "c1", "goal_kind": "staged", "stage_no": 2,
        "goal": "Second branch live", "result": "120 orders", "reached_on": "2026-11-23"}
