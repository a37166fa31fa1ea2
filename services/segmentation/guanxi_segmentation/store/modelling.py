"""Fitting BG/NBD + Gamma-Gamma on the company's own purchases, with a holdout check."""
from __future__ import annotations

import time
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Float, String, case, cast, func, select
from sqlmodel import Session

from guanxi_shared.db import for_bulk_work, plain_rows
from guanxi_shared.errors import Invalid, NotFound

from ..domain import clv
from .tables import ModelFit, PurchaseFact

UNIT_DAYS = {"days": 1.0, "weeks": 7.0}
# Customers the four plus three parameters are estimated on; a larger base is a seeded random
# sample of this many (their standard errors are a fraction of a percent already, and the cost
# of the fit then stays that of 100,000 customers). The holdout check covers everyone.
FIT_SAMPLE = 100_000


def fit_data(session: Session, cut_off: date) -> tuple[np.ndarray, ...]:
    """Per customer with a purchase by the cut-off: ids, x (repeat purchase days), t_x, T in
    days, and the mean repeat spend. Purchases on one day count as one transaction."""
    firsts = (select(PurchaseFact.customer_id.label("cid"),
                     func.min(PurchaseFact.purchased_on).label("first"))
              .where(PurchaseFact.purchased_on <= cut_off)
              .group_by(PurchaseFact.customer_id).subquery())
    repeat = PurchaseFact.purchased_on > firsts.c.first
    rows = plain_rows(session, select(
        firsts.c.cid, cast(firsts.c.first, String), cast(func.max(PurchaseFact.purchased_on),
                                                         String),
        func.count(func.distinct(case((repeat, PurchaseFact.purchased_on)))),
        cast(func.coalesce(func.sum(case((repeat, PurchaseFact.amount), else_=0)), 0), Float))
        .join(firsts, firsts.c.cid == PurchaseFact.customer_id)
        .where(PurchaseFact.purchased_on <= cut_off)
        .group_by(firsts.c.cid, firsts.c.first).order_by(firsts.c.cid))
    if not rows:
        raise Invalid(f"No purchases on or before {cut_off} to fit a model on")
    cid, first, last, x, repeat_spend = (list(c) for c in zip(*rows, strict=True))
    day = np.datetime64("1970-01-01", "D")
    first_d = (np.array(first, dtype="datetime64[D]") - day).astype(float)
    last_d = (np.array(last, dtype="datetime64[D]") - day).astype(float)
    cut = float((np.datetime64(cut_off, "D") - day).astype(int))
    x = np.array(x, dtype=float)
    spend = np.array(repeat_spend, dtype=float)
    mean_spend = np.where(x > 0, spend / np.maximum(x, 1), 0.0)
    return np.array(cid), x, last_d - first_d, cut - first_d, mean_spend


def actual_after(session: Session, cut_off: date, end: date) -> dict[str, int]:
    rows = session.execute(select(PurchaseFact.customer_id,
                                  func.count(func.distinct(PurchaseFact.purchased_on)))
                           .where(PurchaseFact.purchased_on > cut_off,
                                  PurchaseFact.purchased_on <= end)
                           .group_by(PurchaseFact.customer_id)).tuples().all()
    return dict(rows)


def fit(*, session: Session, cut_off: date, time_unit: str, holdout_end: date) -> dict[str, Any]:
    started = time.perf_counter()
    for_bulk_work(session)
    unit = UNIT_DAYS[time_unit]
    ids, x, t_x_days, t_days, mean_spend = fit_data(session, cut_off)
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
        actual_by_id = actual_after(session, cut_off, holdout_end)
        actual = np.array([actual_by_id.get(c, 0) for c in ids], dtype=float)
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
