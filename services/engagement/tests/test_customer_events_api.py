"""Customer events (VIP 联谊, 客户会): invitations to a segment or group, announced a week ahead
through the usual delivery, RSVPs within capacity, attendance as one touch per customer, and
follow-up tasks for those who came and those who accepted but did not."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanxi_testing.fixtures import assert_problem, auth, published


def rep():  # minted inside the frozen clock, so never expired
    return auth("rep", "rep-1", team_id="team-1")


def manager():
    return auth("manager", "mgr-1", team_id="team-1")

NOW = datetime(2027, 3, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))  # not in quiet hours


@pytest.fixture
def client(client_with):
    with time_machine.travel(NOW, tick=False), \
            client_with(subscribers="segmentation=http://127.0.0.1:9") as c:
        yield c


def seed(api):
    api.customer("c1", owner="rep-1", groups=[])
    api.contact("p1", "c1", role="decision_maker")
    api.contact("p2", "c1")
    api.contact("p3", "c1", left_on="2026-01-01")  # has left: not invited
    api.customer("c2", owner="rep-2", groups=["VIP"])
    api.contact("p4", "c2")
    api.customer("c3", owner="rep-1")
    api.contact("p5", "c3")
    api.customer("c4", owner="rep-1", status="lost")
    api.contact("p6", "c4")
    api.feed("segment.changed", {"customer_id": "c1", "segment": "champions", "tier": "top"})
    api.feed("segment.changed", {"customer_id": "c4", "segment": "champions", "tier": "top"})
    api.feed("segment.changed", {"customer_id": "c3", "segment": "hibernating", "tier": "low"})


def event(client, starts_at="2027-03-20T06:00:00Z", **extra):
    resp = client.post("/v1/customer-events", json={
        "name": "VIP 联谊会", "kind": "vip_gathering", "starts_at": starts_at,
        "location": "Shanghai", "channel": "sms",
        "invitation_text": "{name}，诚邀{customer}参加{event}（{date}）"} | extra)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_invitations_go_to_a_segment_and_a_group_a_week_ahead(api, client):
    seed(api)
    assert_problem(client.post("/v1/customer-events", headers=rep(), json={
        "name": "x", "kind": "other", "starts_at": "2027-03-20T06:00:00Z", "channel": "sms",
        "invitation_text": "x"}), 403)
    assert_problem(client.post("/v1/customer-events", json={
        "name": "x", "kind": "other", "starts_at": "2027-03-20T06:00:00Z",
        "ends_at": "2027-03-19T06:00:00Z", "channel": "sms", "invitation_text": "x"}), 422)
    vip = event(client)
    assert_problem(client.post(f"/v1/customer-events/{vip['id']}/invitations", json={}), 422)
    invited = client.post(f"/v1/customer-events/{vip['id']}/invitations",
                          json={"segments": ["champions"]})
    assert invited.status_code == 200, invited.text
    # c1's two current contacts; c4 is lost, p3 has left.
    assert invited.json() == {"invited": 2, "announce_after": "2027-03-13T06:00:00Z"}
    assert client.post(f"/v1/customer-events/{vip['id']}/invitations",
                       json={"groups": ["VIP"]}).json()["invited"] == 1
    again = client.post(f"/v1/customer-events/{vip['id']}/invitations",
                        json={"segments": ["champions"], "groups": ["VIP"]})
    assert again.json()["invited"] == 0  # everyone in both is already invited
    guests = client.get(f"/v1/customer-events/{vip['id']}/invitations").json()["items"]
    assert sorted((g["customer_id"], g["contact_id"], g["rsvp"], g["announcement"])
                  for g in guests) == [("c1", "p1", "pending", "pending"),
                                       ("c1", "p2", "pending", "pending"),
                                       ("c2", "p4", "pending", "pending")]
    # A rep sees their own customers' guests only.
    mine = client.get(f"/v1/customer-events/{vip['id']}/invitations", headers=rep()).json()
    assert {g["contact_id"] for g in mine["items"]} == {"p1", "p2"}
    counts = client.get(f"/v1/customer-events/{vip['id']}").json()["counts"]
    assert counts == {"invited": 3, "yes": 0, "no": 0, "maybe": 0, "pending": 3, "attended": 0}
    # The announcement is an ordinary message: due a week ahead, not before.
    assert api.run("2027-03-01")["sent"] == {}
    messages = api.messages(customer_id="c1")
    assert {m["send_after"] for m in messages} == {"2027-03-13T06:00:00Z"}
    assert "Contact p1，诚邀Customer c1参加VIP 联谊会（2027-03-20）" in {m["body"]
                                                                    for m in messages}


def test_an_invitation_inside_the_week_goes_now_with_consent_respected(api, client):
    seed(api)
    client.put("/v1/consents", json={"contact_id": "p2", "channel": "sms", "granted": False})
    soon = event(client, starts_at="2027-03-04T06:00:00Z")
    invited = client.post(f"/v1/customer-events/{soon['id']}/invitations",
                          json={"customer_ids": ["c1"], "roles": ["decision_maker"]}).json()
    assert invited == {"invited": 1, "announce_after": "2027-03-01T02:00:00Z"}
    client.post(f"/v1/customer-events/{soon['id']}/invitations", json={"customer_ids": ["c1"]})
    api.run("2027-03-01")
    status = {g["contact_id"]: g["announcement"] for g in client.get(
        f"/v1/customer-events/{soon['id']}/invitations").json()["items"]}
    assert status == {"p1": "sent", "p2": "blocked"}  # p2 opted out of SMS


def test_rsvp_within_capacity(api, client):
    seed(api)
    small = event(client, capacity=1)
    client.post(f"/v1/customer-events/{small['id']}/invitations",
                json={"customer_ids": ["c1", "c2"]})
    guests = {g["contact_id"]: g for g in client.get(
        f"/v1/customer-events/{small['id']}/invitations").json()["items"]}
    url = f"/v1/customer-events/{small['id']}/invitations"
    yes = client.post(f"{url}/{guests['p1']['id']}/rsvp", json={"answer": "yes"}, headers=rep())
    assert yes.status_code == 200 and yes.json()["rsvp"] == "yes" and yes.json()["rsvp_at"]
    assert_problem(client.post(f"{url}/{guests['p2']['id']}/rsvp", json={"answer": "yes"}), 409)
    assert client.post(f"{url}/{guests['p1']['id']}/rsvp",
                       json={"answer": "yes"}).status_code == 200  # the same yes again
    assert_problem(client.post(f"{url}/{guests['p4']['id']}/rsvp", json={"answer": "no"},
                               headers=rep()), 404)  # another rep's customer
    assert_problem(client.post(f"{url}/{guests['p2']['id']}/rsvp", json={"answer": "perhaps"}),
                   422)
    stale = client.post(f"{url}/{guests['p2']['id']}/rsvp", json={"answer": "no"},
                        headers={"If-Match": f'"{guests["p2"]["id"]}.0"'})
    assert_problem(stale, 412)
    assert client.post(f"{url}/{guests['p2']['id']}/rsvp",
                       json={"answer": "maybe"}).json()["rsvp"] == "maybe"
    counts = client.get(f"/v1/customer-events/{small['id']}").json()["counts"]
    assert (counts["yes"], counts["maybe"], counts["pending"]) == (1, 1, 1)


def test_attendance_is_one_touch_per_customer_with_follow_up_tasks(api, client):
    seed(api)
    future = event(client)
    client.post(f"/v1/customer-events/{future['id']}/invitations", json={"customer_ids": ["c1"]})
    some = client.get(f"/v1/customer-events/{future['id']}/invitations").json()["items"]
    assert_problem(client.post(f"/v1/customer-events/{future['id']}/attendance",
                               json={"invitation_ids": [some[0]["id"]]}), 409)  # not yet
    held = event(client, starts_at="2027-03-01T01:00:00Z", follow_up_days=2)
    client.post(f"/v1/customer-events/{held['id']}/invitations",
                json={"customer_ids": ["c1", "c2", "c3"]})
    guests = {g["contact_id"]: g["id"] for g in client.get(
        f"/v1/customer-events/{held['id']}/invitations").json()["items"]}
    url = f"/v1/customer-events/{held['id']}"
    client.post(f"{url}/invitations/{guests['p5']}/rsvp", json={"answer": "yes"})
    # A rep marks only their own customers' guests: p4 (rep-2's) is not theirs to mark.
    mine = client.post(f"{url}/attendance", headers=rep(),
                       json={"invitation_ids": [guests["p1"], guests["p4"]]})
    assert mine.json() == {"marked": 1, "touches": 1, "follow_up_tasks": 1}
    more = client.post(f"{url}/attendance",
                       json={"invitation_ids": [guests["p1"], guests["p2"], guests["p4"]]})
    assert more.json() == {"marked": 2, "touches": 1, "follow_up_tasks": 2}  # c1 touched once
    assert client.post(f"{url}/attendance", json={"invitation_ids": [guests["p2"]]}).json() \
        == {"marked": 0, "touches": 0, "follow_up_tasks": 0}
    found = [(t["kind"], t["customer_id"], t["contact_id"], t["source_id"])
             for t in published(client, "touch.recorded")]
    assert found == [("event", "c1", "p1", guests["p1"]), ("event", "c2", "p4", guests["p4"])]
    assert published(client, "touch.recorded")[0]["at"] == "2027-03-01T01:00:00+00:00"
    tasks = client.get("/v1/tasks", params={"due_from": "2027-03-03",
                                            "due_to": "2027-03-03"}).json()["items"]
    assert sorted((t["rule_id"], t["contact_id"], t["assignee_id"]) for t in tasks) == [
        ("event-follow-up", "p1", "rep-1"), ("event-follow-up", "p2", "rep-1"),
        ("event-follow-up", "p4", "rep-2")]
    # Held: p5 accepted and did not come: a call to share what they missed.
    etag = client.get(url).headers["etag"]
    done = client.patch(url, json={"status": "held"}, headers={"If-Match": etag})
    assert done.status_code == 200 and done.json()["counts"]["attended"] == 3
    tasks = client.get("/v1/tasks", params={"customer_id": "c3"}).json()["items"]
    assert [(t["rule_id"], t["contact_id"], t["due_on"]) for t in tasks] == [
        ("event-no-show", "p5", "2027-03-03")]
    assert_problem(client.post(f"{url}/invitations", json={"customer_ids": ["c1"]}), 409)


def test_a_cancelled_event_withdraws_its_announcements(api, client):
    seed(api)
    vip = event(client)
    client.post(f"/v1/customer-events/{vip['id']}/invitations", json={"customer_ids": ["c1"]})
    assert_problem(client.patch(f"/v1/customer-events/{vip['id']}", headers=rep(),
                                json={"status": "cancelled"}), 403)
    assert_problem(client.patch(f"/v1/customer-events/{vip['id']}", json={"name": None}), 422)
    cancelled = client.patch(f"/v1/customer-events/{vip['id']}", json={"status": "cancelled"},
                             headers=manager())
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert {(m["status"], m["reason"]) for m in api.messages(customer_id="c1")} == {
        ("blocked", "event cancelled")}
    assert_problem(client.post(f"/v1/customer-events/{vip['id']}/invitations",
                               json={"customer_ids": ["c1"]}), 409)
    listed = client.get("/v1/customer-events", params={"status": "cancelled"}).json()
    assert [e["id"] for e in listed["items"]] == [vip["id"]]
    assert_problem(client.get("/v1/customer-events/nope"), 404)
