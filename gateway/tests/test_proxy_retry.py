"""A pooled connection that the service closed is retried once on a new one, where safe."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

import anyio
import pytest
from fastapi.testclient import TestClient

from guanxi_gateway.api.proxy import Attempt, Replayable
from guanxi_gateway.main import create_app
from guanxi_testing.fixtures import assert_problem

from .conftest import ADMIN_KEY, settings_for


class HangingUpService:
    """An HTTP/1.1 server that keeps the first connection alive after its first answer, then
    hangs up on the next request on it without answering, as a service closing an idle
    kept-alive connection does when a request is already on its way. Later connections are
    answered normally."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.answered: list[str] = []  # request lines answered
        self.dropped: list[str] = []  # request lines that met a hang-up
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.handle, args=(conn, self.connections),
                             daemon=True).start()

    def handle(self, conn: socket.socket, number: int) -> None:
        with conn, conn.makefile("rb") as reader:
            served = 0
            while True:
                line = reader.readline().decode().strip()
                if not line:
                    return
                length = 0
                while (header := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                reader.read(length)
                if number == 1 and served == 1:
                    self.dropped.append(line)
                    return  # hang up without an answer
                body = b'{"ok": true}'
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                             b"content-length: %d\r\n\r\n%s" % (len(body), body))
                self.answered.append(line)
                served += 1

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def hanging_up(database_url):
    service = HangingUpService()

    @contextmanager
    def client():
        app = create_app(settings_for(database_url,
                                      registry_url=f"http://127.0.0.1:{service.port}"))
        with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as c:
            yield c

    yield service, client
    service.close()


def test_a_read_on_a_connection_the_service_closed_is_retried_on_a_new_one(hanging_up):
    service, client = hanging_up
    with client() as gateway:
        assert gateway.get("/api/v1/registry/customers").status_code == 200
        resp = gateway.get("/api/v1/registry/customers?second=1")
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"ok": True}
    assert service.dropped == ["GET /v1/customers?second=1 HTTP/1.1"]
    assert service.answered[-1] == "GET /v1/customers?second=1 HTTP/1.1"
    assert service.connections == 2


def test_a_put_with_a_body_is_sent_again_whole(hanging_up):
    service, client = hanging_up
    with client() as gateway:
        gateway.get("/api/v1/registry/customers")
        resp = gateway.put("/api/v1/registry/customers/c1/tags", json={"tags": ["vip"]})
        assert resp.status_code == 200, resp.text
    assert service.answered[-1] == "PUT /v1/customers/c1/tags HTTP/1.1"


def test_a_post_that_went_out_is_not_repeated(hanging_up):
    """The service may have acted on it: a 502 for the caller to decide, not a second write."""
    service, client = hanging_up
    with client() as gateway:
        gateway.get("/api/v1/registry/customers")
        assert_problem(gateway.post("/api/v1/registry/customers", json={"name": "x"}), 502)
    assert service.dropped == ["POST /v1/customers HTTP/1.1"]
    assert not any(line.startswith("POST") for line in service.answered)
    assert service.connections == 1


@pytest.mark.parametrize(("method", "connected", "sent", "body_bytes", "retried"), [
    ("POST", False, False, 10, True),  # never went out: anything may go again
    ("POST", False, True, 10, False),  # went out: the service may have acted on it
    ("PATCH", False, True, 0, False),
    ("GET", False, True, None, True),  # idempotent
    ("DELETE", False, True, 10, True),
    ("PUT", False, True, 10 * 1024 * 1024, False),  # too big to have been kept for a replay
    ("GET", True, False, None, False),  # a new connection failing: the service is down
])
def test_when_a_request_may_go_again(method, connected, sent, body_bytes, retried):
    async def decide() -> bool:
        attempt = Attempt()
        if connected:
            await attempt.trace("connection.connect_tcp.complete", {})
        if sent:
            await attempt.trace("http11.send_request_headers.complete", {})
        body = None
        if body_bytes is not None:
            async def stream():
                yield b"x" * body_bytes
            body = Replayable(stream())
            assert [len(c) async for c in body.first()] == [body_bytes]
        return attempt.may_retry(method, body)

    assert anyio.run(decide) is retried
