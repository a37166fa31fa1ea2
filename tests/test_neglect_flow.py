"""Neglect across services: a task completed in engagement reaches segmentation as a touch and
takes the customer off the neglect list."""
from datetime import date, timedelta

from guanxi_testing.fixtures import eventually


def test_a_completed_task_takes_the_customer_off_the_neglect_list(gateway):
    created = gateway.post("/api/v1/registry/customers", json={"kind": "company",
                                                               "name": "冷落客户"})
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    long_ago = (date.today() - timedelta(days=400)).isoformat()
    bought = gateway.post("/api/v1/registry/purchases", json={
        "customer_id": cid, "purchased_on": long_ago, "amount": "880.00",
        "external_ref": f"neglect-{cid}"})
    assert bought.status_code in (200, 201), bought.text

    def neglected():
        gateway.post("/api/v1/segmentation/recompute", json={"snapshot": False})
        items = gateway.get("/api/v1/segmentation/neglect", params={"limit": 500}).json()
        return next((i for i in items["items"] if i["customer_id"] == cid), None)

    row = eventually(neglected)
    assert row and row["last_touch_on"] is None and row["counted_from"] == long_ago

    def task():
        resp = gateway.post("/api/v1/engagement/tasks", json={
            "customer_id": cid, "kind": "call", "title": "问候", "due_on": date.today().isoformat()})
        return resp.json() if resp.status_code == 201 else None

    todo = eventually(task)  # once engagement has heard of the customer
    assert todo, "engagement never learnt of the customer"
    done = gateway.post(f"/api/v1/engagement/tasks/{todo['id']}/complete",
                        json={"outcome": "聊了新品"})
    assert done.status_code == 200, done.text

    def gone():
        items = gateway.get("/api/v1/segmentation/neglect", params={"limit": 500}).json()
        return all(i["customer_id"] != cid for i in items["items"])

    assert eventually(gone)
    summary = gateway.get("/api/v1/segmentation/neglect/summary").json()
    assert all(g["neglected"] <= g["customers"] for g in summary)
