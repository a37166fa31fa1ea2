"""Customer events across services: a guest marked present at a VIP gathering is one touch:
the customer leaves segmentation's neglect list and needs' relationship balance gets one
deposit, however often the attendance is marked."""
from datetime import UTC, date, datetime, timedelta

from guanxi_testing.fixtures import eventually


def test_attending_a_vip_gathering_is_one_touch_across_the_suite(gateway):
    created = gateway.post("/api/v1/registry/customers", json={"kind": "company",
                                                               "name": "联谊客户"})
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    contact = gateway.post(f"/api/v1/registry/customers/{cid}/contacts", json={
        "name": "王总", "role": "decision_maker",
        "phones": [{"kind": "mobile", "number": "13800000001"}]})
    assert contact.status_code == 201, contact.text
    long_ago = (date.today() - timedelta(days=400)).isoformat()
    gateway.post("/api/v1/registry/purchases", json={
        "customer_id": cid, "purchased_on": long_ago, "amount": "880.00",
        "external_ref": f"event-{cid}"}).raise_for_status()

    def neglected():
        gateway.post("/api/v1/segmentation/recompute", json={"snapshot": False})
        items = gateway.get("/api/v1/segmentation/neglect", params={"limit": 500}).json()
        return any(i["customer_id"] == cid for i in items["items"])

    assert eventually(neglected)
    started = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    event = gateway.post("/api/v1/engagement/customer-events", json={
        "name": "VIP 联谊会", "kind": "vip_gathering", "starts_at": started, "channel": "sms",
        "invitation_text": "{name}您好，诚邀参加{event}"})
    assert event.status_code == 201, event.text
    url = f"/api/v1/engagement/customer-events/{event.json()['id']}"

    def invited():
        resp = gateway.post(f"{url}/invitations", json={"customer_ids": [cid]})
        return resp.status_code == 200 and resp.json()["invited"] == 1

    assert eventually(invited)  # once engagement has heard of the customer and contact
    guest = gateway.get(f"{url}/invitations").json()["items"][0]
    first = gateway.post(f"{url}/attendance", json={"invitation_ids": [guest["id"]]})
    assert first.json() == {"marked": 1, "touches": 1, "follow_up_tasks": 1}
    assert gateway.post(f"{url}/attendance", json={"invitation_ids": [guest["id"]]}).json()[
        "touches"] == 0

    def gone():
        items = gateway.get("/api/v1/segmentation/neglect", params={"limit": 500}).json()
        return all(i["customer_id"] != cid for i in items["items"])

    assert eventually(gone)

    def deposited():
        history = gateway.get(f"/api/v1/needs/customers/{cid}/balance/history")
        if history.status_code != 200:
            return None
        entries = [e for e in history.json()["items"] if e["kind"] == "event"]
        return entries or None

    entries = eventually(deposited)
    assert entries and len(entries) == 1
