"""touch.recorded: a completed task or visit, a delivered message and a logged gift each
publish one touch (docs/events.md); what is not done yet publishes nothing."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanxi_testing.fixtures import auth, published

REP = auth("rep", "rep-1")


@pytest.fixture
def client(client_with):
    with client_with(subscribers="segmentation=http://127.0.0.1:9") as c:
        yield c


def test_done_tasks_visits_sent_messages_and_gifts_are_touches(api, client):
    api.customer("c1", owner="rep-1")
    api.contact("p1", "c1")
    task = client.post("/v1/tasks", json={"customer_id": "c1", "contact_id": "p1",
                                          "kind": "wechat", "title": "Ask about the launch",
                                          "due_on": "2027-02-01"}).json()
    assert published(client, "touch.recorded") == []  # planned: not a touch
    client.post(f"/v1/tasks/{task['id']}/complete", json={"outcome": "Interested"}, headers=REP)
    client.post(f"/v1/tasks/{task['id']}/complete", json={"outcome": "again"})  # 409
    visit = client.post("/v1/visits", headers=REP, json={
        "customer_id": "c1", "contact_id": "p1", "purpose": "bond",
        "appointment_at": "2020-02-05T02:00:00Z"}).json()
    client.post(f"/v1/visits/{visit['id']}/complete", headers=REP,
                json={"result": "Good", "no_follow_up_reason": "Courtesy call"})
    tea = client.post("/v1/gifts", json={"name": "Longjing tea", "category": "tea",
                                         "cost": "500.00"}).json()
    given = client.post("/v1/gifts/log", json={"gift_id": tea["id"], "customer_id": "c1",
                                               "contact_id": "p1", "given_on": "2020-06-01"})
    client.post("/v1/gifts/log", json={"gift_id": tea["id"], "customer_id": "c1",
                                       "given_on": "2999-01-01"})  # a plan: not a touch yet
    api.rule(trigger="holiday", occasion="mid_autumn", channel="sms")
    with time_machine.travel(datetime(2027, 9, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        api.run("2027-09-15")
    message = api.messages()[0]
    assert message["status"] == "sent"
    found = published(client, "touch.recorded")
    assert [(t["kind"], t["source_id"], t["customer_id"], t["contact_id"]) for t in found] == [
        ("message", task["id"], "c1", "p1"),  # a WeChat task done is a message
        ("visit", visit["id"], "c1", "p1"),
        ("gift", given.json()["id"], "c1", "p1"),
        ("message", message["id"], "c1", "p1")]
    assert found[1]["at"] == "2020-02-05T02:00:00+00:00"  # when the visit took place
    assert found[2]["at"] == "2020-06-01T12:00:00+08:00"  # noon of the day it was given
    assert datetime.fromisoformat(found[3]["at"]) == datetime(2027, 9, 15, 2, tzinfo=UTC)


def test_the_context_shows_the_last_touch(api, client):
    api.customer("c2", owner="rep-1")
    api.contact("p2", "c2")
    context = client.get("/v1/customers/c2/context", headers=REP).json()
    assert (context["last_touch_on"], context["last_touch_kind"]) == (None, None)
    tea = client.post("/v1/gifts", json={"name": "Longjing tea", "category": "tea",
                                         "cost": "500.00"}).json()
    client.post("/v1/gifts/log", json={"gift_id": tea["id"], "customer_id": "c2",
                                       "given_on": "2020-06-01"})
    client.post("/v1/gifts/log", json={"gift_id": tea["id"], "customer_id": "c2",
                                       "given_on": "2999-01-01"})  # a plan: not a touch yet
    context = client.get("/v1/customers/c2/context", headers=REP).json()
    assert (context["last_touch_on"], context["last_touch_kind"]) == ("2020-06-01", "gift")
    task = client.post("/v1/tasks", json={"customer_id": "c2", "contact_id": "p2",
                                          "kind": "call", "title": "How is the drive?",
                                          "due_on": "2027-02-01"}).json()
    client.post(f"/v1/tasks/{task['id']}/complete", json={"outcome": "Happy"}, headers=REP)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    context = client.get("/v1/customers/c2/context", headers=REP).json()
    assert (context["last_touch_on"], context["last_touch_kind"]) == (today, "call")
