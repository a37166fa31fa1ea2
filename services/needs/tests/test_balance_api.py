"""The relationship balance (情感银行): policy weights, deposits and withdrawals from touches,
complaints, SLAs and expectation checks, each fact once; commitments that fall due withdraw."""
from datetime import UTC, date, datetime, timedelta

import time_machine

from guanxi_needs.jobs import housekeeping
from guanxi_shared.models import new_id, utcnow
from guanxi_testing.fixtures import assert_problem, auth


def rep():
    return auth("rep", sub="u-rep", team_id="t1")


def manager():
    return auth("manager", sub="u-boss", team_id="t1")


def touch(kit, kind, source_id, customer_id="c1", event_id=None):
    event = {"id": event_id or new_id(), "type": "touch.recorded", "source": "engagement",
             "occurred_at": utcnow().isoformat(),
             "data": {"customer_id": customer_id, "contact_id": None, "kind": kind,
                      "at": "2026-11-30T09:00:00+08:00", "source_id": source_id}}
    resp = kit.client.post("/v1/events", json={"events": [event]}, headers=auth())
    assert resp.status_code == 200, resp.text
    return resp.json()


def balance(client, customer_id="c1", headers=None):
    resp = client.get(f"/v1/customers/{customer_id}/balance", headers=headers or auth())
    assert resp.status_code == 200, resp.text
    return resp.json()


def history(client, customer_id="c1"):
    items = client.get(f"/v1/customers/{customer_id}/balance/history",
                       headers=auth()).json()["items"]
    return [(e["kind"], e["points"], e["balance_after"]) for e in items]


def complaint(client, customer_id="c1"):
    resp = client.post("/v1/complaints", json={
        "customer_id": customer_id, "channel": "phone", "severity": "high",
        "summary": "Late delivery"}, headers=auth())
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_policy_weights_drive_the_arithmetic_and_only_admins_set_them(client, kit, customer):
    policy = client.get("/v1/balance-policy", headers=rep())
    assert policy.json()["weights"]["visit"] == "3.00" and "complaint" in policy.json()["withdrawals"]
    assert_problem(client.patch("/v1/balance-policy", json={"weights": {"greeting": "2"}},
                                headers=manager()), 403)
    for bad in ({"greeting": "-1"}, {"greeting": None}, {"flattery": "1"}, {"greeting": "1e9"}):
        assert_problem(client.patch("/v1/balance-policy", json={"weights": bad}), 422)
    etag = policy.headers["etag"]
    changed = client.patch("/v1/balance-policy", json={"weights": {"greeting": "2.5",
                                                                   "complaint": "5"}},
                           headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.json()["weights"]["greeting"] == "2.50"
    assert changed.json()["updated_by"] == "u-admin"
    assert_problem(client.patch("/v1/balance-policy", json={"weights": {"gift": "1"}},
                                headers={"If-Match": etag}), 412)
    touch(kit, "message", "m1")                     # +2.50
    touch(kit, "visit", "v1")                       # +3 (default)
    opened = complaint(client)                      # -5
    assert balance(client)["balance"] == "0.50"
    client.post(f"/v1/complaints/{opened['id']}/resolve", json={"resolution": "Redelivered"})
    client.patch("/v1/balance-policy", json={"weights": {"greeting": "1"}})
    touch(kit, "message", "m2")                     # +1 under the new weight
    assert history(client) == [("greeting", "1.00", "4.50"),
                               ("complaint_resolved", "3.00", "3.50"),
                               ("complaint", "-5.00", "0.50"),
                               ("visit", "3.00", "5.50"),
                               ("greeting", "2.50", "2.50")]
    card = balance(client, headers=rep())
    assert (card["balance"], card["deposits"], card["withdrawals"], card["entries"]) == (
        "4.50", "9.50", "5.00", 5)
    assert card["overdrawn"] is False and len(card["recent"]) == 5
    assert [e["balance"] for e in kit.published("balance.changed")] == [
        "2.50", "5.50", "0.50", "3.50", "4.50"]
    assert_problem(client.get("/v1/customers/c1/balance",
                              headers=auth("rep", sub="u-b", team_id="t1")), 404)
    only = client.get("/v1/customers/c1/balance/history", params={"kind": "greeting"}).json()
    assert len(only["items"]) == 2


def test_the_same_touch_twice_deposits_once(client, kit, customer):
    first = touch(kit, "gift", "g1", event_id="e1")
    again = touch(kit, "gift", "g1", event_id="e1")
    assert (first["applied"], again["duplicates"]) == (1, 1)
    touch(kit, "gift", "g1")                 # republished under a new event id
    touch(kit, "unknown-kind", "x1")         # not a care action: ignored
    assert history(client) == [("gift", "2.00", "2.00")]
    # a resolved complaint reported by engagement as a touch counts once with needs' own
    opened = complaint(client)
    client.post(f"/v1/complaints/{opened['id']}/resolve", json={"resolution": "Fixed"})
    touch(kit, "complaint", opened["id"])
    assert [k for k, _, _ in history(client)] == ["complaint_resolved", "complaint", "gift"]
    assert balance(client)["balance"] == "2.00"


def test_expectation_checks_deposit_or_withdraw(client, kit, customer):
    goal = client.post("/v1/expectations", json={
        "customer_id": "c1", "goal_kind": "single", "goal": "Halve downtime"}).json()
    checks = f"/v1/expectations/{goal['id']}/checks"
    client.post(checks, json={"result": "better", "expected_score": "100",
                              "experienced_score": "120"})               # exceeded +4
    client.post(checks, json={"result": "worse", "expected_score": "100",
                              "experienced_score": "80"})                # below 100: -3
    client.post(checks, json={"result": "done", "reached": True})        # met +2
    client.post(checks, json={"result": "still done", "reached": True})  # reached already
    client.post(checks, json={"result": "as promised", "expected_score": "90",
                              "experienced_score": "90"})                # met +2
    assert history(client) == [("expectation_met", "2.00", "5.00"),
                               ("expectation_met", "2.00", "3.00"),
                               ("satisfaction_below_100", "-3.00", "1.00"),
                               ("expectation_exceeded", "4.00", "4.00")]


def test_a_missed_sla_withdraws_once_and_overdrawn_balances_are_listed(client, kit, customer):
    kit.add_customer("c2", owner_id="u-b")
    touch(kit, "visit", "v9", customer_id="c2")
    opened_at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    with time_machine.travel(opened_at, tick=False):
        complaint(client)                                      # -3
    with time_machine.travel(opened_at + timedelta(hours=25), tick=False):
        with client.app.state.sessions() as session:
            assert housekeeping(session)["escalated"] == 1     # -4
            assert housekeeping(session)["escalated"] == 0
    assert history(client) == [("sla_missed", "-4.00", "-7.00"), ("complaint", "-3.00", "-3.00")]
    assert balance(client)["overdrawn"] is True
    low = client.get("/v1/balances").json()["items"]
    assert [(b["customer_id"], b["balance"]) for b in low] == [("c1", "-7.00"), ("c2", "3.00")]
    overdrawn = client.get("/v1/balances", params={"overdrawn": True}, headers=rep()).json()
    assert [b["customer_id"] for b in overdrawn["items"]] == ["c1"]
    assert client.get("/v1/balances", params={"owner_id": "u-b"}).json()["items"][0][
        "customer_id"] == "c2"


def test_merge_moves_the_entries_and_erase_forgets_them(client, kit, customer):
    kit.add_customer("c2")
    touch(kit, "visit", "v1")
    touch(kit, "gift", "g1", customer_id="c2")
    kit.send_event("customer.merged", {"merged_id": "c2", "into_id": "c1"})
    card = balance(client)
    assert (card["balance"], card["entries"]) == ("5.00", 2)
    assert kit.published("balance.changed")[-1]["balance"] == "5.00"
    kit.send_event("customer.erased", {"customer_id": "c1"})
    assert client.get("/v1/balances").json()["items"] == []


def commit(client, due_on, headers=None, **fields):
    resp = client.post("/v1/commitments", json={
        "customer_id": "c1", "promise": "Send the test report", "due_on": due_on,
        "origin": "visit", **fields}, headers=headers or rep())
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_an_overdue_promise_is_flagged_to_the_manager_and_withdraws_once(client, kit, customer):
    kit.add_customer("c2", owner_id="u-b")
    kit.send_event("contact.changed", {"id": "k1", "customer_id": "c1", "name": "Li Lei"})
    with time_machine.travel(datetime(2026, 11, 30, 2, 0, tzinfo=UTC), tick=False):
        first = commit(client, "2026-12-01", contact_id="k1")
        later = commit(client, "2026-12-08", origin="call")
        assert first["status"] == "open" and not first["overdue"]
        written_late = commit(client, "2026-11-29", origin="call")
        assert written_late["overdue"] is True
        client.post(f"/v1/commitments/{written_late['id']}/keep", json={"kept_on": "2026-11-29"},
                    headers=rep())
        assert_problem(client.post("/v1/commitments", json={
            "customer_id": "c1", "promise": "x", "due_on": "2026-12-01", "origin": "call",
            "contact_id": "nobody"}, headers=rep()), 422)
        assert_problem(client.post("/v1/commitments", json={
            "customer_id": "c1", "promise": "x", "due_on": "2026-12-01",
            "origin": "complaint"}, headers=rep()), 422)
        assert_problem(client.post("/v1/commitments", json={
            "customer_id": "c2", "promise": "x", "due_on": "2026-12-01", "origin": "call"},
            headers=rep()), 404)
        agenda = client.get("/v1/commitments", params={
            "status": "open", "made_by": "u-rep", "due_to": "2026-12-06"}, headers=rep())
        assert [c["id"] for c in agenda.json()["items"]] == [first["id"]]
        with client.app.state.sessions() as session:
            assert housekeeping(session)["promises_broken"] == 0
    # 2026-12-02 in Shanghai: the first promise is a day late
    with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=UTC), tick=False):
        late = client.get(f"/v1/commitments/{first['id']}", headers=rep())
        assert late.json()["overdue"] is True and late.json()["flagged_at"] is None
        assert_problem(client.patch(f"/v1/commitments/{first['id']}",
                                    json={"due_on": "2026-12-20"}, headers=rep()), 409)
        assert_problem(client.post(f"/v1/commitments/{first['id']}/cancel",
                                   json={"reason": "forgot"}, headers=rep()), 409)
        with client.app.state.sessions() as session:
            assert housekeeping(session)["promises_broken"] == 1
            assert housekeeping(session)["promises_broken"] == 0
        flagged = client.get("/v1/commitments", params={"overdue": True},
                             headers=manager()).json()["items"]
        assert [c["id"] for c in flagged] == [first["id"]] and flagged[0]["flagged_at"]
        assert client.get("/v1/commitments", params={"overdue": True}, headers=auth(
            "manager", sub="u-x", team_id="t2")).json()["items"] == []
        etag = late.headers["etag"]
        assert_problem(client.post(f"/v1/commitments/{first['id']}/keep", json={},
                                   headers={**rep(), "If-Match": etag}), 412)
        kept = client.post(f"/v1/commitments/{first['id']}/keep", json={"note": "sent"},
                           headers=rep()).json()
        assert (kept["status"], kept["kept_late"], kept["overdue"]) == ("kept", True, False)
        with client.app.state.sessions() as session:
            assert housekeeping(session)["promises_broken"] == 0
        assert history(client) == [("commitment_broken", "-5.00", "-5.00")]
        moved = client.patch(f"/v1/commitments/{later['id']}", json={"due_on": "2026-12-10"},
                             headers=rep()).json()
        assert moved["due_on"] == "2026-12-10"
        assert_problem(client.patch(f"/v1/commitments/{later['id']}", json={"promise": None},
                                    headers=rep()), 422)
        cancelled = client.post(f"/v1/commitments/{later['id']}/cancel",
                                json={"reason": "customer changed plans"}, headers=rep()).json()
        assert cancelled["status"] == "cancelled"
        assert_problem(client.post(f"/v1/commitments/{later['id']}/keep", json={},
                                   headers=rep()), 409)
    assert_problem(client.get(f"/v1/commitments/{first['id']}",
                              headers=auth("rep", sub="u-b", team_id="t1")), 404)
    assert date.fromisoformat(kept["kept_on"]) == date(2026, 12, 2)


def test_a_promise_on_a_complaint_names_it(client, kit, customer):
    opened = complaint(client)
    made = commit(client, "2099-01-01", origin="complaint", origin_ref=opened["id"])
    assert made["origin_ref"] == opened["id"] and made["made_by"] == "u-rep"


def test_a_promise_sent_twice_with_one_idempotency_key_is_recorded_once(client, kit, customer):
    body = {"customer_id": "c1", "promise": "Call back on Friday", "due_on": "2099-01-01",
            "origin": "call"}
    first = client.post("/v1/commitments", json=body, headers={**rep(), "Idempotency-Key": "k1"})
    again = client.post("/v1/commitments", json=body, headers={**rep(), "Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert len(client.get("/v1/commitments", headers=rep()).json()["items"]) == 1
    assert_problem(client.post("/v1/commitments", json={**body, "promise": "other"},
                               headers={**rep(), "Idempotency-Key": "k1"}), 409)
    assert_problem(client.get("/v1/customers/nobody/balance"), 404)
    assert_problem(client.get("/v1/commitments", params={"due_to": "tomorrow"}), 422)


def test_the_agenda_reads_the_open_promises_to_one_owners_customers(client, kit, customer):
    """owner_id: the promises the customer's owner answers for, whoever made them."""
    kit.add_customer("c2", owner_id="u-other")
    mine = client.post("/v1/commitments", headers=manager(), json={
        "customer_id": "c1", "promise": "送样品", "due_on": "2099-01-01", "origin": "visit"})
    client.post("/v1/commitments", headers=manager(), json={
        "customer_id": "c2", "promise": "回电", "due_on": "2099-01-01", "origin": "call"})
    found = client.get("/v1/commitments", params={"owner_id": "u-rep", "status": "open"},
                       headers=manager()).json()["items"]
    assert [p["id"] for p in found] == [mine.json()["id"]] and found[0]["made_by"] == "u-boss"
