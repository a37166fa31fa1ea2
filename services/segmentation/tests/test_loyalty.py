"""Loyalty (客户忠诚度) on hand-computed customers: attitude from satisfaction and
would-recommend, behaviour from the 12-month trend and share of wallet, value from the tier,
the eight-group matrix, and benefits by tier and tenure (离开障碍)."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from guanxi_segmentation.domain.loyalty import attitude_score, classify
from guanxi_testing.fixtures import assert_problem, auth

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
SERVICE = auth("service", sub="service:registry")
REP_A = auth("rep", "rep-a", team_id="team-a")
# customer: (owner, last 12 months, the 12 before, satisfaction (expected, experienced),
# would recommend, budget)
CUSTOMERS = {
    "A": ("rep-a", 3000, 1000, (100, 120), 9, 4000),  # (100 + 90) / 2 = 95; share .75: loyal
    "B": ("rep-a", 800, 200, (100, 80), 3, None),  # (80 + 30) / 2 = 55, rising: passive
    "C": ("rep-b", 100, 500, (100, 110), None, None),  # 100, shrinking: latent
    "D": ("rep-b", 300, 100, None, 4, 3000),  # 40; share .1: disloyal
    "E": ("rep-b", 200, 0, None, None, None),  # no attitude yet: unmeasured
}


def event(eid, etype, data):
    return {"id": eid, "type": etype, "source": "registry",
            "occurred_at": datetime.now(UTC).isoformat(), "data": data}


def setup(client):
    events = []
    for cid, (owner, last, previous, sat, _, _) in CUSTOMERS.items():
        events.append(event(f"c-{cid}", "customer.created", {
            "id": cid, "name": f"客户{cid}", "status": "active", "owner_id": owner,
            "team_id": "team-" + owner[-1]}))
        for n, (amount, days) in enumerate(((last, 30), (previous, 400))):
            if amount:
                events.append(event(f"p-{cid}{n}", "purchase.recorded", {
                    "id": f"p-{cid}{n}", "customer_id": cid, "amount": str(amount),
                    "purchased_on": (TODAY - timedelta(days=days)).isoformat()}))
        if sat:
            events.append(event(f"s-{cid}", "satisfaction.scored", {
                "customer_id": cid, "scored_on": (TODAY - timedelta(days=10)).isoformat(),
                "expected": sat[0], "experienced": sat[1]}))
    resp = client.post("/v1/events", json={"events": events}, headers=SERVICE)
    assert resp.status_code == 200, resp.text
    assert client.post("/v1/recompute", json={}).status_code == 200
    for cid, (_, _, _, _, recommend, budget) in CUSTOMERS.items():
        if recommend is not None or budget is not None:
            put = client.put(f"/v1/loyalty/customers/{cid}/inputs", json={
                "would_recommend": recommend, "wallet_budget": budget})
            assert put.status_code == 200, put.text


def test_the_rule_by_hand():
    assert attitude_score(120, 9) == 95.0 and attitude_score(None, None) is None
    assert attitude_score(80, None) == 80.0 and attitude_score(None, 4) == 40.0
    passive = classify(satisfaction_index=80, would_recommend=3, last_12=Decimal(800),
                       previous_12=Decimal(200), budget=None, tier="keep")
    assert (passive.group, passive.value, passive.attitude_score) == ("passive", "low", 55.0)
    small_share = classify(satisfaction_index=None, would_recommend=9, last_12=Decimal(300),
                           previous_12=Decimal(100), budget=Decimal(3000), tier="invest")
    assert (small_share.group, small_share.value) == ("latent", "high")
    assert small_share.share_of_wallet == 0.1


def test_groups_on_hand_computed_customers(client):
    setup(client)
    cards = {cid: client.get(f"/v1/loyalty/customers/{cid}").json() for cid in CUSTOMERS}
    assert {cid: (c["attitude_score"], c["behaviour_high"], c["group"])
            for cid, c in cards.items()} == {
        "A": (95.0, True, "loyal"), "B": (55.0, True, "passive"),
        "C": (100.0, False, "latent"), "D": (40.0, False, "disloyal"),
        "E": (None, True, "unmeasured")}
    a = cards["A"]
    assert (Decimal(a["last_12"]), Decimal(a["previous_12"]), a["share_of_wallet"],
            a["satisfaction_index"], a["value"]) == (Decimal(3000), Decimal(1000), 0.75,
                                                     120.0, "high")
    assert cards["B"]["advice"].startswith("被动忠诚")
    matrix = client.get("/v1/loyalty/matrix").json()
    assert {(c["group"], c["value"]): c["customers"] for c in matrix} == {
        ("loyal", "high"): 1, ("passive", "low"): 1, ("latent", "low"): 1,
        ("disloyal", "low"): 1, ("unmeasured", "low"): 1}
    # A rep sees their own customers only.
    mine = client.get("/v1/loyalty/matrix", headers=REP_A).json()
    assert sum(c["customers"] for c in mine) == 2
    assert_problem(client.get("/v1/loyalty/customers/C", headers=REP_A), 404)
    passive = client.get("/v1/loyalty/customers", params={"group": "passive"}).json()
    assert [c["customer_id"] for c in passive["items"]] == ["B"]
    assert_problem(client.get("/v1/loyalty/customers", params={"group": "happy"}), 422)
    assert_problem(client.put("/v1/loyalty/customers/A/inputs",
                              json={"would_recommend": 11}), 422)


def test_benefits_by_tier_and_tenure(client):
    setup(client)
    assert_problem(client.post("/v1/loyalty/benefits", headers=REP_A, json={
        "kind": "discount", "value": "5%", "description": "x"}), 403)
    rules = [client.post("/v1/loyalty/benefits", json=body).json() for body in (
        {"tier": "invest", "kind": "discount", "value": "5%",
         "description": "Quantity discount for the top tier"},
        {"min_years": 1, "kind": "credit_days", "value": "60 days",
         "description": "Longer credit after a year of cooperation"},
        {"tier": "invest", "min_years": 3, "kind": "support", "value": "on-site engineer",
         "description": "Support that grows with the years"})]
    a = client.get("/v1/loyalty/customers/A").json()
    assert a["tenure_years"] == 1  # first purchase 400 days ago
    assert [b["kind"] for b in a["benefits"]] == ["credit_days", "discount"]
    assert [b["kind"] for b in client.get("/v1/loyalty/customers/E").json()["benefits"]] == []
    rule = rules[1]
    assert_problem(client.patch(f"/v1/loyalty/benefits/{rule['id']}", json={"active": False},
                                headers={"If-Match": f'"{rule["id"]}.9"'}), 412)
    client.patch(f"/v1/loyalty/benefits/{rule['id']}", json={"active": False})
    assert [b["kind"] for b in client.get("/v1/loyalty/customers/A").json()["benefits"]] == [
        "discount"]
    assert len(client.get("/v1/loyalty/benefits", params={"active": True}).json()["items"]) == 2
    assert date.fromisoformat(a["first_purchase_on"]) == TODAY - timedelta(days=400)
