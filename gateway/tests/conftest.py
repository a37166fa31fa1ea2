"""Gateway test fixtures: the real app on a real database, the services stood in by httpx mocks."""
from __future__ import annotations

from collections.abc import Callable

import httpcore
import httpx
import pytest
from fastapi.testclient import TestClient

from guanxi_gateway.main import create_app
from guanxi_gateway.settings import SERVICES, Settings

pytest_plugins = ["guanxi_testing.fixtures"]

ADMIN_KEY = "test-admin-api-key"
ADMIN_PASSWORD = "admin-password-1"
Route = Callable[[httpx.Request], httpx.Response]


class FakeServices:
    """Routes keyed by (service, method, path); anything else answers a 404 problem."""

    def __init__(self):
        self.routes: dict[tuple[str, str, str], Route] = {}
        self.seen: list[httpx.Request] = []

    def on(self, service: str, method: str, path: str, route: Route) -> None:
        self.routes[(service, method, path)] = route

    def json(self, service: str, method: str, path: str, body, status: int = 200) -> None:
        self.on(service, method, path, lambda _: httpx.Response(status, json=body))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        service = request.url.host.split(".")[0]
        route = self.routes.get((service, request.method, request.url.path))
        if route is None:
            resp = httpx.Response(404, json={"type": "about:blank", "title": "Not Found",
                                             "status": 404, "detail": "not found"},
                                  headers={"content-type": "application/problem+json"})
        else:
            resp = route(request)
        # a streamed body, as a real upstream gives the proxy
        return httpx.Response(resp.status_code, headers=resp.headers,
                              stream=httpx.ByteStream(resp.content))


class ServicesPool:
    """The proxy's connection pool (httpcore's interface), answered by the fake services."""

    def __init__(self, services: FakeServices):
        self.transport = httpx.MockTransport(services)

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        url, body = request.url, b"".join([chunk async for chunk in request.stream])
        framed = {k.lower() for k, _ in request.headers} & {b"content-length",
                                                            b"transfer-encoding"}
        assert framed or not body, "a body the service could not delimit"
        as_httpx = httpx.Request(
            request.method.decode(), httpx.URL(scheme=url.scheme.decode(), host=url.host.decode(),
                                               port=url.port, raw_path=url.target),
            headers=request.headers, content=body)
        try:
            resp = await self.transport.handle_async_request(as_httpx)
        except httpx.TimeoutException as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except httpx.TransportError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return httpcore.Response(resp.status_code, headers=resp.headers.raw, content=resp.stream)

    async def aclose(self) -> None:
        pass


def settings_for(database_url: str, **overrides) -> Settings:
    values = {"database_url": database_url, "subscribers": "", "admin_api_key": ADMIN_KEY,
              "admin_password": ADMIN_PASSWORD, "run_background_jobs": False,
              **{f"{name}_url": f"http://{name}.test" for name in SERVICES}, **overrides}
    return Settings(**values)


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def make_client(database_url, services):
    """Build a client with settings overrides (e.g. a tight rate limit)."""
    clients = []

    def make(**overrides) -> TestClient:
        app = create_app(settings_for(database_url, **overrides),
                         transport=httpx.MockTransport(services),
                         proxy_pool=ServicesPool(services))
        client = TestClient(app, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


def login(client: TestClient, username: str, password: str) -> dict:
    resp = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return resp.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def user_headers(client: TestClient, role: str, *, username: str | None = None,
                 team_id: str | None = None) -> tuple[str, dict[str, str]]:
    """Create a user with this role, log in, and return (user id, headers)."""
    username = username or f"{role}-user"
    password = "password-" + username
    resp = client.post("/api/v1/users", json={"username": username, "password": password,
                                              "role": role, "team_id": team_id})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"], bearer(login(client, username, password)["access_token"])
