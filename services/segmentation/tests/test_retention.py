"""Retention per period and cohorts, with small hand-computed cases (DOMAIN.md section 0)."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from guanxi_testing.fixtures import assert_problem, auth

SERVICE = auth("service", sub="service:registry")


def event(eid, etype, data):
    return {"id": eid, "type": etype, "source": "registry",
            "occurred_at": datetime.now(UTC).isoformat(), "data": data}


def load(client, customers):
    """customers: {id: (owner, [(ISO date, amount), ...])}."""
    events = []
    for cid, (owner, purchases) in customers.items():
        events.append(event(f"c-{cid}", "customer.created", {
            "id": cid, "name": f"客户{cid}", "status": "active", "owner_id": owner,
            "team_id": "team-1" if owner == "rep-a" else "team-2"}))
        for k, (day, amount) in enumerate(purchases):
            events.append(event(f"p-{cid}-{k}", "purchase.recorded", {
                "id": f"p-{cid}-{k}", "customer_id": cid, "amount": str(amount),
                "purchased_on": day}))
    resp = client.post("/v1/events", json={"events": events}, headers=SERVICE)
    assert resp.status_code == 200, resp.text


# A: new in January (two purchases on one day: one purchase day), retained in February,
#    lost in March, won back in April.
# B: new in January with two purchase days (a repeat buyer), then a refund-only March.
# C: a zero-amount order on 2 Feb (not buying), new on 14 Feb, retained in March.
# D: bought in December 2025, won back in March 2026.
SHOP = {
    "A": ("rep-a", [("2026-01-05", 100), ("2026-01-05", 50), ("2026-02-10", 200),
                    ("2026-04-01", 80)]),
    "B": ("rep-a", [("2026-01-20", 300), ("2026-01-25", 100), ("2026-03-03", -50)]),
    "C": ("rep-b", [("2026-02-02", 0), ("2026-02-14", 120), ("2026-03-15", 60)]),
    "D": ("rep-b", [("2025-12-30", 500), ("2026-03-01", 90)]),
}
FIELDS = ("buyers", "new", "retained", "won_back", "lost", "previous_buyers", "repeat_buyers",
          "return_rate", "repeat_rate", "revenue", "revenue_new", "revenue_returning")


def figures(rows):
    return {r["period"]: tuple(r[f] for f in FIELDS) for r in rows}


def retention(client, start, end, period="month", **params):
    resp = client.get("/v1/retention", params={"from": start, "to": end, "period": period,
                                               **params})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_months_new_retained_lost_won_back_refund_only_and_one_day(client):
    load(client, SHOP)
    rows = retention(client, "2026-01-15", "2026-04-02")
    assert [(r["period"], r["from"], r["to"]) for r in rows] == [
        ("2026-01", "2026-01-01", "2026-01-31"), ("2026-02", "2026-02-01", "2026-02-28"),
        ("2026-03", "2026-03-01", "2026-03-31"), ("2026-04", "2026-04-01", "2026-04-30")]
    assert figures(rows) == {
        # buyers A B; both new; D (December) lost; A's two orders on 5 Jan are one day
        "2026-01": (2, 2, 0, 0, 1, 1, 1, 0.0, 0.5, "550.00", "550.00", "0.00"),
        # A retained, C new (the zero order is not buying), B lost
        "2026-02": (2, 1, 1, 0, 1, 2, 0, 0.5, 0.0, "320.00", "120.00", "200.00"),
        # C retained, D won back, A lost; B's refund lowers revenue but B is no buyer
        "2026-03": (2, 0, 1, 1, 1, 2, 0, 0.5, 0.0, "100.00", "0.00", "100.00"),
        # A won back; C and D lost
        "2026-04": (1, 0, 0, 1, 2, 2, 0, 0.0, 0.0, "80.00", "0.00", "80.00"),
    }


def test_quarters_and_years(client):
    load(client, SHOP)
    assert figures(retention(client, "2026-01-01", "2026-06-30", "quarter")) == {
        # D bought in 2025-Q4 and again in Q1: retained; A, B and C each have two purchase days
        "2026-Q1": (4, 3, 1, 0, 0, 1, 3, 1.0, 0.75, "970.00", "880.00", "90.00"),
        "2026-Q2": (1, 0, 1, 0, 3, 4, 0, 0.25, 0.0, "80.00", "0.00", "80.00"),
    }
    years = retention(client, "2025-06-01", "2026-01-01", "year")
    assert [(r["period"], r["from"], r["to"]) for r in years] == [
        ("2025", "2025-01-01", "2025-12-31"), ("2026", "2026-01-01", "2026-12-31")]
    assert figures(years) == {
        "2025": (1, 1, 0, 0, 0, 0, 0, None, 0.0, "500.00", "500.00", "0.00"),
        "2026": (4, 3, 1, 0, 0, 1, 3, 1.0, 0.75, "1050.00", "960.00", "90.00"),
    }
    empty = retention(client, "2030-01-01", "2030-02-01")
    assert [(r["buyers"], r["return_rate"], r["repeat_rate"], r["revenue"]) for r in empty] == [
        (0, None, None, "0.00")] * 2


def test_late_and_duplicate_purchase_events_rebuild_the_customer(client):
    load(client, SHOP)
    late = event("late", "purchase.recorded", {"id": "p-late", "customer_id": "C",
                                               "amount": "10", "purchased_on": "2026-01-10"})
    for _ in range(2):  # the second delivery is a duplicate and changes nothing
        client.post("/v1/events", json={"events": [late]}, headers=SERVICE)
    rows = {r["period"]: r for r in retention(client, "2026-01-01", "2026-02-28")}
    assert (rows["2026-01"]["buyers"], rows["2026-01"]["new"]) == (3, 3)
    assert (rows["2026-02"]["new"], rows["2026-02"]["retained"], rows["2026-02"]["lost"]) == (
        0, 2, 1)
    assert rows["2026-01"]["revenue"] == "560.00"


def test_cohorts_count_and_share_later_buyers(client):
    load(client, SHOP)
    cohorts = client.get("/v1/retention/cohorts",
                         params={"from": "2026-01-01", "to": "2026-04-30"}).json()
    assert [(c["cohort"], c["customers"], c["revenue"]) for c in cohorts] == [
        ("2026-01", 2, "550.00"), ("2026-02", 1, "120.00"), ("2026-03", 0, "0.00"),
        ("2026-04", 0, "0.00")]
    cells = {c["cohort"]: [(p["period"], p["offset"], p["buyers"], p["share"], p["revenue"])
                           for p in c["periods"]] for c in cohorts}
    assert cells["2026-01"] == [("2026-02", 1, 1, 0.5, "200.00"),
                                ("2026-03", 2, 0, 0.0, "-50.00"),  # B's refund only
                                ("2026-04", 3, 1, 0.5, "80.00")]
    assert cells["2026-02"] == [("2026-03", 1, 1, 1.0, "60.00"), ("2026-04", 2, 0, 0.0, "0.00")]
    assert cells["2026-03"] == [("2026-04", 1, 0, None, "0.00")]
    assert cells["2026-04"] == []
    quarters = client.get("/v1/retention/cohorts", params={
        "from": "2025-10-01", "to": "2026-06-30", "period": "quarter"}).json()
    assert [(c["cohort"], c["customers"], [(p["buyers"], p["share"]) for p in c["periods"]])
            for c in quarters] == [("2025-Q4", 1, [(1, 1.0), (0, 0.0)]),
                                   ("2026-Q1", 3, [(1, 0.3333)]),
                                   ("2026-Q2", 0, [])]


def test_filters_roles_and_csv(client):
    load(client, SHOP)
    mine = retention(client, "2026-01-01", "2026-02-28")
    rep_a = auth("rep", sub="rep-a")
    as_rep = client.get("/v1/retention", params={"from": "2026-01-01", "to": "2026-02-28"},
                        headers=rep_a).json()
    assert [r["buyers"] for r in mine] == [2, 2]
    assert [(r["buyers"], r["lost"]) for r in as_rep] == [(2, 0), (1, 1)]  # A and B only
    other = client.get("/v1/retention", params={"from": "2026-01-01", "to": "2026-02-28",
                                                "owner_id": "rep-b"}, headers=rep_a).json()
    assert [r["buyers"] for r in other] == [0, 0]  # a rep cannot look at another's customers
    team = retention(client, "2026-01-01", "2026-02-28", team_id="team-2")
    assert [r["buyers"] for r in team] == [0, 1]
    manager = client.get("/v1/retention/cohorts", params={"from": "2026-01-01",
                                                          "to": "2026-02-28"},
                         headers=auth("manager", sub="m", team_id="team-2")).json()
    assert [c["customers"] for c in manager] == [0, 1]
    client.post("/v1/recompute", json={"as_of": "2026-05-01"})
    tier_of_a = client.get("/v1/customers/A/value").json()["tier"]["name"]
    by_tier = retention(client, "2026-01-01", "2026-01-31", tier=tier_of_a)
    assert by_tier[0]["buyers"] >= 1
    segment = client.get("/v1/customers/C/value").json()["segment"]["name"]
    assert retention(client, "2026-02-01", "2026-02-28", segment=segment)[0]["new"] >= 1
    assert retention(client, "2026-01-01", "2026-01-31", segment="nobody")[0]["buyers"] == 0
    exported = client.get("/v1/retention", params={"from": "2026-01-01", "to": "2026-02-28",
                                                   "format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("period,from,to,buyers,new,retained,won_back,lost")
    assert lines[1].startswith("2026-01,2026-01-01,2026-01-31,2,2,0,0,1")
    flat = client.get("/v1/retention/cohorts", params={
        "from": "2026-01-01", "to": "2026-03-31", "format": "csv"}).text
    assert flat.lstrip("\ufeff").splitlines()[1] == "2026-01,2,2026-02,1,1,0.5,200.00"


@pytest.mark.parametrize("params", [
    {"from": "2026-02-01", "to": "2026-01-01"},
    {"from": "2000-01-01", "to": "2026-01-01"},
    {"from": "2026-01-01", "to": "2026-02-01", "period": "week"},
    {"from": "2026-01-01"},
])
def test_bad_ranges_are_refused(client, params):
    for path in ("/v1/retention", "/v1/retention/cohorts"):
        assert_problem(client.get(path, params=params), 422)
    assert_problem(client.get("/v1/retention", params={"from": "2026-01-01", "to": "2026-01-02"},
                              headers={"Authorization": "Bearer nope"}), 401)


ADDED_UP = ("buyers", "new", "retained", "repeat_buyers", "previous_buyers")


def by_team(client, path, start, end, period):
    """The report for each team apart: every customer is in one of the two."""
    return [client.get(path, params={"from": start, "to": end, "period": period,
                                     "team_id": team}).json() for team in ("team-1", "team-2")]


def test_company_totals_agree_with_the_customers_rows(client):
    """Company-wide reports read the running totals; a team's adds up its customers' rows.
    After late purchases, a refund, a merge and a full rebuild, the two teams still add up
    to the company, period by period and cohort by cohort."""
    from guanxi_segmentation.store.retention import rebuild_periods

    load(client, SHOP)
    client.post("/v1/events", headers=SERVICE, json={"events": [
        event("late-a", "purchase.recorded", {"id": "p-late-a", "customer_id": "A",
                                              "amount": "30", "purchased_on": "2026-03-09"}),
        event("refund-d", "purchase.recorded", {"id": "p-refund-d", "customer_id": "D",
                                                "amount": "-90", "purchased_on": "2026-03-20"}),
        event("merge", "customer.merged", {"merged_id": "C", "into_id": "D"})]})

    def check():
        for period, start, end in (("month", "2025-12-01", "2026-04-30"),
                                   ("quarter", "2025-10-01", "2026-06-30"),
                                   ("year", "2025-01-01", "2026-12-31")):
            company = retention(client, start, end, period)
            teams = by_team(client, "/v1/retention", start, end, period)
            for i, row in enumerate(company):
                for f in ADDED_UP:
                    assert row[f] == sum(t[i][f] for t in teams), (period, row["period"], f)
                assert Decimal(row["revenue"]) == sum(Decimal(t[i]["revenue"]) for t in teams)
            cohorts = client.get("/v1/retention/cohorts", params={
                "from": start, "to": end, "period": period}).json()
            team_cohorts = by_team(client, "/v1/retention/cohorts", start, end, period)
            for i, cohort in enumerate(cohorts):
                assert cohort["customers"] == sum(t[i]["customers"] for t in team_cohorts)
                for k, cell in enumerate(cohort["periods"]):
                    assert cell["buyers"] == sum(t[i]["periods"][k]["buyers"]
                                                 for t in team_cohorts)
                    assert Decimal(cell["revenue"]) == sum(
                        Decimal(t[i]["periods"][k]["revenue"]) for t in team_cohorts)
        return company

    year = {r["period"]: r for r in check()}["2026"]
    # C's purchases are D's now: three buyers; 1,050 before, then 30 more and a 90 refund
    assert (year["buyers"], year["revenue"]) == (3, "990.00")
    with client.app.state.sessions() as session:
        rebuild_periods(session)
        session.commit()
    assert {r["period"]: r for r in check()}["2026"] == year


def test_a_rolled_back_savepoint_takes_its_share_of_the_totals_along(client):
    """As when an event is dead-lettered after its purchase was counted: the savepoint goes,
    and so does what it added to the totals (even the table that held it), but not what the
    transaction added before it."""
    from guanxi_segmentation.store import retention as store
    from guanxi_segmentation.store.tables import PurchaseFact

    load(client, SHOP)
    before = {r["period"]: r for r in retention(client, "2026-01-01", "2026-04-30")}

    def counted_then_undone(session, n: int) -> None:
        savepoint = session.begin_nested()
        session.add(PurchaseFact(id=f"p-gone-{n}", customer_id="B",
                                 purchased_on=date(2026, 2, 3), amount=Decimal("999")))
        session.flush()
        store.rebuild_periods(session, ["B"])
        savepoint.rollback()

    with client.app.state.sessions() as session:
        store._PENDING.drop(session.connection(), checkfirst=True)  # made in the savepoint
        counted_then_undone(session, 1)
        session.commit()
    with client.app.state.sessions() as session:
        session.add(PurchaseFact(id="p-kept", customer_id="A", purchased_on=date(2026, 3, 3),
                                 amount=Decimal("40")))
        session.flush()
        store.rebuild_periods(session, ["A"])
        counted_then_undone(session, 2)
        session.commit()
    after = {r["period"]: r for r in retention(client, "2026-01-01", "2026-04-30")}
    assert after["2026-02"] == before["2026-02"]  # B's purchases are gone both times
    assert (after["2026-03"]["buyers"], after["2026-03"]["retained"],
            after["2026-03"]["revenue"]) == (3, 2, "140.00")  # A's stays: 100 + 40
