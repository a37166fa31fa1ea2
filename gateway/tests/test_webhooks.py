"""Outbound webhooks: a real receiver verifies the signature; failures retry; replay resends."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from guanxi_gateway.domain.signing import SIGNATURE_HEADER, verify
from guanxi_shared.auth import service_token
from guanxi_testing.fixtures import SECRET, assert_problem


@pytest.fixture
def receiver():
    """A small HTTP server that checks each delivery's signature like a customer's ERP."""
    got: list[dict] = []
    state = {"secret": "", "fail": False}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            ok = verify(secret=state["secret"], header=self.headers[SIGNATURE_HEADER],
                        body=body, now=int(time.time()))
            got.append({"verified": ok, "event": json.loads(body)})
            self.send_response(500 if state["fail"] else (200 if ok else 401))
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", got, state
    server.shutdown()


def send_event(client, event_type: str, event_id: str = "e1"):
    batch = {"events": [{"id": event_id, "type": event_type, "source": "registry",
                         "occurred_at": "2026-11-24T08:00:00Z", "data": {"id": "c1"}}]}
    token = service_token("registry", SECRET)
    resp = client.post("/v1/events", json=batch, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.text


def deliver(client) -> int:
    with httpx.Client(timeout=5) as http:
        return client.app.state.webhooks.send_due(http)


def test_signed_delivery_verified_by_a_real_receiver_and_replayed(client, receiver):
    url, got, state = receiver
    created = client.post("/api/v1/webhooks", json={"url": url,
                                                    "event_types": ["customer.updated"]})
    assert created.status_code == 201
    state["secret"] = created.json()["secret"]
    send_event(client, "customer.updated")
    send_event(client, "purchase.recorded", "e2")  # not subscribed
    assert deliver(client) == 1
    assert got == [{"verified": True, "event": {
        "id": "e1", "type": "customer.updated", "source": "registry",
        "occurred_at": "2026-11-24T08:00:00+00:00", "data": {"id": "c1"}}}]
    log = client.get(f"/api/v1/webhooks/{created.json()['id']}/deliveries").json()["items"]
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [
        ("delivered", 1, 200)]
    again = client.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/replay")
    assert again.status_code == 202
    assert deliver(client) == 1 and len(got) == 2 and got[1]["verified"]


def test_failed_delivery_is_retried_later_with_backoff(client, receiver):
    url, got, state = receiver
    created = client.post("/api/v1/webhooks", json={"url": url, "event_types": ["*"]})
    state.update(secret=created.json()["secret"], fail=True)
    send_event(client, "opportunity.won")
    assert deliver(client) == 1
    assert deliver(client) == 0  # not due again until the backoff has passed
    (entry,) = client.get(f"/api/v1/webhooks/{created.json()['id']}/deliveries").json()["items"]
    assert entry["status"] == "pending" and entry["attempts"] == 1
    assert entry["last_status_code"] == 500 and entry["next_attempt_at"] > entry["created_at"]
    assert len(got) == 1 and got[0]["verified"]  # signed correctly; the receiver just failed


def test_unknown_event_types_are_refused(client):
    body = assert_problem(client.post("/api/v1/webhooks", json={
        "url": "https://erp.example.com/h", "event_types": ["customer.exploded"]}), 422)
    assert "customer.exploded" in body["detail"]
