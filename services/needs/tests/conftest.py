import pytest
from fastapi.testclient import TestClient

from guanxi_needs.main import create_app
from guanxi_needs.settings import Settings
from guanxi_shared.models import new_id, utcnow
from guanxi_testing.fixtures import auth, published, serve

pytest_plugins = ["guanxi_testing.fixtures"]


@pytest.fixture
def client(database_url):
    # a subscriber makes the outbox record events; no background jobs deliver them
    settings = Settings(database_url=database_url, subscribers="registry=http://127.0.0.1:9",
                        run_background_jobs=False)
    yield from serve(create_app(settings))


class Kit:
    """Test helpers: feed the read model with registry events, read the outbox."""

    def __init__(self, client: TestClient):
        self.client = client

    @staticmethod
    def rep(sub: str = "u-rep", team_id: str = "t1") -> dict[str, str]:
        return auth("rep", sub=sub, team_id=team_id)

    def send_event(self, event_type: str, data: dict) -> None:
        event = {"id": new_id(), "type": event_type, "source": "registry",
                 "occurred_at": utcnow().isoformat(), "data": data}
        resp = self.client.post("/v1/events", json={"events": [event]}, headers=auth())
        assert resp.status_code == 200, resp.text

    def add_customer(self, customer_id: str = "c1", owner_id: str = "u-rep",
                     team_id: str = "t1") -> str:
        self.send_event("customer.created", {
            "id": customer_id, "name": f"Customer {customer_id}", "status": "active",
            "owner_id": owner_id, "team_id": team_id, "kind": "company"})
        return customer_id

    def published(self, event_type: str) -> list[dict]:
        return published(self.client, event_type)


@pytest.fixture
def kit(client) -> Kit:
    return Kit(client)


@pytest.fixture
def customer(kit) -> str:
    return kit.add_customer()
