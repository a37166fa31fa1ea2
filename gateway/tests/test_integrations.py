"""ERP orders, tickets and suite-wide personal-data requests."""
import json

import httpx

from guanxi_shared.testing import assert_problem

from .conftest import bearer


def key_with(client, *scopes):
    return bearer(client.post("/api/v1/api-keys",
                              json={"name": "erp", "scopes": list(scopes)}).json()["key"])


def test_erp_order_is_recorded_once_by_its_order_id(client, services):
    recorded: dict[str, dict] = {}

    def purchases(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        status = 200 if body["external_ref"] in recorded else 201
        recorded.setdefault(body["external_ref"], {"id": "p1", **body})
        return httpx.Response(status, json=recorded[body["external_ref"]])

    services.on("registry", "POST", "/v1/purchases", purchases)
    erp = key_with(client, "erp:write")
    order = {"order_id": "SO-1", "customer_id": "c1", "ordered_on": "2026-11-20",
             "amount": "128.50"}
    first = client.post("/api/v1/erp/orders", json=order, headers=erp)
    again = client.post("/api/v1/erp/orders", json=order, headers=erp)
    assert (first.status_code, again.status_code) == (201, 200)
    assert list(recorded) == ["erp:SO-1"] and first.json()["amount"] == "128.50"
    assert_problem(client.post("/api/v1/erp/orders", json=order,
                               headers=key_with(client, "registry:read")), 403)


def test_ticket_opens_a_complaint_keyed_by_the_ticket(client, services):
    services.json("needs", "POST", "/v1/complaints", {"id": "k1"}, status=201)
    writer = key_with(client, "tickets:write")

    def send(ticket_id):
        resp = client.post("/api/v1/tickets", headers=writer, json={
            "ticket_id": ticket_id, "customer_id": "c1", "severity": "high",
            "summary": "交货延迟"})
        assert resp.status_code == 201
        return services.seen[-1]

    sent = send("T-9")
    assert json.loads(sent.content) == {"customer_id": "c1", "severity": "high",
                                        "channel": "web", "summary": "交货延迟"}
    keys = [sent.headers["idempotency-key"], send("T-9").headers["idempotency-key"],
            send("工单-10").headers["idempotency-key"]]
    assert keys[0] == keys[1] != keys[2] and all(k.startswith("ticket:") for k in keys)


def test_service_problem_is_relayed(client, services):
    services.json("needs", "POST", "/v1/complaints",
                  {"type": "x", "title": "Not Found", "status": 404, "detail": "no c9"},
                  status=404)
    resp = client.post("/api/v1/tickets", json={"ticket_id": "T-1", "customer_id": "c9",
                                                "summary": "x"})
    assert_problem(resp, 404)


def test_erase_reports_each_service_and_marks_the_failed_one(client, services):
    for service in ("registry", "segmentation", "needs"):
        services.json(service, "DELETE", "/v1/privacy/customers/c1",
                      {"service": service, "erased": {"rows": 1}})
    services.json("engagement", "DELETE", "/v1/privacy/customers/c1",
                  {"type": "x", "title": "err", "status": 500, "detail": "boom"}, status=500)
    body = client.post("/api/v1/privacy/erase", json={"customer_id": "c1"}).json()
    assert body["complete"] is False and body["failed"] == ["engagement"]
    by_service = {s["service"]: s for s in body["services"]}
    assert by_service["registry"]["result"]["erased"] == {"rows": 1}
    client.app.state.audit.flush()
    audit = client.get("/api/v1/audit", params={"action": "erase"}).json()["items"]
    assert [a["customer_id"] for a in audit] == ["c1"]


def test_export_gathers_every_service(client, services):
    for service in ("registry", "segmentation", "engagement", "needs"):
        services.json(service, "GET", "/v1/privacy/customers/c1", {"service": service})
    body = client.post("/api/v1/privacy/export", json={"customer_id": "c1"}).json()
    assert body["complete"] is True
    assert [s["result"]["service"] for s in body["services"]] == [
        "registry", "segmentation", "engagement", "needs"]
