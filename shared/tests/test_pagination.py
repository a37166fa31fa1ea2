"""Cursor pagination and list filters against a real table."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from guanxi_shared.errors import BadRequest
from guanxi_shared.pagination import (
    PageParams,
    decode_cursor,
    encode_cursor,
    paginate,
    where_given,
    where_within,
)


@pytest.fixture
def widgets(sessions, Widget):
    rows = [Widget(id=f"w{i:02d}", name=f"n{i % 3}", made_on=date(2026, 1, 1 + i % 4),
                   colour="blue" if i % 2 else "red") for i in range(10)]
    with sessions() as session:
        session.add_all(rows)
        session.commit()
    return sessions


def walk(session, stmt, limit, Widget, descending=False):
    seen, cursor = [], None
    while True:
        rows, cursor = paginate(session, stmt, sort=Widget.made_on, key=Widget.id,
                                page=PageParams(limit=limit, cursor=cursor),
                                descending=descending)
        seen.append([r.id for r in rows])
        if cursor is None:
            return seen


def test_pages_cover_every_row_once_in_sort_order(widgets, Widget):
    with widgets() as session:
        pages = walk(session, select(Widget), 3, Widget)
        expected = [w.id for w in session.scalars(
            select(Widget).order_by(Widget.made_on, Widget.id))]
        backwards = walk(session, select(Widget), 4, Widget, descending=True)
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    assert [i for p in pages for i in p] == expected
    assert [i for p in backwards for i in p] == expected[::-1]
    # a date sort key survives the trip through the cursor (w00, w04, w08 made on Jan 1)
    assert pages[0] == ["w00", "w04", "w08"]


def test_a_limit_that_fits_exactly_has_no_next_page(widgets, Widget):
    with widgets() as session:
        rows, cursor = paginate(session, select(Widget), sort=Widget.id, key=Widget.id,
                                page=PageParams(limit=10, cursor=None))
    assert len(rows) == 10 and cursor is None


def test_a_forged_cursor_is_a_bad_request(Widget):
    columns = [Widget.made_on, Widget.id]
    assert decode_cursor(encode_cursor([date(2026, 1, 2), "w1"]), columns) == \
        [date(2026, 1, 2), "w1"]
    for bad in ("not-base64!", encode_cursor(["w1"]), encode_cursor(["yesterday", "w1"])):
        with pytest.raises(BadRequest):
            decode_cursor(bad, columns)


def test_where_given_skips_what_was_not_given_and_where_within_includes_both_ends(
        widgets, Widget):
    with widgets() as session:
        def ids(stmt):
            return sorted(session.scalars(stmt))

        base = select(Widget.id)
        assert ids(where_given(base, (Widget.colour, "blue"), (Widget.name, None))) == \
            ["w01", "w03", "w05", "w07", "w09"]
        assert ids(where_given(base, (Widget.colour, "blue"), (Widget.name, "n0"))) == \
            ["w03", "w09"]
        assert ids(where_within(base, Widget.made_on, date(2026, 1, 2), date(2026, 1, 3))) == \
            ["w01", "w02", "w05", "w06", "w09"]
        assert ids(where_within(base, Widget.made_on, date(2026, 1, 4), None)) == ["w03", "w07"]
        assert len(ids(where_within(base, Widget.made_on, None, None))) == 10
