"""Receivables and the reasons list across the real processes: an ERP invoice through the
gateway shows on the aging board and is delivered to segmentation as `invoice.changed`; a
reason an admin adds in the registry can be used in engagement and is named by segmentation."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import create_engine, text
from test_gateway_flows import receiver  # noqa: F401  (the signed webhook receiver fixture)

from guanxi_shared.db import normalise_url
from guanxi_testing.fixtures import eventually


def registry_db(suite):
    url = suite.database_urls.get("registry") or f"sqlite:///{suite.data_dir / 'registry.db'}"
    return create_engine(normalise_url(url))


def delivered(suite, event_type: str, subscriber: str) -> list[dict]:
    """Events of this type the registry's outbox has delivered to this subscriber (a 2xx)."""
    engine = registry_db(suite)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT e.payload FROM outbox_event e JOIN outbox_delivery d "
                "ON d.event_id = e.event_id WHERE e.event_type = :t AND d.subscriber = :s "
                "AND d.delivered_at IS NOT NULL ORDER BY d.seq"),
                {"t": event_type, "s": subscriber}).scalars().all()
    finally:
        engine.dispose()
    return [p if isinstance(p, dict) else json.loads(p) for p in rows]


def test_erp_invoice_ages_and_reaches_segmentation(suite, gateway, receiver):  # noqa: F811
    url, got, secret = receiver
    hook = gateway.post("/api/v1/webhooks", json={"url": url, "event_types": ["invoice.changed"]})
    assert hook.status_code == 201, hook.text
    secret["value"] = hook.json()["secret"]
    customer = gateway.post("/api/v1/registry/customers", json={
        "kind": "company", "name": "欠款客户", "owner_id": "rep-ar", "team_id": "team-ar"})
    customer_id = customer.json()["id"]
    key = gateway.post("/api/v1/api-keys", json={"name": "ERP", "scopes": ["erp:write"]})
    erp = {"Authorization": f"Bearer {key.json()['key']}"}
    today = gateway.get("/api/v1/registry/receivables/aging").json()["as_of"]
    due = date.fromisoformat(today) - timedelta(days=45)
    invoice = {"document_id": "INV-AR-1", "customer_id": customer_id, "amount": "9000.00",
               "issue_date": (due - timedelta(days=30)).isoformat(), "due_date": due.isoformat()}
    codes = [gateway.post("/api/v1/erp/invoices", json=invoice, headers=erp).status_code
             for _ in range(2)]
    assert codes == [201, 200]
    paid = gateway.post("/api/v1/erp/payments", headers=erp, json={
        "payment_id": "RC-AR-1", "document_id": "INV-AR-1", "amount": "2000.00",
        "paid_on": today})
    assert paid.status_code == 201, paid.text
    assert paid.json()["invoice"]["outstanding"] == "7000.00"
    over = gateway.post("/api/v1/erp/payments", headers=erp, json={
        "payment_id": "RC-AR-2", "document_id": "INV-AR-1", "amount": "7000.01",
        "paid_on": today})
    assert over.status_code == 422
    board = gateway.get("/api/v1/registry/receivables/aging",
                        params={"owner_id": "rep-ar"}).json()
    row = board["rows"][0]
    assert (row["group"], row["currency"]) == ("rep-ar", "CNY")
    assert row["days_31_60"] == {"amount": "7000.00", "count": 1}
    assert row["total"]["amount"] == "7000.00"
    # segmentation has acknowledged both changes (create, payment) from the registry's outbox
    to_segmentation = eventually(lambda: [
        e for e in delivered(suite, "invoice.changed", "segmentation")
        if e["data"]["customer_id"] == customer_id and e["data"]["outstanding"] == "7000.00"])
    assert to_segmentation[0]["data"] == {
        "invoice_id": paid.json()["invoice"]["id"], "customer_id": customer_id,
        "document_id": "erp:INV-AR-1", "currency": "CNY", "amount": "9000.00",
        "outstanding": "7000.00", "issue_date": invoice["issue_date"],
        "due_date": invoice["due_date"], "status": "open"}
    hooked = eventually(lambda: [e for ok, e in got if ok
                                 and e["data"]["customer_id"] == customer_id
                                 and e["data"]["outstanding"] == "7000.00"])
    assert hooked and hooked[0]["type"] == "invoice.changed"


def test_a_new_reason_reaches_engagement_and_segmentation(gateway):
    made = gateway.post("/api/v1/registry/reasons", json={
        "code": "delivery_delay", "label_zh": "交付延误", "label_en": "Delivery delay",
        "controllable": True})
    assert made.status_code == 201, made.text
    customer_id = gateway.post("/api/v1/registry/customers", json={
        "kind": "company", "name": "续约客户"}).json()["id"]
    eventually(lambda: gateway.get("/api/v1/engagement/contracts",
                                   params={"customer_id": customer_id}).status_code == 200)
    contract = gateway.post("/api/v1/engagement/contracts", json={
        "customer_id": customer_id, "title": "年度服务", "ends_on": "2027-01-31",
        "amount": "12000"})
    assert contract.status_code == 201, contract.text
    url = f"/api/v1/engagement/contracts/{contract.json()['id']}/renewal"
    body = {"renewal": "lost", "reason_code": "delivery_delay", "reason": "两次误期"}
    recorded = eventually(lambda: gateway.post(url, json=body).status_code == 200)
    assert recorded, "engagement never accepted the registry's new reason"
    report = gateway.get("/api/v1/engagement/renewals/report",
                         params={"from": "2027-01-01", "to": "2027-01-31"}).json()
    assert report["total"]["reasons"][0]["label_zh"] == "交付延误"
    assert report["total"]["controllable"]["percent"] == 100.0
    lost = gateway.patch(f"/api/v1/registry/customers/{customer_id}", json={
        "status": "lost", "lost_reason_code": "delivery_delay", "lost_reason": "两次误期"})
    assert lost.status_code == 200, lost.text
    start = date.today().replace(day=1)
    churn = eventually(lambda: [
        r for r in gateway.get("/api/v1/segmentation/churn", params={
            "from": start.isoformat(),
            "to": (date.today() + timedelta(days=2)).isoformat()}).json()
        if any(x["code"] == "delivery_delay" for x in r["reasons"])])
    assert churn and churn[-1]["reasons"][0]["label_en"] == "Delivery delay"
