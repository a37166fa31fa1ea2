"""Invoices, payments and the aging board through the app, on SQLite and PostgreSQL."""
from datetime import date, timedelta

from guanxi_shared.db import local_today
from guanxi_testing.fixtures import assert_problem, auth

REP_A = auth("rep", "rep-a", "team-1")
REP_B = auth("rep", "rep-b", "team-1")
MANAGER_2 = auth("manager", "mgr-2", "team-2")


def customer(client, name, owner="rep-a", team="team-1"):
    resp = client.post("/v1/customers", json={"kind": "company", "name": name,
                                              "owner_id": owner, "team_id": team})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def invoice(client, cid, doc, amount="100.00", due=None, issued=None, status=201, **extra):
    today = date.today()
    body = {"customer_id": cid, "document_id": doc, "amount": amount,
            "issue_date": (issued or (due or today) - timedelta(days=30)).isoformat(),
            "due_date": (due or today).isoformat(), **extra}
    resp = client.post("/v1/invoices", json=body)
    assert resp.status_code == status, resp.text
    return resp.json()


def today_of(client):
    with client.app.state.sessions() as session:
        return local_today(session)


def test_invoice_is_recorded_once_per_document_id(client):
    cid = customer(client, "华为")
    first = invoice(client, cid, "INV-1", amount="48000.00", title="二期实施款")
    assert first["status"] == "open" and first["outstanding"] == "48000.00"
    assert first["paid"] == "0.00" and first["payments"] == []
    again = invoice(client, cid, "INV-1", amount="48000.00", title="二期实施款", status=200)
    assert again["id"] == first["id"]
    body = assert_problem(client.post("/v1/invoices", json={
        "customer_id": cid, "document_id": "INV-1", "amount": "47000.00",
        "issue_date": first["issue_date"], "due_date": first["due_date"],
        "title": "二期实施款"}), 409)
    assert "amount" in body["detail"]
    assert len(client.get("/v1/invoices").json()["items"]) == 1
    assert_problem(client.post("/v1/invoices", json={
        "customer_id": cid, "document_id": "INV-2", "amount": "10.00",
        "issue_date": "2026-12-01", "due_date": "2026-11-30"}), 422)
    assert_problem(client.post("/v1/invoices", json={
        "customer_id": cid, "document_id": "INV-3", "amount": "0", "issue_date": "2026-12-01",
        "due_date": "2026-12-30"}), 422)
    assert_problem(client.post("/v1/invoices", json={
        "customer_id": "nobody", "document_id": "INV-4", "amount": "1.00",
        "issue_date": "2026-12-01", "due_date": "2026-12-30"}), 404)


def test_partial_payments_overpayment_and_retries(client):
    cid = customer(client, "腾讯")
    inv = invoice(client, cid, "INV-9", amount="100.00")
    url = f"/v1/invoices/{inv['id']}/payments"
    part = client.post(url, json={"payment_id": "RC-1", "amount": "30.00",
                                  "paid_on": inv["issue_date"]})
    assert part.status_code == 201, part.text
    assert part.json()["invoice"]["outstanding"] == "70.00"
    assert part.json()["invoice"]["status"] == "open"
    retry = client.post(url, json={"payment_id": "RC-1", "amount": "30.00",
                                   "paid_on": inv["issue_date"]})
    assert retry.status_code == 200 and retry.json()["invoice"]["outstanding"] == "70.00"
    assert_problem(client.post(url, json={"payment_id": "RC-1", "amount": "31.00",
                                          "paid_on": inv["issue_date"]}), 409)
    over = assert_problem(client.post(url, json={"payment_id": "RC-2", "amount": "70.01",
                                                 "paid_on": inv["issue_date"]}), 422)
    assert over["errors"][0]["field"] == "amount"
    assert_problem(client.post(url, json={"payment_id": "RC-3", "amount": "10.00",
                                          "currency": "USD", "paid_on": inv["issue_date"]}), 422)
    rest = client.post(url, json={"payment_id": "RC-4", "amount": "70.00",
                                  "paid_on": inv["due_date"]}).json()
    assert rest["invoice"]["status"] == "paid" and rest["invoice"]["outstanding"] == "0.00"
    assert_problem(client.post(url, json={"payment_id": "RC-5", "amount": "0.01",
                                          "paid_on": inv["due_date"]}), 422)
    detail = client.get(f"/v1/invoices/{inv['id']}").json()
    assert [p["amount"] for p in detail["payments"]] == ["30.00", "70.00"]
    assert detail["paid"] == "100.00"
    assert_problem(client.post(f"/v1/invoices/{inv['id']}/void", json={"reason": "x"}), 409)


def test_void_stops_what_is_owed_and_refuses_payments(client):
    cid = customer(client, "小米")
    inv = invoice(client, cid, "INV-V", amount="500.00")
    client.post(f"/v1/invoices/{inv['id']}/payments",
                json={"payment_id": "RC-V", "amount": "100.00", "paid_on": inv["issue_date"]})
    assert_problem(client.post(f"/v1/invoices/{inv['id']}/void", json={
        "reason": "开错了", "voided_on": "9999-01-01"}), 422)
    voided = client.post(f"/v1/invoices/{inv['id']}/void", json={"reason": "开错了"}).json()
    assert (voided["status"], voided["outstanding"], voided["paid"]) == ("void", "0.00",
                                                                         "100.00")
    again = client.post(f"/v1/invoices/{inv['id']}/void", json={"reason": "开错了"})
    assert again.status_code == 200 and again.json()["version"] == voided["version"]
    assert_problem(client.post(f"/v1/invoices/{inv['id']}/payments", json={
        "payment_id": "RC-W", "amount": "1.00", "paid_on": inv["issue_date"]}), 409)
    assert client.get(f"/v1/customers/{cid}/invoices").json()["items"] == []


def test_a_rep_sees_only_their_customers_invoices(client):
    mine, theirs = customer(client, "A公司", "rep-a"), customer(client, "B公司", "rep-b")
    a = invoice(client, mine, "INV-A")
    b = invoice(client, theirs, "INV-B")
    listed = client.get("/v1/invoices", headers=REP_A).json()["items"]
    assert [i["id"] for i in listed] == [a["id"]]
    assert_problem(client.get(f"/v1/invoices/{b['id']}", headers=REP_A), 404)
    assert_problem(client.post(f"/v1/invoices/{b['id']}/payments", headers=REP_A, json={
        "payment_id": "X", "amount": "1.00", "paid_on": b["issue_date"]}), 404)
    assert_problem(client.get(f"/v1/customers/{theirs}/invoices", headers=REP_A), 404)
    assert_problem(client.post("/v1/invoices", headers=REP_A, json={
        "customer_id": theirs, "document_id": "INV-C", "amount": "1.00",
        "issue_date": "2026-12-01", "due_date": "2026-12-02"}), 404)
    board = client.get("/v1/receivables/aging", headers=REP_A).json()
    assert [r["group"] for r in board["rows"]] == ["rep-a"]
    assert client.get("/v1/receivables/aging", headers=MANAGER_2).json()["rows"] == []
    assert client.get("/v1/invoices", headers=REP_B,
                      params={"owner_id": "rep-a"}).json()["items"] == []
    assert_problem(client.post("/v1/invoices", headers=auth("analyst", "an"), json={
        "customer_id": mine, "document_id": "INV-D", "amount": "1.00",
        "issue_date": "2026-12-01", "due_date": "2026-12-02"}), 403)


def test_aging_board_buckets_by_hand(client):
    """Six invoices of 100 due today, 1, 30, 31, 90 and 91 days ago, owed on as_of."""
    as_of = date(2026, 6, 30)
    a = customer(client, "甲", "rep-a", "team-1")
    b = customer(client, "乙", "rep-b", "team-1")
    for days, cid in ((0, a), (1, a), (30, a), (31, b), (90, b), (91, b)):
        invoice(client, cid, f"D{days}", due=as_of - timedelta(days=days),
                issued=as_of - timedelta(days=days + 30))
    usd = invoice(client, a, "USD-1", amount="50.00", currency="USD", due=as_of)
    late = invoice(client, a, "LATER", due=as_of + timedelta(days=60),
                   issued=as_of + timedelta(days=1))  # not yet issued on as_of
    paid = invoice(client, b, "PAID", due=as_of - timedelta(days=45),
                   issued=as_of - timedelta(days=80))
    client.post(f"/v1/invoices/{paid['id']}/payments", json={
        "payment_id": "P-all", "amount": "100.00", "paid_on": "2026-06-01"})
    part = invoice(client, b, "PART", amount="80.00", due=as_of - timedelta(days=45),
                   issued=as_of - timedelta(days=80))
    client.post(f"/v1/invoices/{part['id']}/payments", json={
        "payment_id": "P-part", "amount": "30.00", "paid_on": "2026-06-01"})
    client.post(f"/v1/invoices/{part['id']}/payments", json={  # after as_of: still owed then
        "payment_id": "P-late", "amount": "20.00", "paid_on": "2026-07-05"})
    paid_late = invoice(client, b, "PAIDLATE", amount="40.00", due=as_of - timedelta(days=45),
                        issued=as_of - timedelta(days=80))
    client.post(f"/v1/invoices/{paid_late['id']}/payments", json={  # paid in full after as_of
        "payment_id": "P-paidlate", "amount": "40.00", "paid_on": "2026-07-02"})
    void_late = invoice(client, a, "VOIDLATE", amount="70.00", due=as_of - timedelta(days=10),
                        issued=as_of - timedelta(days=40))
    client.post(f"/v1/invoices/{void_late['id']}/void", json={"reason": "x",
                                                               "voided_on": "2026-07-03"})
    void_early = invoice(client, a, "VOIDEARLY", amount="55.00", due=as_of - timedelta(days=10),
                         issued=as_of - timedelta(days=40))
    client.post(f"/v1/invoices/{void_early['id']}/void", json={"reason": "x",
                                                                "voided_on": "2026-06-20"})
    assert usd and late
    board = client.get("/v1/receivables/aging", params={"as_of": as_of.isoformat()}).json()
    rows = {(r["group"], r["currency"]): r for r in board["rows"]}
    assert list(rows) == [("rep-a", "CNY"), ("rep-a", "USD"), ("rep-b", "CNY")]
    cell = lambda row, b: (row[b]["amount"], row[b]["count"])  # noqa: E731
    a_cny, b_cny = rows[("rep-a", "CNY")], rows[("rep-b", "CNY")]
    assert cell(a_cny, "current") == ("100.00", 1)
    assert cell(a_cny, "days_1_30") == ("270.00", 3)  # D1, D30 and VOIDLATE (void after)
    # D31, PART (80 - 30 paid by then) and PAIDLATE (paid after as_of)
    assert cell(b_cny, "days_31_60") == ("190.00", 3)
    assert cell(b_cny, "days_61_90") == ("100.00", 1)
    assert cell(b_cny, "over_90") == ("100.00", 1)
    assert cell(b_cny, "total") == ("390.00", 5)
    assert cell(rows[("rep-a", "USD")], "current") == ("50.00", 1)
    totals = {t["currency"]: t for t in board["totals"]}
    assert cell(totals["CNY"], "total") == ("760.00", 9)
    teams = client.get("/v1/receivables/aging", params={
        "as_of": as_of.isoformat(), "group_by": "team", "currency": "CNY"}).json()
    assert [(r["group"], r["total"]["amount"]) for r in teams["rows"]] == [("team-1", "760.00")]
    later = client.get("/v1/receivables/aging", params={"as_of": "2026-07-05"}).json()
    later_b = {(r["group"], r["currency"]): r for r in later["rows"]}[("rep-b", "CNY")]
    assert later_b["total"]["amount"] == "330.00"  # PART is down to 30
    assert_problem(client.get("/v1/receivables/aging", params={"as_of": "0001-01-01"}), 422)
    assert_problem(client.get("/v1/receivables/aging", params={"group_by": "region"}), 422)


def test_lists_filter_overdue_status_and_customer(client):
    today = today_of(client)
    cid = customer(client, "丙")
    old = invoice(client, cid, "OLD", due=today - timedelta(days=5))
    new = invoice(client, cid, "NEW", due=today + timedelta(days=5))
    due_today = invoice(client, cid, "TODAY", due=today)
    ids = lambda **p: [i["id"] for i in client.get("/v1/invoices", params=p)  # noqa: E731
                       .json()["items"]]
    assert ids(overdue="true") == [old["id"]]
    assert ids(overdue="false") == [new["id"], due_today["id"]]
    assert ids(sort="due_date") == [old["id"], due_today["id"], new["id"]]
    assert ids(document_id="NEW") == [new["id"]]
    assert ids(status="paid") == []
    first = client.get("/v1/invoices", params={"limit": 2}).json()
    rest = client.get("/v1/invoices", params={"limit": 2, "cursor": first["next_cursor"]})
    assert len(first["items"]) == 2 and len(rest.json()["items"]) == 1
    assert client.get(f"/v1/invoices/{old['id']}").json()["days_past_due"] == 5
    open_ = client.get(f"/v1/customers/{cid}/invoices").json()
    assert [i["document_id"] for i in open_["items"]] == ["OLD", "TODAY", "NEW"]
    assert open_["totals"] == [{"currency": "CNY", "outstanding": "300.00",
                                "overdue": "100.00", "invoices": 3}]


def test_invoices_follow_a_merge(client):
    keep, gone = customer(client, "保留"), customer(client, "合并")
    inv = invoice(client, gone, "M-1")
    client.post("/v1/duplicates/merge", json={"survivor_id": keep, "merged_id": gone})
    assert client.get(f"/v1/invoices/{inv['id']}").json()["customer_id"] == keep
    # the same document sent again for the old id is the same invoice
    assert invoice(client, gone, "M-1", due=date.fromisoformat(inv["due_date"]),
                   issued=date.fromisoformat(inv["issue_date"]), status=200)["id"] == inv["id"]


def test_every_change_publishes_invoice_changed(database_url):
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from guanxi_registry.main import create_app
    from guanxi_registry.settings import Settings
    from guanxi_shared.events import OutboxEvent

    app = create_app(Settings(database_url=database_url,
                              subscribers="segmentation=http://127.0.0.1:9"))
    with TestClient(app, headers=auth()) as client:
        cid = customer(client, "丁")
        inv = invoice(client, cid, "EV-1", amount="90.00", due=date(2026, 12, 31),
                      issued=date(2026, 12, 1))
        invoice(client, cid, "EV-1", amount="90.00", due=date(2026, 12, 31),
                issued=date(2026, 12, 1), status=200)  # a retry publishes nothing
        client.post(f"/v1/invoices/{inv['id']}/payments",
                    json={"payment_id": "EV-P", "amount": "40.00", "paid_on": "2026-12-05"})
        client.post(f"/v1/invoices/{inv['id']}/void", json={"reason": "作废"})
        with app.state.sessions() as session:
            events = [e.payload for e in session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == "invoice.changed")
                .order_by(OutboxEvent.created_at, OutboxEvent.event_id))]
    assert [(e["data"]["status"], e["data"]["outstanding"]) for e in events] == [
        ("open", "90.00"), ("open", "50.00"), ("void", "0.00")]
    assert events[0]["data"] == {
        "invoice_id": inv["id"], "customer_id": cid, "document_id": "EV-1", "currency": "CNY",
        "amount": "90.00", "outstanding": "90.00", "issue_date": "2026-12-01",
        "due_date": "2026-12-31", "status": "open"}


def test_personal_data_export_includes_invoices_and_payments(client):
    cid = customer(client, "戊")
    inv = invoice(client, cid, "EXP-1", amount="60.00")
    client.post(f"/v1/invoices/{inv['id']}/payments",
                json={"payment_id": "EXP-P", "amount": "10.00", "paid_on": inv["issue_date"]})
    exported = client.get(f"/v1/customers/{cid}/export").json()
    assert [(i["document_id"], i["outstanding"]) for i in exported["invoices"]] == [
        ("EXP-1", "50.00")]
    assert exported["invoices"][0]["payments"][0]["payment_id"] == "EXP-P"


def test_updated_since_pages_changes_in_order_for_a_resync(client):
    cid = customer(client, "己")
    first = invoice(client, cid, "RS-1")
    second = invoice(client, cid, "RS-2")
    client.post(f"/v1/invoices/{first['id']}/payments",
                json={"payment_id": "RS-P", "amount": "5.00", "paid_on": first["issue_date"]})
    since = second["updated_at"]
    changed = client.get("/v1/invoices", params={"updated_since": since}).json()["items"]
    assert [i["id"] for i in changed] == [second["id"], first["id"]]  # the payment came last
    assert_problem(client.get("/v1/invoices", params={"updated_since": "2026-01-01T00:00:00"}),
                   422)
