"""Event-driven flows: thanks after a purchase and for a referral, asking for referrals, at-risk
revisits, MAN advice, complaint progress, goals reached and departures. Each acts once per
fact: the same event delivered twice, or a second event about the same fact, adds nothing."""
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from guanxi_testing.fixtures import assert_problem, auth

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def deliver(client, event_type: str, data: dict, event_id: str | None = None,
            source: str = "registry") -> dict:
    """One event as a publisher's dispatcher posts it; returns the batch result."""
    event = {"id": event_id or uuid.uuid4().hex, "type": event_type, "source": source,
             "occurred_at": "2027-03-02T00:00:00Z", "data": data, "attempt": 1}
    resp = client.post("/v1/events", json={"events": [event]}, headers=auth("service", "svc"))
    assert resp.status_code == 200, resp.text
    return resp.json()


def tasks(client, **params) -> list[dict]:
    resp = client.get("/v1/tasks", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def purchase(pid="o1", cid="c1", on="2027-03-02", amount="100.00") -> dict:
    return {"id": pid, "customer_id": cid, "amount": amount, "purchased_on": on,
            "currency": "CNY"}


# --- 4. thanks --------------------------------------------------------------------------------

def customer_with_thanks(api) -> None:
    """Customer c1 with contact p1, and a rule that thanks for each purchase (logged)."""
    api.customer()
    api.contact()
    api.rule(trigger="purchase_thanks", channel="log")


def test_a_purchase_recorded_after_the_morning_run_is_thanked_once(api, client, provider):
    api.customer()
    api.contact("p1", wechat="wx-p1")
    api.contact("p2", left_on="2026-12-01")  # left: not thanked
    api.rule(trigger="purchase_thanks", channel="wechat", kind="greeting")
    with time_machine.travel(at(2027, 3, 2, 15, 30), tick=False):
        event_id = uuid.uuid4().hex
        assert deliver(client, "purchase.recorded", purchase(), event_id)["applied"] == 1
        assert deliver(client, "purchase.recorded", purchase(), event_id)["duplicates"] == 1
        assert deliver(client, "purchase.recorded", purchase())["applied"] == 1  # same purchase
        [message] = api.messages()
        assert (message["contact_id"], message["status"], message["occurs_on"]) == (
            "p1", "pending", "2027-03-02")
        assert message["send_after"].startswith("2027-03-02T07:30:00")  # now: window is open
        assert api.run("2027-03-02")["sent"] == {"sent": 1}
    assert [s["to"] for s in provider.sent] == ["wx-p1"]


def test_a_purchase_recorded_before_dawn_waits_for_the_greeting_hour(api, client):
    customer_with_thanks(api)
    with time_machine.travel(at(2027, 3, 2, 7, 0), tick=False):
        deliver(client, "purchase.recorded", purchase())
        [message] = api.messages()
        assert message["send_after"].startswith("2027-03-02T01:00:00")  # 09:00 in Shanghai
        assert api.run("2027-03-02")["sent"] == {}
    with time_machine.travel(at(2027, 3, 2, 9, 1), tick=False):
        assert api.run("2027-03-02")["sent"] == {"sent": 1}


def test_thanks_respect_consent_and_the_daily_greeting_cap(api, client):
    api.customer()
    api.contact("p1")
    api.contact("p2")
    assert client.put("/v1/consents", json={"contact_id": "p2", "channel": "sms",
                                            "granted": False}).status_code == 200
    api.rule(trigger="purchase_thanks", channel="sms")
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "purchase.recorded", purchase("o1"))
        deliver(client, "purchase.recorded", purchase("o2", on="2027-03-01"))
        result = api.run("2027-03-02")
    # p1 is greeted once (the second thanks hits the cap); p2 opted out of SMS
    assert result["sent"] == {"sent": 1, "blocked": 3}
    reasons = sorted(m["reason"] for m in api.messages(status="blocked"))
    assert reasons == ["contact opted out of sms", "contact opted out of sms",
                       "frequency cap: already greeted today"]


def test_refunds_and_old_purchases_are_not_thanked(api, client):
    customer_with_thanks(api)
    api.rule(trigger="purchase_thanks", channel="call")
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "purchase.recorded", purchase("o1", amount="-50.00"))
        deliver(client, "purchase.recorded", purchase("o2", on="2026-01-05"))  # an import
        assert api.messages() == [] and tasks(client) == []
        deliver(client, "purchase.recorded", purchase("o3", on="2027-02-20"))  # 10 days late
    assert len(api.messages()) == 1
    [task] = tasks(client)
    assert task["assignee_id"] == "rep-1" and task["title"].startswith("rule: 100.00 CNY")


def test_the_daily_run_no_longer_thanks_from_its_own_snapshot(api, client):
    customer_with_thanks(api)
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "purchase.recorded", purchase())
        assert api.run("2027-03-02")["created"] == 0
    assert len(api.messages()) == 1


def test_a_referred_customers_first_purchase_thanks_the_referrer_once(api, client):
    api.customer("c1", owner="rep-9")  # the referrer
    api.customer("c2", owner="rep-2")
    api.contact("p1", "c1", wechat="wx-p1")
    api.contact("p9", "c1")
    api.rule(trigger="referrer_thanks", channel="wechat")
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "referral.recorded", {"id": "r1", "referrer_customer_id": "c1",
                                              "referrer_contact_id": "p1",
                                              "referred_customer_id": "c2"})
        assert tasks(client) == []  # nothing bought yet
        first = uuid.uuid4().hex
        deliver(client, "purchase.recorded", purchase("o1", "c2"), first)
        deliver(client, "purchase.recorded", purchase("o1", "c2"), first)
        deliver(client, "purchase.recorded", purchase("o1", "c2"))
        deliver(client, "purchase.recorded", purchase("o2", "c2"))  # not the first
    [task] = tasks(client)
    assert (task["customer_id"], task["assignee_id"], task["rule_id"], task["contact_id"]) == (
        "c1", "rep-9", "referrer_thanks", "p1")
    assert task["title"] == "Thank Contact p1 for referring Customer c2 (first purchase " \
                            "2027-03-02)"
    [message] = api.messages()
    assert (message["contact_id"], message["channel"]) == ("p1", "wechat")


def test_a_referral_recorded_after_the_first_purchase_still_thanks(api, client):
    api.customer("c1")
    api.customer("c2")
    api.rule(trigger="referrer_thanks", channel="gift")  # the rule's task replaces the call
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "purchase.recorded", purchase("o1", "c2"))
        referral = {"id": "r1", "referrer_customer_id": "c1", "referred_customer_id": "c2"}
        deliver(client, "referral.recorded", referral)
        deliver(client, "referral.recorded", referral)
    [task] = tasks(client)
    assert (task["customer_id"], task["kind"], task["title"]) == ("c1", "gift",
                                                                 "rule: Customer c2")


def test_the_referrer_is_found_from_the_purchase_event_too(api, client):
    api.customer("c1")
    api.customer("c2")
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "purchase.recorded", {**purchase("o1", "c2"),
                                              "referrer_customer_id": "c1"})
    [task] = tasks(client, rule_id="referrer_thanks")
    assert task["customer_id"] == "c1" and task["assignee_id"] == "rep-1"


# --- 5. asking for referrals ------------------------------------------------------------------

def test_won_or_delighted_customers_are_asked_for_introductions_once_per_period(api, client):
    api.customer("c1", owner="rep-1")
    api.customer("c2", owner="rep-2")
    won = {"id": "opp1", "customer_id": "c1", "amount": "975.00", "currency": "CNY",
           "won_on": "2027-03-02", "title": "5G 基站"}
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        event_id = uuid.uuid4().hex
        deliver(client, "opportunity.won", won, event_id, source="needs")
        deliver(client, "opportunity.won", won, event_id, source="needs")
        deliver(client, "satisfaction.scored", {"customer_id": "c1", "expected": "8",
                                                "experienced": "9", "scored_on": "2027-03-02"},
                source="needs")
        deliver(client, "satisfaction.scored", {"customer_id": "c2", "expected": "9",
                                                "experienced": "8", "scored_on": "2027-03-02"},
                source="needs")  # 88.9: not satisfied, no ask
    [task] = tasks(client, rule_id="referral_ask")
    assert (task["customer_id"], task["assignee_id"], task["due_on"]) == ("c1", "rep-1",
                                                                          "2027-03-02")
    assert task["title"] == "Ask Customer c1 for introductions (转介绍): won 5G 基站"
    resp = client.patch("/v1/policies/flows", json={"referral_ask_every_days": 30})
    assert resp.status_code == 200, resp.text
    with time_machine.travel(at(2027, 3, 31, 10), tick=False):  # 29 days on: still asked
        deliver(client, "satisfaction.scored", {"customer_id": "c1", "expected": "5",
                                                "experienced": "5", "scored_on": "2027-03-31"},
                source="needs")
    assert len(tasks(client, rule_id="referral_ask")) == 1
    with time_machine.travel(at(2027, 4, 2, 10), tick=False):  # 31 days on: ask again
        deliver(client, "satisfaction.scored", {"customer_id": "c1", "expected": "5",
                                                "experienced": "5", "scored_on": "2027-04-02"},
                source="needs")
    asked = tasks(client, rule_id="referral_ask")
    assert sorted(t["due_on"] for t in asked) == ["2027-03-02", "2027-04-02"]
    assert "satisfaction 100" in asked[-1]["title"] or "satisfaction 100" in asked[0]["title"]


# --- 6. at risk -------------------------------------------------------------------------------

def test_one_revisit_task_per_at_risk_episode_from_either_event(api, client):
    api.customer("c1", owner="rep-1")
    segment = {"customer_id": "c1", "segment": "at_risk", "tier": "B", "at_risk": True,
               "at_risk_reasons": ["no purchase for 3x the usual gap"]}
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        event_id = uuid.uuid4().hex
        deliver(client, "segment.changed", segment, event_id, source="segmentation")
        deliver(client, "segment.changed", segment, event_id, source="segmentation")
        deliver(client, "segment.changed", {**segment, "tier": "C"}, source="segmentation")
        deliver(client, "customer.at_risk", {
            "customer_id": "c1", "owner_id": "rep-1", "team_id": "team-1",
            "reasons": ["invoice overdue > 30 days"], "since": "2027-03-02"},
            source="segmentation")
        # segmentation's own flag clears, retention's episode goes on
        deliver(client, "segment.changed", {**segment, "at_risk": False, "at_risk_reasons": []},
                source="segmentation")
        deliver(client, "customer.at_risk", {
            "customer_id": "c1", "owner_id": "rep-1", "team_id": "team-1",
            "reasons": ["invoice overdue > 30 days"], "since": "2027-03-02"},
            source="segmentation")
    [task] = tasks(client, rule_id="at_risk_revisit")
    assert (task["assignee_id"], task["due_on"]) == ("rep-1", "2027-03-04")
    assert task["title"] == ("Revisit Customer c1: at risk (no purchase for 3x the usual gap; "
                             "invoice overdue > 30 days)")
    with time_machine.travel(at(2027, 4, 1, 10), tick=False):
        deliver(client, "customer.recovered", {"customer_id": "c1", "since": "2027-04-01"},
                source="segmentation")
        deliver(client, "customer.at_risk", {  # a late copy of the old episode's event
            "customer_id": "c1", "owner_id": "rep-1", "team_id": "team-1",
            "reasons": ["invoice overdue > 30 days"], "since": "2027-03-02"},
            source="segmentation")
        assert len(tasks(client, rule_id="at_risk_revisit")) == 1
    with time_machine.travel(at(2027, 6, 1, 10), tick=False):  # a new episode
        deliver(client, "customer.at_risk", {
            "customer_id": "c1", "owner_id": "rep-3", "team_id": "team-1",
            "reasons": ["relationship balance negative"], "since": "2027-06-01"},
            source="segmentation")
    second = [t for t in tasks(client, rule_id="at_risk_revisit") if t["id"] != task["id"]]
    assert [(t["assignee_id"], t["title"]) for t in second] == [
        ("rep-3", "Revisit Customer c1: at risk (relationship balance negative)")]


def test_segment_flag_alone_opens_and_closes_episodes(api, client):
    api.customer("c1")
    flag = {"customer_id": "c1", "segment": "hibernating", "tier": "C", "at_risk": True,
            "at_risk_reasons": ["monetary trend down 50%"]}
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "segment.changed", flag, source="segmentation")
    with time_machine.travel(at(2027, 3, 9, 10), tick=False):
        deliver(client, "segment.changed", {**flag, "at_risk": False}, source="segmentation")
    with time_machine.travel(at(2027, 5, 9, 10), tick=False):
        deliver(client, "segment.changed", flag, source="segmentation")
    assert sorted(t["due_on"] for t in tasks(client, rule_id="at_risk_revisit")) == [
        "2027-03-04", "2027-05-11"]


# --- 6. MAN advice ----------------------------------------------------------------------------

def qualified(advice: str, **extra) -> dict:
    return {"id": "opp1", "customer_id": "c1", "owner_id": "rep-7", "title": "ERP 升级",
            "money": True, "authority": False, "need": True, "recommended_action": advice,
            "stage": "qualifying", **extra}


def test_man_advice_creates_its_follow_up_tasks_once(api, client):
    api.customer("c1")
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        event_id = uuid.uuid4().hex
        deliver(client, "opportunity.qualified", qualified("find_authority"), event_id, "needs")
        deliver(client, "opportunity.qualified", qualified("find_authority"), event_id, "needs")
        deliver(client, "opportunity.qualified", qualified("find_authority"), source="needs")
    [find] = tasks(client, recommendation="find_authority")
    assert (find["assignee_id"], find["title"], find["rule_id"]) == (
        "rep-7", "Find the decision maker: ERP 升级", "man:find_authority")
    with time_machine.travel(at(2027, 3, 5, 10), tick=False):
        deliver(client, "opportunity.qualified", qualified("nurture", money=False),
                source="needs")
    nurture = tasks(client, recommendation="nurture")
    assert sorted(t["due_on"] for t in nurture) == ["2027-03-05", "2027-04-04", "2027-05-04"]
    [find] = tasks(client, recommendation="find_authority")
    assert find["status"] == "done" and find["outcome"].startswith("Superseded")
    with time_machine.travel(at(2027, 3, 6, 10), tick=False):
        deliver(client, "opportunity.qualified", qualified("check_finances"), source="needs")
        deliver(client, "opportunity.won", {"id": "opp1", "customer_id": "c1",
                                            "amount": "10.00", "currency": "CNY",
                                            "won_on": "2027-03-06", "title": "ERP 升级"},
                source="needs")
    assert {t["status"] for t in tasks(client, rule_id="man:check_finances")} == {"done"}
    assert tasks(client, recommendation="nurture", status="open") == []
    resp = client.get("/v1/tasks", params={"recommendation": "maybe"})
    assert_problem(resp, 422)


def test_a_closed_or_hopeless_opportunity_gets_no_tasks(api, client):
    api.customer("c1")
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "opportunity.qualified", qualified("not_a_customer"), source="needs")
        deliver(client, "opportunity.qualified", qualified("ideal_prospect", stage="won"),
                source="needs")
    assert tasks(client) == []


# --- 6. complaints and goals ------------------------------------------------------------------

def progress(step: str, notice_id: int, text: str, contact_id="p1") -> dict:
    return {"complaint_id": "cmp1", "customer_id": "c1", "contact_id": contact_id,
            "step": step, "text": text, "notice_id": notice_id, "at": "2027-03-02T02:00:00Z"}


def test_complaint_progress_reaches_the_complaining_contact(api, client, provider):
    api.customer("c1")
    api.contact("p1", wechat="wx-p1")
    api.contact("p2")
    assert client.put("/v1/consents", json={"contact_id": "p1", "channel": "wechat",
                                            "granted": False}).status_code == 200
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        event_id = uuid.uuid4().hex
        deliver(client, "complaint.progress", progress("received", 1, "We received it"),
                event_id, "needs")
        deliver(client, "complaint.progress", progress("received", 1, "We received it"),
                event_id, "needs")
        deliver(client, "complaint.progress", progress("received", 1, "We received it"),
                source="needs")
        deliver(client, "complaint.progress", progress("resolved", 2, "Resolution: refund"),
                source="needs")
        deliver(client, "complaint.progress", progress("closed", 3, "Closed. How satisfied are you?"), source="needs")
        deliver(client, "complaint.progress", progress("closed", 4, "x", None), source="needs")
        assert api.run("2027-03-02")["sent"] == {"sent": 3}
    messages = sorted(api.messages(), key=lambda m: m["rule_id"])
    assert [(m["contact_id"], m["channel"], m["kind"], m["occasion"]) for m in messages] == [
        ("p1", "sms", "service", "complaint_received"),
        ("p1", "sms", "service", "complaint_resolved"),
        ("p1", "sms", "service", "complaint_closed")]
    assert messages[2]["body"] == "Closed. How satisfied are you?"
    assert [s["to"] for s in provider.sent] == ["13800000000"] * 3


def test_a_reached_goal_is_reported_to_the_decision_makers(api, client):
    api.customer("c1")
    api.contact("p1", role="decision_maker")
    api.contact("p2", role="supporter")
    reached = {"id": "g1", "customer_id": "c1", "goal_kind": "staged", "stage_no": 2,
               "goal": "CRM 上线", "result": "按期上线", "reached_on": "2027-03-02",
               "check_id": 7}
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        deliver(client, "expectation.reached", reached, source="needs")
        deliver(client, "expectation.reached", reached, source="needs")
    [message] = api.messages()
    assert message["contact_id"] == "p1" and message["kind"] == "service"
    assert message["body"] == ("Progress report: stage 2 of 'CRM 上线' was reached on "
                               "2027-03-02. 按期上线")


# --- 6. a contact who leaves ------------------------------------------------------------------

def test_a_departure_gives_two_tasks_once(api, client):
    api.customer("c1", owner="rep-4")
    api.contact("p1", role="decision_maker")
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):
        left = {"id": "p1", "customer_id": "c1", "name": "王总", "role": "decision_maker",
                "job_title": "CIO", "left_on": "2027-03-01", "went_to": "华为"}
        event_id = uuid.uuid4().hex
        deliver(client, "contact.changed", left, event_id)
        deliver(client, "contact.changed", left, event_id)
        deliver(client, "contact.changed", {**left, "wechat": "wx-wang"})  # same departure
        deliver(client, "contact.changed", {"id": "p2", "customer_id": "c1", "name": "老李",
                                            "left_on": "2025-01-01"})  # long ago: recorded late
    found = sorted(tasks(client), key=lambda t: t["rule_id"])
    assert [(t["rule_id"], t["assignee_id"], t["contact_id"], t["title"]) for t in found] == [
        ("contact_left", "rep-4", "p1", "送一程: keep in touch with 王总 at 华为"),
        ("find_successor", "rep-4", None, "Find the successor of 王总 (CIO, decision_maker) "
                                          "at Customer c1")]


# --- the policy ---------------------------------------------------------------------------------

def test_flow_policy_is_read_by_all_and_set_by_managers(client):
    resp = client.get("/v1/policies/flows", headers=auth("rep", "rep-1"))
    assert resp.status_code == 200 and resp.json()["referral_ask_every_days"] == 90
    assert_problem(client.patch("/v1/policies/flows", json={"nurture_touches": 2},
                                headers=auth("rep", "rep-1")), 403)
    assert_problem(client.patch("/v1/policies/flows", json={"nurture_touches": None}), 422)
    assert_problem(client.patch("/v1/policies/flows", json={"late_fact_days": -1}), 422)
    assert_problem(client.patch("/v1/policies/flows",
                                json={"service_channels": ["sms", "sms"]}), 422)
    assert_problem(client.patch("/v1/policies/flows", json={"service_channels": ["fax"]}), 422)
    assert_problem(client.patch("/v1/policies/flows", json={"surprise": 1}), 422)
    etag = resp.headers["etag"]
    ok = client.patch("/v1/policies/flows", json={"service_channels": ["email", "log"]},
                      headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.json()["service_channels"] == ["email", "log"]
    assert_problem(client.patch("/v1/policies/flows", json={"nurture_touches": 2},
                                headers={"If-Match": etag}), 412)


def test_thanks_wait_for_the_configured_greeting_hour(client_with, api_of):
    with client_with(greeting_hour=11) as client:
        api = api_of(client)
        customer_with_thanks(api)
        with time_machine.travel(at(2027, 3, 2, 10, 15), tick=False):
            deliver(client, "purchase.recorded", purchase())
        [message] = api.messages()
        assert message["send_after"].startswith("2027-03-02T03:00:00")  # 11:00 in Shanghai
