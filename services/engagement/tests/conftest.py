import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import guanxi_engagement
from guanxi_engagement.main import create_app
from guanxi_engagement.settings import Settings
from guanxi_shared.db import make_engine, make_sessionmaker, migrate
from guanxi_testing.fixtures import auth

pytest_plugins = ["guanxi_testing.fixtures"]


class Provider:
    """A fake SMS/WeChat HTTP provider that records what it was asked to send."""

    def __init__(self):
        self.sent: list[dict] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(__import__("json").loads(request.content))
        return httpx.Response(200, json={"ok": True})


@pytest.fixture
def provider():
    return Provider()


class FreshAdminToken(httpx.Auth):
    """Mints the admin token per request, so a frozen clock far ahead still has a valid one."""

    def auth_flow(self, request: httpx.Request):
        if "authorization" not in request.headers:
            request.headers.update(auth())
        yield request


def make_client(database_url: str, provider: Provider, **overrides) -> TestClient:
    settings = Settings(**{"database_url": database_url, "subscribers": "",
                           "run_background_jobs": False,
                           "sms_provider_url": "http://sms.test/send",
                           "wechat_provider_url": "http://wechat.test/send", **overrides})
    app = create_app(settings)
    app.state.provider_transport = httpx.MockTransport(provider.handler)
    client = TestClient(app)
    client.auth = FreshAdminToken()
    return client


@pytest.fixture
def client(database_url, provider):
    with make_client(database_url, provider) as c:
        yield c


class Api:
    """Helpers that drive the service as the registry and a user would."""

    def __init__(self, client: TestClient):
        self.client = client

    def feed(self, event_type: str, data: dict, source: str = "registry") -> None:
        """Deliver one event as the publisher's dispatcher would."""
        event = {"id": uuid.uuid4().hex, "type": event_type, "source": source,
                 "occurred_at": "2026-01-01T00:00:00Z", "data": data, "attempt": 1}
        resp = self.client.post("/v1/events", json={"events": [event]},
                                headers=auth("service", "svc"))
        assert resp.status_code == 200, resp.text
        assert resp.json()["applied"] == 1, resp.text

    def customer(self, cid="c1", owner="rep-1", **extra) -> str:
        self.feed("customer.created", {"id": cid, "name": f"Customer {cid}", "status": "active",
                                          "owner_id": owner, "team_id": "team-1", "groups": [],
                                          "tags": [], **extra})
        return cid

    def contact(self, pid="p1", cid="c1", **extra) -> str:
        self.feed("contact.changed", {"id": pid, "customer_id": cid, "name": f"Contact {pid}",
                                         "phones": [{"kind": "mobile", "number": "13800000000"}],
                                         "primary_phone": "13800000000",
                                         "email": f"{pid}@example.com", **extra})
        return pid

    def rule(self, **body) -> dict:
        resp = self.client.post("/v1/rules", json={"name": "rule", **body})
        assert resp.status_code == 201, resp.text
        return resp.json()

    def run(self, on: str, send: bool = True) -> dict:
        resp = self.client.post("/v1/runs", json={"on": on, "send": send})
        assert resp.status_code == 200, resp.text
        return resp.json()

    def messages(self, **params) -> list[dict]:
        resp = self.client.get("/v1/messages", params=params)
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def client_with(database_url, provider):
    """Build a client with settings overridden (e.g. the SMTP port of a test server)."""
    return lambda **overrides: make_client(database_url, provider, **overrides)


@pytest.fixture
def api_of():
    return Api


@pytest.fixture
def session(database_url):
    """A session on the migrated database, for store tests that call the store directly;
    segmentation subscribes, so what is published stays in the outbox to be read."""
    engine = make_engine(database_url)
    migrate(engine, Path(guanxi_engagement.__file__).parent / "migrations")
    subscribers = {"segmentation": "http://segmentation.test"}
    with make_sessionmaker(engine, subscribers=subscribers)() as session:
        yield session
    engine.dispose()
