"""ERP orders, tickets and suite-wide personal-data requests."""
import json

import httpx

from guanxi_testing.fixtures import assert_problem

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


class Receivables:
    """A registry that keeps invoices by document id and payments by payment id, answering
    as the real one does (201 new, 200 same again, 409 other fields, 422 overpayment)."""

    def __init__(self, services):
        self.invoices: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        services.on("registry", "POST", "/v1/invoices", self.invoice)
        services.on("registry", "GET", "/v1/invoices", self.find)
        services.on("registry", "POST", "/v1/invoices/i-1/payments", self.pay)

    def invoice(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        known = self.invoices.get(body["document_id"])
        if known is None:
            self.invoices[body["document_id"]] = {"id": "i-1", "outstanding": body["amount"],
                                                  **body}
            return httpx.Response(201, json=self.invoices[body["document_id"]])
        if known["amount"] != body["amount"]:
            return httpx.Response(409, json={"type": "x", "title": "Conflict", "status": 409,
                                             "detail": "other amount"})
        return httpx.Response(200, json=known)

    def find(self, request: httpx.Request) -> httpx.Response:
        doc = request.url.params["document_id"]
        return httpx.Response(200, json={"items": [self.invoices[doc]] if doc in self.invoices
                                         else [], "next_cursor": None})

    def pay(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["payment_id"] in self.payments:
            return httpx.Response(200, json=self.payments[body["payment_id"]])
        invoice = next(iter(self.invoices.values()))
        if float(body["amount"]) > float(invoice["outstanding"]):
            return httpx.Response(422, json={"type": "x", "title": "Unprocessable Content",
                                             "status": 422, "detail": "exceeds what is owed"})
        invoice["outstanding"] = f"{float(invoice['outstanding']) - float(body['amount']):.2f}"
        self.payments[body["payment_id"]] = {"payment": body, "invoice": dict(invoice)}
        return httpx.Response(201, json=self.payments[body["payment_id"]])


def test_erp_invoice_is_recorded_once_by_its_document_id(client, services):
    registry = Receivables(services)
    erp = key_with(client, "erp:write")
    inv = {"document_id": "INV-7", "customer_id": "c1", "amount": "480.00",
           "issue_date": "2026-11-01", "due_date": "2026-12-01"}
    first = client.post("/api/v1/erp/invoices", json=inv, headers=erp)
    again = client.post("/api/v1/erp/invoices", json=inv, headers=erp)
    assert (first.status_code, again.status_code) == (201, 200)
    assert list(registry.invoices) == ["erp:INV-7"]
    assert json.loads(services.seen[0].content) == {
        "document_id": "erp:INV-7", "customer_id": "c1", "amount": "480.00",
        "currency": "CNY", "issue_date": "2026-11-01", "due_date": "2026-12-01"}
    assert_problem(client.post("/api/v1/erp/invoices", json=inv | {"amount": "1.00"},
                               headers=erp), 409)
    assert_problem(client.post("/api/v1/erp/invoices", json=inv | {"due_date": "2026-10-01"},
                               headers=erp), 422)
    assert_problem(client.post("/api/v1/erp/invoices", json=inv,
                               headers=key_with(client, "registry:read")), 403)


def test_erp_payment_finds_its_invoice_and_is_recorded_once(client, services):
    registry = Receivables(services)
    erp = key_with(client, "erp:write")
    payment = {"payment_id": "RC-1", "document_id": "INV-7", "amount": "80.00",
               "paid_on": "2026-11-20"}
    missing = assert_problem(client.post("/api/v1/erp/payments", json=payment, headers=erp), 404)
    assert "INV-7" in missing["detail"]
    client.post("/api/v1/erp/invoices", headers=erp, json={
        "document_id": "INV-7", "customer_id": "c1", "amount": "100.00",
        "issue_date": "2026-11-01", "due_date": "2026-12-01"})
    first = client.post("/api/v1/erp/payments", json=payment, headers=erp)
    again = client.post("/api/v1/erp/payments", json=payment, headers=erp)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["invoice"]["outstanding"] == "20.00"
    assert list(registry.payments) == ["erp:RC-1"]
    assert services.seen[-1].url.path == "/v1/invoices/i-1/payments"
    assert_problem(client.post("/api/v1/erp/payments", headers=erp,
                               json=payment | {"payment_id": "RC-2", "amount": "20.01"}), 422)
    assert_problem(client.post("/api/v1/erp/payments", json=payment,
                               headers=key_with(client, "tickets:write")), 403)
