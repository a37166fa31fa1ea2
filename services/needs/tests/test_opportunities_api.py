"""Opportunities: MAN advice, protection period and pool, won/lost events, pipeline."""
from datetime import UTC, datetime, timedelta

import time_machine

from guanxi_needs.jobs import housekeeping
from guanxi_testing.fixtures import assert_problem, auth

REP = auth("rep", sub="u-rep", team_id="t1")
TEAMMATE = auth("rep", sub="u-mate", team_id="t1")


def open_opp(client, headers=None, **fields):
    body = {"customer_id": "c1", "title": "CRM rollout", "money": True, "authority": False,
            "need": True, "authority_evidence": "the buyer reports to the CFO",
            "expected_amount": "100000.00", "stage": "proposal", **fields}
    resp = client.post("/v1/opportunities", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_from_a_need_with_man_advice_and_decision_route(client, kit, customer):
    kit.add_customer("c2")
    kit.send_event("contact.changed", {"id": "k1", "customer_id": "c1", "name": "Li Lei",
                                       "role": "decision_maker"})
    kit.send_event("contact.changed", {"id": "k8", "customer_id": "c2", "name": "Wang"})
    need = client.post("/v1/needs", json={"customer_id": "c1", "need_class": "product",
                                          "source": "sales", "description": "CRM"}).json()
    opp = open_opp(client, headers=REP, customer_id=None, need_id=need["id"],
                   decision_route=[{"contact_id": "k1", "role": "decision_maker"},
                                   {"contact_id": "k2", "role": "opponent"}],
                   competitors=["Rival Soft"], budget="120000", purchase_period="Q1 2027")
    assert opp["customer_id"] == "c1" and opp["owner_id"] == "u-rep"
    assert opp["recommended_action"] == "find_authority"
    assert opp["probability"] == "0.50" and not opp["in_pool"]
    assert opp["decision_route"][1] == {"contact_id": "k2", "role": "opponent"}
    assert_problem(client.post("/v1/opportunities", json={
        "title": "x", "money": True, "authority": True, "need": True}), 422)
    body = assert_problem(client.patch(f"/v1/opportunities/{opp['id']}", json={
        "decision_route": [{"contact_id": "k8", "role": "supporter"}]}), 422)
    assert "k8" in body["detail"]


def test_edit_moves_the_stage_and_refuses_closing_without_a_reason(client, customer):
    opp = open_opp(client)
    etag = client.get(f"/v1/opportunities/{opp['id']}").headers["etag"]
    edited = client.patch(f"/v1/opportunities/{opp['id']}", headers={"If-Match": etag}, json={
        "stage": "negotiation", "expected_close_on": "2027-02-01", "budget": "90000.00",
        "decision_route": [{"contact_id": "k9", "role": "leader"}], "authority": True})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["stage"], body["probability"], body["expected_close_on"]) == (
        "negotiation", "0.75", "2027-02-01")
    assert body["budget"] == "90000.00" and body["recommended_action"] == "ideal_prospect"
    assert_problem(client.patch(f"/v1/opportunities/{opp['id']}", headers={"If-Match": etag},
                                json={"title": "stale"}), 412)
    assert_problem(client.patch(f"/v1/opportunities/{opp['id']}", json={"stage": "won"}), 409)


def test_protection_period_returns_an_idle_opportunity_to_the_pool(client, customer):
    start = datetime.now(UTC) - timedelta(days=40)
    with time_machine.travel(start, tick=False):
        opp = open_opp(client, headers=auth("rep", sub="u-rep", team_id="t1"),
                       protection_days=30)
    with time_machine.travel(start + timedelta(days=29), tick=False):
        held = client.get(f"/v1/opportunities/{opp['id']}", headers=auth()).json()
        assert held["owner_id"] == "u-rep" and not held["in_pool"]
        # a teammate does not even see a protected one; the manager cannot take it either
        assert_problem(client.get(f"/v1/opportunities/{opp['id']}",
                                  headers=auth("rep", sub="u-mate", team_id="t1")), 404)
        assert_problem(client.post(f"/v1/opportunities/{opp['id']}/claim",
                                   headers=auth("manager", sub="u-boss", team_id="t1")), 409)
    # at read time, before any job ran: owner cleared, visible in the team's pool
    late = client.get(f"/v1/opportunities/{opp['id']}").json()
    assert late["owner_id"] is None and late["in_pool"]
    pool = client.get("/v1/opportunities", params={"pool": True}, headers=TEAMMATE).json()
    assert [o["id"] for o in pool["items"]] == [opp["id"]]
    assert client.get("/v1/opportunities", params={"pool": True},
                      headers=auth("rep", sub="u-far", team_id="t9")).json()["items"] == []
    with client.app.state.sessions() as session:
        assert housekeeping(session)["returned_to_pool"] == 1
        assert housekeeping(session)["returned_to_pool"] == 0
    claimed = client.post(f"/v1/opportunities/{opp['id']}/claim", headers=TEAMMATE).json()
    assert claimed["owner_id"] == "u-mate" and not claimed["in_pool"]


def test_follow_up_renews_protection(client, customer):
    start = datetime.now(UTC) - timedelta(days=40)
    with time_machine.travel(start, tick=False):
        opp = open_opp(client, headers=auth(), protection_days=30)
    with time_machine.travel(start + timedelta(days=20), tick=False):
        client.post(f"/v1/opportunities/{opp['id']}/activities",
                    json={"kind": "visit", "note": "met the CFO"}, headers=auth())
    assert not client.get(f"/v1/opportunities/{opp['id']}").json()["in_pool"]
    stale = client.get("/v1/pipeline/stale", params={"days": 14}).json()["items"]
    assert [o["id"] for o in stale] == [opp["id"]]


def test_won_publishes_the_purchase_event_once(client, kit, customer):
    opp = open_opp(client)
    resp = client.post(f"/v1/opportunities/{opp['id']}/won",
                       json={"reason": "best service", "closed_on": "2026-11-20",
                             "amount": "98000.50"})
    assert resp.status_code == 200 and resp.json()["stage"] == "won"
    assert kit.published("opportunity.won") == [{
        "id": opp["id"], "customer_id": "c1", "amount": "98000.50", "currency": "CNY",
        "won_on": "2026-11-20", "title": "CRM rollout"}]
    again = client.post(f"/v1/opportunities/{opp['id']}/won", json={"reason": "again"})
    assert "already won" in assert_problem(again, 409)["detail"]
    assert_problem(client.post(f"/v1/opportunities/{opp['id']}/lost",
                               json={"reason": "x"}), 409)
    assert len(kit.published("opportunity.won")) == 1
    lost = open_opp(client, title="Second")
    client.post(f"/v1/opportunities/{lost['id']}/lost", json={"reason": "price"})
    assert kit.published("opportunity.lost") == [
        {"id": lost["id"], "customer_id": "c1", "reason": "price"}]


def test_pipeline_forecast_win_rate_and_cycle(client, customer):
    open_opp(client, stage="proposal", expected_amount="1000", expected_close_on="2026-12-10")
    open_opp(client, stage="negotiation", expected_amount="2000",
             expected_close_on="2027-01-05")
    with time_machine.travel(datetime(2026, 11, 1, 2, tzinfo=UTC), tick=False):
        won = open_opp(client, headers=auth())
        lost = open_opp(client, headers=auth())
    client.post(f"/v1/opportunities/{won['id']}/won",
                json={"reason": "fit", "closed_on": "2026-11-11"})
    client.post(f"/v1/opportunities/{lost['id']}/lost",
                json={"reason": "price", "closed_on": "2026-11-12"})
    by_stage = client.get("/v1/pipeline", params={"group_by": "stage"}).json()
    assert {(r["key"], r["opportunities"], r["weighted"]) for r in by_stage["rows"]} == {
        ("proposal", 1, "500.00"), ("negotiation", 1, "1500.00")}
    assert by_stage["weighted_forecast"] == "2000.00"
    assert by_stage["win_rate"] == 0.5 and by_stage["average_cycle_days"] == 10.0
    by_month = client.get("/v1/pipeline", params={"group_by": "month"}).json()
    assert [(r["key"], r["amount"]) for r in by_month["rows"]] == [
        ("2026-12", "1000.00"), ("2027-01", "2000.00")]
    by_owner = client.get("/v1/pipeline", params={"group_by": "owner"}).json()
    assert [(r["key"], r["opportunities"]) for r in by_owner["rows"]] == [("u-rep", 2)]


def test_the_support_team_sees_the_opportunity_and_others_do_not(client, customer):
    opp = open_opp(client, headers=REP, support_team=["u-engineer"])
    engineer = auth("rep", sub="u-engineer", team_id="t9")
    outsider = auth("rep", sub="u-other", team_id="t9")
    assert client.get(f"/v1/opportunities/{opp['id']}", headers=engineer).status_code == 200
    listed = client.get("/v1/opportunities", headers=engineer).json()["items"]
    assert [o["id"] for o in listed] == [opp["id"]]
    assert_problem(client.get(f"/v1/opportunities/{opp['id']}", headers=outsider), 404)
    assert client.get("/v1/opportunities", headers=outsider).json()["items"] == []
