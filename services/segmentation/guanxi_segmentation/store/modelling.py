"""Fitting BG/NBD + Gamma-Gamma on the company's own purchases, with a holdout check."""
from __future__ import annotations

import time
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Float, Select, String, case, cast, func, select
from sqlmodel import Session

from guanxi_shared.db import for_bulk_work, object_columns, rows_in_key_ranges
from guanxi_shared.errors import Invalid, NotFound

from ..domain import clv
from .tables import ModelFit, PurchaseFact

UNIT_DAYS = {"days": 1.0, "weeks": 7.0}
# Customers the four plus three parameters are estimated on; a larger base is a seeded random
# sample of this many (their standard errors are a fraction of a percent already, and the cost
# of the fit then stays that of 100,000 customers). The holdout check covers everyone.
FIT_SAMPLE = 100_000


def fit_data(session: Session, cut_off: date, holdout_end: date) -> tuple[np.ndarray, ...]:
    """Per customer with a purchase by the cut-off: ids, x (repeat purchase days), t_x, T in
    days, the mean repeat spend, and the purchase days after the cut-off up to `holdout_end`.
    Purchases on one day count as one transaction.

    One walk over the purchases in (customer, day) order: days, then each customer's first
    day by a window, then one row per customer; no hash of a million groups, no second pass
    for the holdout, and the holdout counts come aligned with the ids."""
    f = PurchaseFact

    def query(within: ColumnElement[bool]) -> Select:
        days = (select(f.customer_id.label("cid"), f.purchased_on.label("day"),
                       func.sum(f.amount_cents).label("cents"),
                       func.min(f.purchased_on).over(partition_by=f.customer_id).label("first"))
                .where(within, f.purchased_on <= max(cut_off, holdout_end))
                .group_by(f.customer_id, f.purchased_on).subquery())
        before = days.c.day <= cut_off
        return (select(days.c.cid, cast(func.min(days.c.first), String),
                       cast(func.max(case((before, days.c.day))), String),
                       func.count(case((before, 1))) - 1,
                       cast(func.coalesce(func.sum(case(
                           (before & (days.c.day > days.c.first), days.c.cents))), 0), Float),
                       func.count(case((days.c.day > cut_off, 1))))
                .where(days.c.first <= cut_off).group_by(days.c.cid).order_by(days.c.cid))
    rows = rows_in_key_ranges(session, query, f.__table__.c.customer_id)
    if not rows:
        raise Invalid(f"No purchases on or before {cut_off} to fit a model on")
    cols = object_columns(rows, 6)
    day = np.datetime64("1970-01-01", "D")
    first_d = (cols[:, 1].astype("datetime64[D]") - day).astype(float)
    last_d = (cols[:, 2].astype("datetime64[D]") - day).astype(float)
    cut = float((np.datetime64(cut_off, "D") - day).astype(int))
    x = cols[:, 3].astype(float)
    spend = cols[:, 4].astype(float) / 100  # cents: exact integers, summed
    mean_spend = np.where(x > 0, spend / np.maximum(x, 1), 0.0)
    return (cols[:, 0].astype(str), x, last_d - first_d, cut - first_d, mean_spend,
            cols[:, 5].astype(float))


def fit(*, session: Session, cut_off: date, time_unit: str, holdout_end: date) -> dict[str, Any]:
    started = time.perf_counter()
    for_bulk_work(session)
    unit = UNIT_DAYS[time_unit]
    ids, x, t_x_days, t_days, mean_spend, actual = fit_data(session, cut_off, holdout_end)
    t_x, big_t = t_x_days / unit, t_days / unit
    if int((x > 0).sum()) < 10:
        raise Invalid("At least 10 customers with repeat purchases are needed to fit the model")
    sample = _sample(len(ids))
    bg = clv.fit_bgnbd(x[sample], t_x[sample], big_t[sample])
    gg = clv.fit_gamma_gamma(x[sample], mean_spend[sample])
    horizon = (holdout_end - cut_off).days / unit
    holdout = None
    if horizon > 0:
        predicted = clv.expected_purchases(bg, horizon, x, t_x, big_t)
        usable = np.isfinite(predicted)
        predicted, actual = predicted[usable], actual[usable]
        holdout = {"from": cut_off, "to": holdout_end,
                   "predicted_purchases": round(float(predicted.sum()), 1),
                   "actual_purchases": int(actual.sum()),
                   "mean_absolute_error": round(float(np.abs(predicted - actual).mean()), 4),
                   "correlation": round(float(np.corrcoef(predicted, actual)[0, 1]), 4)
                   if actual.std() > 0 and predicted.std() > 0 else None}
    result = {
        "cut_off": cut_off.isoformat(), "time_unit": time_unit, "customers": len(ids),
        "fitted_on": min(len(ids), FIT_SAMPLE),
        "repeat_customers": int((x > 0).sum()),
        "bgnbd": {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b,
                  "log_likelihood": bg.log_likelihood},
        "gamma_gamma": {"p": gg.p, "q": gg.q, "gamma": gg.gamma,
                        "log_likelihood": gg.log_likelihood},
        "holdout": holdout and {k: (v.isoformat() if isinstance(v, date) else v)
                                for k, v in holdout.items()},
        "seconds": round(time.perf_counter() - started, 3),
    }
    result = _json_safe(result)
    session.add(ModelFit(result=result))
    session.commit()
    return result


def _sample(n: int) -> slice | np.ndarray:
    if n <= FIT_SAMPLE:
        return slice(None)
    return np.sort(np.random.default_rng(0).choice(n, FIT_SAMPLE, replace=False))


def _json_safe(value: Any) -> Any:
    """NaN and infinities (a degenerate fit) become None: JSON has no place for them."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def latest_fit(session: Session) -> dict[str, Any]:
    fit = session.scalars(select(ModelFit).order_by(ModelFit.id.desc()).limit(1)).first()
    if fit is None:
        raise NotFound("No model has been fitted yet; POST /v1/clv/fit")
    return fit.result
