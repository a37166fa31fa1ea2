"""Idempotency-Key, If-Match/ETag and CSV cells, through a small app on a real database."""
from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from fastapi import Response
from sqlalchemy import func, select
from sqlmodel import SQLModel

from guanxi_shared.csv_export import csv_response, neutralise
from guanxi_shared.http_cache import etag, tagged
from guanxi_testing.fixtures import assert_problem, auth


def count_widgets(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(
            SQLModel.metadata.tables["widget"]))


def test_the_same_key_and_body_replay_the_first_answer(make_client, sessions):
    with make_client() as client:
        body = {"name": "teapot", "made_on": "2026-01-02"}
        first = client.post("/v1/widgets", json=body, headers={"Idempotency-Key": "k1"})
        again = client.post("/v1/widgets", json=body, headers={"Idempotency-Key": "k1"})
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert count_widgets(sessions) == 1
        other = client.post("/v1/widgets", json={**body, "name": "kettle"},
                            headers={"Idempotency-Key": "k1"})
        assert "different request" in assert_problem(other, 409)["detail"]
        assert count_widgets(sessions) == 1
        # a key belongs to its caller: another user's same key is a new request
        mine = client.post("/v1/widgets", json=body,
                           headers={"Idempotency-Key": "k1", **auth("rep", sub="u-2")})
        assert mine.status_code == 201 and mine.json()["id"] != first.json()["id"]
        assert_problem(client.post("/v1/widgets", json=body,
                                   headers={"Idempotency-Key": "k" * 256}), 400)
        assert count_widgets(sessions) == 2


def test_if_match_refuses_a_stale_version_and_the_answer_carries_the_new_etag(make_client):
    with make_client() as client:
        wid = client.post("/v1/widgets", json={"name": "a", "made_on": "2026-01-02"}).json()["id"]
        ok = client.patch(f"/v1/widgets/{wid}", json={"name": "b"},
                          headers={"If-Match": etag(wid, 1)})
        assert ok.status_code == 200 and ok.headers["ETag"] == f'"{wid}.2"'
        stale = client.patch(f"/v1/widgets/{wid}", json={"name": "c"},
                             headers={"If-Match": etag(wid, 1)})
        assert_problem(stale, 412)
        weak_list = client.patch(f"/v1/widgets/{wid}", json={"name": "d"},
                                 headers={"If-Match": f'"x.9", W/{etag(wid, 2)}'})
        assert weak_list.status_code == 200 and weak_list.json()["name"] == "d"
        star = client.patch(f"/v1/widgets/{wid}", json={"name": "e"}, headers={"If-Match": "*"})
        assert star.status_code == 200


def test_formula_cells_are_neutralised_and_other_values_kept():
    assert [neutralise(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "\tx", "plain", 5, None)] == \
        ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "plain", 5, None]
    resp = csv_response([{"name": "=HYPERLINK(\"x\")", "city": "北京"}], ["name", "city"],
                        "客户.csv")
    rows = list(csv.reader(io.StringIO(resp.body.decode("utf-8").lstrip("\ufeff"))))
    assert rows == [["name", "city"], ["'=HYPERLINK(\"x\")", "北京"]]
    assert "filename*=UTF-8''%E5%AE%A2%E6%88%B7.csv" in resp.headers["content-disposition"]


def test_tagged_puts_the_rows_etag_on_the_response_and_hands_the_row_back():
    row, response = SimpleNamespace(id="c1", version=3), Response()
    assert tagged(response, row) is row
    assert response.headers["ETag"] == etag("c1", 3) == '"c1.3"'
