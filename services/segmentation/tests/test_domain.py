"""Segmentation rules with hand-computed cases, and the model against the published CDNOW fit."""
import csv
from pathlib import Path

import numpy as np
import pytest

from guanxi_segmentation.domain import clv, pareto, rfm, segments


def ids(n):
    return np.array([f"c{i:02d}" for i in range(n)])


def test_quintiles_on_ten_distinct_values():
    values = np.arange(1, 11, dtype=float)  # 1..10: two customers per quintile
    assert rfm.quintile_scores(values, ids(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # Recency: fewer days is better, so the order reverses.
    assert rfm.quintile_scores(values, ids(10), higher_is_better=False).tolist() == [
        5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_ties_are_broken_by_id_deterministically():
    values = np.array([5.0, 5.0, 5.0, 5.0, 5.0])
    first = rfm.quintile_scores(values, np.array(["e", "d", "c", "b", "a"]))
    assert first.tolist() == [5, 4, 3, 2, 1]  # same value: alphabetical id order
    again = rfm.quintile_scores(values[::-1], np.array(["a", "b", "c", "d", "e"]))
    assert again.tolist() == [1, 2, 3, 4, 5]


def test_one_customer_and_uneven_counts():
    assert rfm.quintile_scores(np.array([42.0]), ids(1)).tolist() == [1]
    # 7 customers: rank*5//7+1 -> 1,1,2,3,3,4,5
    assert rfm.quintile_scores(np.arange(7.0), ids(7)).tolist() == [1, 1, 2, 3, 3, 4, 5]


def test_zero_value_and_refunds_score_lowest():
    monetary = np.array([-50.0, 0.0, 0.0, 120.0, 300.0])  # a net refund, two zero-value
    assert rfm.quintile_scores(monetary, ids(5)).tolist() == [1, 2, 3, 4, 5]


def test_fixed_thresholds_and_their_edges():
    cuts = (10.0, 100.0, 1000.0, 10000.0)
    values = np.array([0.0, 10.0, 99.99, 100.0, 20000.0])
    assert rfm.threshold_scores(values, cuts).tolist() == [1, 2, 2, 3, 5]
    days = np.array([5.0, 30.0, 400.0])
    assert rfm.threshold_scores(days, (30, 90, 180, 365), higher_is_better=False).tolist() == [
        5, 4, 1]


@pytest.mark.parametrize(("r", "f", "m", "name"), [
    (5, 5, 5, "champions"), (5, 1, 1, "new_customers"), (4, 1, 1, "promising"),
    (4, 5, 4, "loyal"), (1, 5, 5, "cant_lose_them"), (2, 3, 3, "at_risk"),
    (4, 2, 3, "potential_loyalists"), (3, 2, 2, "need_attention"),
    (2, 1, 2, "about_to_sleep"), (1, 1, 1, "lost"), (1, 2, 2, "hibernating")])
def test_segment_mapping(r, f, m, name):
    got = segments.assign(np.array([r]), np.array([f]), np.array([m]))
    assert got.tolist() == [name]


def test_every_cell_has_a_segment():
    r, f, m = (a.ravel() for a in np.meshgrid(*[np.arange(1, 6)] * 3, indexing="ij"))
    assert segments.UNMATCHED not in set(segments.assign(r, f, m).tolist())


def test_pareto_tiers_and_share():
    values = np.array([800.0, 100, 50, 20, 10, 8, 5, 4, 2, 1])
    tiers = pareto.tiers(values, ids(10))
    assert tiers.tolist() == ["invest"] * 2 + ["keep"] * 6 + ["reconsider"] * 2
    _, top = pareto.curve(values, ids(10))
    assert top == pytest.approx(0.9, abs=1e-4)  # (800 + 100) / 1000


def test_simple_clv_reproduces_the_975_yuan_example():
    assert clv.simple_clv(first_sale_profit=75, repeat_profit=150, purchases_per_year=3,
                          lifetime_years=2) == 975


def cdnow():
    with (Path(__file__).parent / "data" / "cdnow_summary.csv").open() as f:
        rows = list(csv.DictReader(f))
    return (np.array([float(r[k]) for r in rows]) for k in ("x", "t_x", "T", "zbar"))


def test_bgnbd_matches_the_published_cdnow_fit():
    """Fader, Hardie & Lee (2005): r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4."""
    x, t_x, big_t, _ = cdnow()
    m = clv.fit_bgnbd(x, t_x, big_t)
    assert (m.r, m.alpha, m.a, m.b) == pytest.approx((0.243, 4.414, 0.793, 2.426), rel=0.01)
    assert m.log_likelihood == pytest.approx(-9582.4, abs=0.5)
    # Their worked example: a customer with x=2, t_x=30.43, T=38.86 buys ~1.23 in 39 weeks.
    one = clv.expected_purchases(m, 39, np.array([2.0]), np.array([30.43]), np.array([38.86]))
    assert one[0] == pytest.approx(1.226, abs=0.01)
    assert clv.probability_alive(m, np.array([0.0]), np.array([0.0]), np.array([38.86]))[0] == 1


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (0.5, 30.0, 1.0, 1.0),
                                    (2.7, 28.8, 3e-4, 1.2e5)])
def test_bgnbd_gradient_agrees_with_finite_differences(params):
    """The hand-derived gradient the fit follows, against the likelihood's own slope (central
    differences; a step of 1e-3 in log parameters, as smaller ones drown in the rounding of
    betaln when b is large)."""
    x, t_x, big_t, _ = cdnow()
    dx, dt_x, d_big_t, weight = clv._distinct(x, t_x, big_t)
    groups = np.unique(dx, return_inverse=True)

    def value(at):
        return clv._bgnbd_objective(at, dx, dt_x, d_big_t, weight, groups)[0]

    at, h = np.log(params), 1e-3
    numeric = [(value(at + h * e) - value(at - h * e)) / (2 * h) for e in np.eye(4)]
    _, gradient = clv._bgnbd_objective(at, dx, dt_x, d_big_t, weight, groups)
    assert gradient == pytest.approx(numeric, rel=1e-3, abs=1e-3)


def test_gamma_gamma_matches_the_published_cdnow_fit():
    """Fader, Hardie & Lee, "RFM and CLV" (2005): p=6.25, q=3.74, gamma=15.44."""
    x, _, _, zbar = cdnow()
    m = clv.fit_gamma_gamma(x, zbar)
    assert (m.p, m.q, m.gamma) == pytest.approx((6.25, 3.74, 15.44), rel=0.01)
