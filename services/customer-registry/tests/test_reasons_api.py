"""The reasons list (流失原因) and lost customers naming a reason, on SQLite and PostgreSQL."""
import pytest
from sqlalchemy import select

from guanxi_registry.store.tables import Reason
from guanxi_shared.reasons import seed_if_empty
from guanxi_testing.fixtures import assert_problem, auth

REP = auth("rep", "rep-a", "team-1")


@pytest.fixture(autouse=True)
def defaults(client):
    """The migration seeded the defaults; the previous test's cleanup emptied every table."""
    with client.app.state.sessions() as session:
        seed_if_empty(session, Reason)


def test_defaults_are_there_with_labels_and_controllability(client):
    reasons = client.get("/v1/reasons", headers=REP).json()
    assert [r["code"] for r in reasons] == [
        "price", "service", "product_fit", "competitor", "budget_cut", "contact_left",
        "relocation", "closure", "merger", "other"]
    price = reasons[0]
    assert (price["label_zh"], price["label_en"], price["controllable"]) == ("价格", "Price", True)
    assert {r["code"] for r in reasons if not r["controllable"]} == {
        "budget_cut", "contact_left", "relocation", "closure", "merger", "other"}


def test_admin_adds_renames_retires_and_deletes_only_unused(client):
    made = client.post("/v1/reasons", json={"code": "delivery_delay", "label_zh": "交付延误",
                                            "label_en": "Delivery delay", "controllable": True})
    assert made.status_code == 201 and made.json()["position"] == 10
    assert_problem(client.post("/v1/reasons", json={
        "code": "delivery_delay", "label_zh": "x", "label_en": "x", "controllable": True}), 409)
    assert_problem(client.post("/v1/reasons", json={
        "code": "Bad Code", "label_zh": "x", "label_en": "x", "controllable": True}), 422)
    assert_problem(client.post("/v1/reasons", json={
        "code": "unrecorded", "label_zh": "x", "label_en": "x", "controllable": True}), 422)
    assert_problem(client.post("/v1/reasons", headers=REP, json={
        "code": "x", "label_zh": "x", "label_en": "x", "controllable": True}), 403)
    renamed = client.patch("/v1/reasons/delivery_delay", json={"label_zh": "交货延迟"}).json()
    assert renamed["label_zh"] == "交货延迟" and renamed["label_en"] == "Delivery delay"
    assert_problem(client.patch("/v1/reasons/delivery_delay", json={"label_zh": None}), 422)
    assert_problem(client.patch("/v1/reasons/nope", json={"label_zh": "x"}), 404)
    # used by a lost customer: not deleted, but retired
    cid = client.post("/v1/customers", json={"kind": "company", "name": "甲"}).json()["id"]
    lost = client.patch(f"/v1/customers/{cid}", json={
        "status": "lost", "lost_reason_code": "delivery_delay", "lost_reason": "两次误期"})
    assert lost.status_code == 200, lost.text
    assert lost.json()["lost_reason_code"] == "delivery_delay"
    assert_problem(client.delete("/v1/reasons/delivery_delay"), 409)
    retired = client.patch("/v1/reasons/delivery_delay", json={"retired": True}).json()
    assert retired["retired"] is True
    assert "delivery_delay" not in {r["code"] for r in client.get("/v1/reasons").json()}
    assert "delivery_delay" in {r["code"] for r in client.get(
        "/v1/reasons", params={"include_retired": "true"}).json()}
    assert client.get(f"/v1/customers/{cid}").json()["lost_reason_code"] == "delivery_delay"
    client.post("/v1/reasons", json={"code": "typo", "label_zh": "错", "label_en": "Typo",
                                     "controllable": False})
    assert client.delete("/v1/reasons/typo").status_code == 204
    assert_problem(client.get("/v1/reasons/typo"), 404)


def test_losing_a_customer_takes_a_valid_reason_code(client):
    cid = client.post("/v1/customers", json={"kind": "company", "name": "乙"}).json()["id"]
    url = f"/v1/customers/{cid}"
    body = assert_problem(client.patch(url, json={"status": "lost", "lost_reason": "太贵"}), 422)
    assert "lost_reason_code" in body["detail"] or "lost_reason_code" in str(body["errors"])
    body = assert_problem(client.patch(url, json={"status": "lost",
                                                  "lost_reason_code": "weather"}), 422)
    assert body["errors"][0]["field"] == "lost_reason_code"
    client.patch("/v1/reasons/merger", json={"retired": True})
    assert_problem(client.patch(url, json={"status": "lost", "lost_reason_code": "merger"}), 422)
    ok = client.patch(url, json={"status": "lost", "lost_reason_code": "price",
                                 "lost_reason": "竞品便宜两成"}).json()
    assert (ok["status"], ok["lost_reason_code"], ok["lost_reason"]) == ("lost", "price",
                                                                         "竞品便宜两成")
    assert_problem(client.patch(url, json={"lost_reason_code": None}), 422)
    back = client.patch(url, json={"status": "won_back"}).json()
    assert (back["lost_reason_code"], back["lost_reason"]) == (None, None)
    history = {(h["field"], h["new_value"]) for h in client.get(f"{url}/history").json()}
    assert ("lost_reason_code", "price") in history


def test_every_change_publishes_the_whole_list(database_url):
    from fastapi.testclient import TestClient

    from guanxi_registry.main import create_app
    from guanxi_registry.settings import Settings
    from guanxi_shared.events import OutboxEvent

    app = create_app(Settings(database_url=database_url,
                              subscribers="engagement=http://127.0.0.1:9"))
    with TestClient(app, headers=auth()) as client:
        with app.state.sessions() as session:
            seed_if_empty(session, Reason)
        client.post("/v1/reasons", json={"code": "delivery_delay", "label_zh": "交付延误",
                                         "label_en": "Delivery delay", "controllable": True})
        client.patch("/v1/reasons/other", json={"retired": True})
        with app.state.sessions() as session:
            events = [e.payload["data"] for e in session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == "reasons.changed")
                .order_by(OutboxEvent.created_at, OutboxEvent.event_id))]
    assert [len(e["reasons"]) for e in events] == [11, 11]
    last = {r["code"]: r for r in events[-1]["reasons"]}
    assert last["other"]["retired"] is True and last["delivery_delay"]["controllable"] is True
    assert events[0]["changed_at"] < events[1]["changed_at"]
