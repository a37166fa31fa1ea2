"""The rep's agenda across the services: tasks, care steps and promises in one answer."""
import httpx

from guanxi_testing.fixtures import assert_problem

from .conftest import user_headers

STEP = {"id": "s1", "customer_id": "c1", "title": "到货回访", "due_on": "2027-03-01"}
PROMISE = {"id": "k1", "customer_id": "c1", "promise": "寄样品", "due_on": "2027-02-27"}


def fill(services):
    services.json("engagement", "GET", "/v1/agenda", {
        "assignee_id": "rep", "start": "2027-03-01", "end": "2027-03-07", "items": [],
        "birthdays": []})
    services.json("needs", "GET", "/v1/care-steps", {"items": [STEP], "next_cursor": None})
    services.json("needs", "GET", "/v1/commitments", {"items": [PROMISE], "next_cursor": None})


def asked(services, host: str) -> dict:
    return dict(next(r for r in services.seen if r.url.host == host).url.params)


def test_a_week_asks_each_service_for_the_reps_open_items_due_by_its_end(client, services):
    fill(services)
    rep_id, rep = user_headers(client, "rep")
    resp = client.get("/api/v1/agenda", params={"on": "2027-03-01", "span": "week"},
                      headers=rep)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["start"], body["end"], body["partial"]) == ("2027-03-01", "2027-03-07", False)
    assert body["care_steps"] == [STEP] and body["promises"] == [PROMISE]
    assert body["assignee_id"] == rep_id
    assert asked(services, "engagement.test") == {"assignee_id": rep_id, "on": "2027-03-01",
                                                  "span": "week", "limit": "200"}
    steps = [dict(r.url.params) for r in services.seen if r.url.path == "/v1/care-steps"]
    promises = [dict(r.url.params) for r in services.seen if r.url.path == "/v1/commitments"]
    assert steps == [{"status": "open", "due_to": "2027-03-07", "limit": "200",
                      "owner_id": rep_id}]
    assert promises == [{"status": "open", "due_to": "2027-03-07", "limit": "200",
                         "owner_id": rep_id}]


def test_needs_down_leaves_the_tasks_and_says_what_is_missing(client, services):
    fill(services)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    services.on("needs", "GET", "/v1/care-steps", down)
    services.on("needs", "GET", "/v1/commitments", down)
    body = client.get("/api/v1/agenda", params={"assignee_id": "rep-9"}).json()
    assert body["partial"] is True and body["unavailable"] == ["care_steps", "promises"]
    assert body["care_steps"] is None and body["tasks"]["items"] == []


def test_an_odd_day_is_a_422(client, services):
    assert_problem(client.get("/api/v1/agenda", params={"on": "tomorrow"}), 422)
    assert_problem(client.get("/api/v1/agenda", params={"span": "month"}), 422)
