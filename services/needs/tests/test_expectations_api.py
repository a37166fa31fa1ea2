"""Expectation management: staged goals reached and reported, satisfaction scored."""
from guanxi_testing.fixtures import assert_problem


def add_goal(client, **fields):
    body = {"customer_id": "c1", "goal_kind": "staged", "stage_no": 1,
            "goal": "Go live in the first branch", "expected_return": "orders in 1 day",
            "acceptance_criteria": "100 orders entered", **fields}
    resp = client.post("/v1/expectations", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_staged_goal_reached_is_reported_and_scores_publish(client, kit, customer):
    goal = add_goal(client)
    check = client.post(f"/v1/expectations/{goal['id']}/checks", json={
        "checked_on": "2026-11-20", "result": "80 orders", "expected_score": "80",
        "experienced_score": "72"})
    assert check.status_code == 201 and check.json()["reached_on"] is None
    assert check.json()["satisfaction_index"] == "90.0"
    assert check.json()["perception"] == "dissatisfied"
    reached = client.post(f"/v1/expectations/{goal['id']}/checks", json={
        "checked_on": "2026-11-23", "result": "120 orders", "reached": True,
        "expected_score": "80", "experienced_score": "96"}).json()
    assert reached["reached_on"] == "2026-11-23" and reached["reported_on"]
    assert reached["perception"] == "moved" and len(reached["checks"]) == 2
    listed = client.get("/v1/expectations", params={"reached": True}).json()["items"]
    assert [g["id"] for g in listed] == [goal["id"]]
    assert kit.published("satisfaction.scored") == [
        {"customer_id": "c1", "expected": "80", "experienced": "72", "scored_on": "2026-11-20"},
        {"customer_id": "c1", "expected": "80", "experienced": "96", "scored_on": "2026-11-23"}]


def test_goal_rules_and_if_match(client, customer):
    assert_problem(client.post("/v1/expectations", json={
        "customer_id": "c1", "goal_kind": "staged", "goal": "x"}), 422)
    goal = add_goal(client, goal_kind="ultimate", stage_no=None)
    assert_problem(client.post(f"/v1/expectations/{goal['id']}/checks",
                               json={"result": "x", "expected_score": "10"}), 422)
    etag = client.get(f"/v1/expectations/{goal['id']}").headers["etag"]
    assert client.patch(f"/v1/expectations/{goal['id']}", json={"safeguards": "weekly call"},
                        headers={"If-Match": etag}).status_code == 200
    assert_problem(client.patch(f"/v1/expectations/{goal['id']}", json={"safeguards": "y"},
                                headers={"If-Match": etag}), 412)


def test_null_goal_is_a_422_naming_it_and_changes_nothing(client, customer):
    """Issue 15: PATCH {"goal": null} was a 500."""
    goal = add_goal(client)
    body = assert_problem(client.patch(f"/v1/expectations/{goal['id']}", json={"goal": None}),
                          422)
    assert [e["loc"] for e in body["errors"]] == [["body", "goal"]]
    assert client.get(f"/v1/expectations/{goal['id']}").json()["goal"] == goal["goal"]
    cleared = client.patch(f"/v1/expectations/{goal['id']}", json={"solution": None})
    assert cleared.status_code == 200 and cleared.json()["solution"] is None
    assert client.get("/v1/expectations").status_code == 200
