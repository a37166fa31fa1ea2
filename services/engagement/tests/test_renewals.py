"""Recording renewals with a reason from the list, and the renewal report, by hand."""
from datetime import UTC, datetime

import pytest

from guanxi_engagement.domain.renewals import renewal_rate
from guanxi_engagement.store.tables import Reason
from guanxi_shared.periods import bounds, index_of, label
from guanxi_shared.reasons import default_rows, seed_if_empty
from guanxi_testing.fixtures import assert_problem, auth


@pytest.fixture(autouse=True)
def defaults(client):
    """What the migration seeds; the previous test's cleanup emptied every table."""
    with client.app.state.sessions() as session:
        seed_if_empty(session, Reason)


def test_periods_by_hand():
    day = datetime(2027, 2, 28).date()
    assert label(index_of(day, "month"), "month") == "2027-02"
    assert label(index_of(day, "quarter"), "quarter") == "2027-Q1"
    assert bounds(index_of(day, "quarter"), "quarter") == (datetime(2027, 1, 1).date(),
                                                           datetime(2027, 3, 31).date())
    assert bounds(index_of(day, "month"), "month")[1] == day
    assert renewal_rate(1, 3) == 0.25 and renewal_rate(0, 0) is None


def contract(client, cid, ends_on, amount, outcome=None, code=None):
    made = client.post("/v1/contracts", json={"customer_id": cid, "title": f"合同 {ends_on}",
                                              "ends_on": ends_on, "amount": amount})
    assert made.status_code == 201, made.text
    if outcome:
        body = {"renewal": outcome} | ({"reason_code": code, "reason": "备注"} if code else {})
        done = client.post(f"/v1/contracts/{made.json()['id']}/renewal", json=body)
        assert done.status_code == 200, done.text
    return made.json()["id"]


def test_not_renewed_takes_a_reason_code_from_the_list(api, client):
    api.customer("c1")
    cid = contract(client, "c1", "2027-01-10", "1000")
    url = f"/v1/contracts/{cid}/renewal"
    assert_problem(client.post(url, json={"renewal": "lost", "reason": "太贵"}), 422)
    body = assert_problem(client.post(url, json={"renewal": "lost", "reason_code": "weather"}),
                          422)
    assert body["errors"][0]["field"] == "reason_code"
    assert_problem(client.post(url, json={"renewal": "renewed", "reason_code": "price"}), 422)
    retired = [{k: v for k, v in r.items() if k != "updated_at"} | {"retired": r["code"] == "merger"}
               for r in default_rows()]
    api.feed("reasons.changed", {"reasons": retired,
                                 "changed_at": datetime.now(UTC).isoformat()})
    assert_problem(client.post(url, json={"renewal": "lost", "reason_code": "merger"}), 422)
    done = client.post(url, json={"renewal": "lost", "reason_code": "competitor",
                                  "reason": "对手低价"}).json()
    assert (done["renewal"], done["reason_code"], done["reason"]) == ("lost", "competitor",
                                                                      "对手低价")
    assert_problem(client.post(url, json={"renewal": "renewed"}), 409)


def test_renewal_report_counts_amounts_and_reasons(api, client):
    api.customer("c1", owner="rep-1")
    api.customer("c2", owner="rep-2")
    contract(client, "c1", "2027-01-10", "1000", "renewed")
    contract(client, "c1", "2027-01-20", "2000", "lost", "price")
    contract(client, "c2", "2027-02-05", "3000", "lost", "closure")
    contract(client, "c1", "2027-02-28", "4000")
    contract(client, "c1", "2027-03-31", "500", "lost", "price")
    contract(client, "c1", "2027-05-01", "999", "renewed")  # after 'to'
    report = client.get("/v1/renewals/report", params={"from": "2027-01-01",
                                                       "to": "2027-03-31"}).json()
    rows = {r["period"]: r for r in report["rows"]}
    assert list(rows) == ["2027-01", "2027-02", "2027-03"]
    tally = lambda row, k: (row[k]["contracts"], row[k]["amount"])  # noqa: E731
    jan, feb, total = rows["2027-01"], rows["2027-02"], report["total"]
    assert [tally(jan, k) for k in ("due", "renewed", "not_renewed", "open")] == [
        (2, "3000.00"), (1, "1000.00"), (1, "2000.00"), (0, "0.00")]
    assert jan["renewal_rate"] == 0.5 and jan["controllable"]["percent"] == 100.0
    assert tally(feb, "open") == (1, "4000.00") and feb["renewal_rate"] == 0.0
    assert feb["not_controllable"] == {"count": 1, "percent": 100.0}
    assert [tally(total, k) for k in ("due", "renewed", "not_renewed", "open")] == [
        (5, "10500.00"), (1, "1000.00"), (3, "5500.00"), (1, "4000.00")]
    assert total["renewal_rate"] == 0.25
    assert [(r["code"], r["count"], r["percent"]) for r in total["reasons"]] == [
        ("price", 2, 66.7), ("closure", 1, 33.3)]
    assert total["reasons"][0]["label_zh"] == "价格"
    assert total["controllable"] == {"count": 2, "percent": 66.7}
    assert total["not_controllable"] == {"count": 1, "percent": 33.3}
    quarter = client.get("/v1/renewals/report", params={"from": "2027-01-01",
                                                        "to": "2027-03-31",
                                                        "period": "quarter"}).json()
    assert [r["period"] for r in quarter["rows"]] == ["2027-Q1"]
    assert quarter["rows"][0]["due"] == total["due"]
    rep2 = client.get("/v1/renewals/report", headers=auth("rep", "rep-2"), params={
        "from": "2027-01-01", "to": "2027-03-31", "period": "year"}).json()
    assert tally(rep2["total"], "due") == (1, "3000.00")
    assert_problem(client.get("/v1/renewals/report", params={"from": "2027-02-01",
                                                             "to": "2027-01-01"}), 422)
    assert_problem(client.get("/v1/renewals/report", params={"from": "2000-01-01",
                                                             "to": "2027-01-01"}), 422)
