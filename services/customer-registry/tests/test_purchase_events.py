"""purchase.recorded names the buyer's referrer, so engagement can thank it."""
from fastapi.testclient import TestClient
from sqlalchemy import select

from guanxi_registry.main import create_app
from guanxi_registry.settings import Settings
from guanxi_shared.events import OutboxEvent
from guanxi_testing.fixtures import auth


def test_purchase_events_carry_the_referrer(database_url):
    settings = Settings(database_url=database_url, subscribers="engagement=http://127.0.0.1:9",
                        run_background_jobs=False)
    with TestClient(create_app(settings), headers=auth()) as client:
        a, b = (client.post("/v1/customers", json={"kind": "person", "name": n}).json()["id"]
                for n in ("介绍人", "新客户"))
        assert client.post("/v1/referrals", json={"referrer_customer_id": a,
                                                  "referred_customer_id": b}).status_code == 201
        bulk = client.post("/v1/purchases/bulk", json={"purchases": [
            {"customer_id": b, "purchased_on": "2026-05-01", "amount": "300.00"},
            {"customer_id": a, "purchased_on": "2026-05-02", "amount": "50.00"}]})
        assert bulk.status_code in (200, 201, 207), bulk.text
        with client.app.state.sessions() as session:
            events = [e.payload["data"] for e in session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == "purchase.recorded"))]
    assert sorted((e["customer_id"] == b, e["referrer_customer_id"]) for e in events) == [
        (False, None), (True, a)]
