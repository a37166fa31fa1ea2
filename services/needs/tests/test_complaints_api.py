"""Complaints: SLA per severity, escalation with a frozen clock, steps and notifications."""
from datetime import UTC, datetime, timedelta

import time_machine
from fastapi.testclient import TestClient

from guanxi_needs.jobs import housekeeping
from guanxi_needs.main import create_app
from guanxi_needs.settings import Settings
from guanxi_testing.fixtures import assert_problem, auth

OPENED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def open_complaint(client, severity="high", **fields):
    resp = client.post("/v1/complaints", json={
        "customer_id": "c1", "channel": "wechat", "severity": severity,
        "summary": "The delivery arrived broken", **fields}, headers=auth())
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_overdue_complaint_escalates_with_a_frozen_clock(client, customer):
    with time_machine.travel(OPENED, tick=False):
        complaint = open_complaint(client, severity="high")   # SLA 24 hours
        assert complaint["due_at"].startswith("2026-11-03T01:00:00")
    with time_machine.travel(OPENED + timedelta(hours=23, minutes=59), tick=False):
        assert not client.get(f"/v1/complaints/{complaint['id']}",
                              headers=auth()).json()["overdue"]
        with client.app.state.sessions() as session:
            assert housekeeping(session)["escalated"] == 0
    with time_machine.travel(OPENED + timedelta(hours=24, minutes=1), tick=False):
        late = client.get(f"/v1/complaints/{complaint['id']}", headers=auth()).json()
        assert late["overdue"] and late["escalated_at"] is None
        overdue = client.get("/v1/complaints", params={"overdue": True}, headers=auth())
        assert [c["id"] for c in overdue.json()["items"]] == [complaint["id"]]
        with client.app.state.sessions() as session:
            assert housekeeping(session)["escalated"] == 1
            assert housekeeping(session)["escalated"] == 0
        escalated = client.get(f"/v1/complaints/{complaint['id']}", headers=auth()).json()
        assert escalated["escalated_at"].startswith("2026-11-03T01:01")
        assert escalated["log"][-1]["kind"] == "escalated"


def test_sla_is_configurable_per_severity(database_url, kit):
    settings = Settings(database_url=database_url, run_background_jobs=False,
                        complaint_sla_hours={"low": 1, "medium": 1, "high": 1, "critical": 0.5})
    kit.add_customer()
    with TestClient(create_app(settings), headers=auth()) as other:
        with time_machine.travel(OPENED, tick=False):
            complaint = open_complaint(other, severity="critical")
    assert complaint["due_at"].startswith("2026-11-02T01:30:00")


def test_handling_keeps_the_customer_informed_and_raises_a_need(client, kit, customer):
    complaint = open_complaint(client, contact_id="k1")
    cid = complaint["id"]
    assert kit.published("complaint.opened")[0]["id"] == cid
    assert_problem(client.post(f"/v1/complaints/{cid}/close"), 409)
    client.post(f"/v1/complaints/{cid}/assign", json={"assignee_id": "u-service"})
    assigned = auth("rep", sub="u-service", team_id="t2")
    noted = client.post(f"/v1/complaints/{cid}/notes", headers=assigned,
                        json={"text": "The courier dropped it", "notify_customer": True})
    assert noted.json()["status"] == "investigating"
    client.post(f"/v1/complaints/{cid}/resolve", json={"resolution": "Replaced the sofa"})
    assert_problem(client.post(f"/v1/complaints/{cid}/satisfaction", json={"score": 5}), 409)
    closed = client.post(f"/v1/complaints/{cid}/close").json()
    assert closed["status"] == "closed" and kit.published("complaint.closed")[0]["id"] == cid
    rated = client.post(f"/v1/complaints/{cid}/satisfaction",
                        json={"score": 4, "note": "quick"}).json()
    assert rated["satisfaction"] == 4
    told = [e["text"] for e in rated["log"] if e["kind"] == "notified"]
    assert len(told) == 5 and told[2] == "The courier dropped it"
    need = client.post(f"/v1/complaints/{cid}/needs",
                       json={"description": "A sofa that can be taken apart"})
    assert need.status_code == 201
    assert need.json()["complaint_id"] == cid and need.json()["source"] == "service"
    assert_problem(client.post("/v1/complaints", json={
        "customer_id": "c1", "channel": "pigeon", "severity": "high", "summary": "x"}), 422)
