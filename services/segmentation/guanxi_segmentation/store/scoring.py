"""Scoring every customer at once (set-based), or one customer after a purchase.

One aggregate query reads what RFM, trends and the models need; NumPy does the scoring; the
results replace the score table with one bulk insert. A purchase rescores only its customer
with the cut points of the last full run.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    cast,
    func,
    select,
)
from sqlmodel import Session

from guanxi_shared.db import (
    bulk_insert_columns,
    cyclic_gc_paused,
    for_bulk_work,
    object_columns,
    reads_beside,
    rewritten,
    rows_in_key_ranges,
)
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish_many
from guanxi_shared.models import utcnow

from ..domain import clv, pareto, rfm, segments
from ..schemas.policy import PolicySettings
from . import episodes, snapshots
from .signals import Positions, day_number, only, risk_reasons, touches_query
from .tables import (
    CustomerScore,
    ModelFit,
    Policy,
    PurchaseFact,
    ScoreRun,
)


def policy(session: Session) -> PolicySettings:
    row = session.get(Policy, 1)
    return PolicySettings.model_validate(row.settings) if row else PolicySettings()


@dataclass
class Facts:
    ids: np.ndarray
    frequency: np.ndarray
    monetary: np.ndarray
    first: np.ndarray  # days since epoch
    last: np.ndarray
    recent_spend: np.ndarray
    previous_spend: np.ndarray

    @cached_property
    def positions(self) -> Positions:
        return Positions(self.ids)


EPOCH = np.datetime64("1970-01-01", "D")


def load_facts(session: Session, as_of: date, window_days: int,
               customer_id: str | None = None) -> Facts:
    """One GROUP BY over purchases up to `as_of` (refunds count as negative amounts).

    The database casts sums to floats and dates to day numbers, then NumPy converts whole
    columns at once: per-value Decimal and date objects would cost more than the query.
    """
    recent_from = as_of - timedelta(days=window_days)
    previous_from = recent_from - timedelta(days=window_days)
    day = PurchaseFact.purchased_on
    amount = PurchaseFact.amount_cents  # whole cents: exact, and integers sum fastest

    def query(within: ColumnElement[bool]) -> Select:
        return (select(PurchaseFact.customer_id, func.count(),
                       cast(func.sum(amount), Float),
                       day_number(session, func.min(day)), day_number(session, func.max(day)),
                       cast(func.sum(amount).filter(day > recent_from), Float),
                       cast(func.sum(amount).filter((day > previous_from)
                                                    & (day <= recent_from)), Float))
                .where(within, day <= as_of).group_by(PurchaseFact.customer_id)
                .order_by(PurchaseFact.customer_id))
    if customer_id:  # one customer: SQLAlchemy's cached statement, not a fresh compile
        rows = session.execute(query(PurchaseFact.customer_id == customer_id)).all()
    else:
        rows = rows_in_key_ranges(session, query, PurchaseFact.__table__.c.customer_id)
    cols = object_columns(rows, 7)
    unit = 100.0  # an exact integer over 100: the double nearest the sum
    spend = [np.nan_to_num(cols[:, i].astype(float)) / unit for i in (5, 6)]  # None: 0
    return Facts(ids=cols[:, 0].copy(), frequency=cols[:, 1].astype(np.int64),
                 monetary=cols[:, 2].astype(float) / unit,
                 first=cols[:, 3].astype(np.int64), last=cols[:, 4].astype(np.int64),
                 recent_spend=spend[0], previous_spend=spend[1])


def _days(as_of: date) -> int:
    return (as_of - date(1970, 1, 1)).days


def at_risk_reasons(facts: Facts, as_of: date, settings: PolicySettings,
                    segment_dropped: np.ndarray) -> list[list[str]]:
    """Why a customer may be slipping: a long gap against their own rhythm, falling spend, or a
    drop to a lower segment. Flags are vectorised; text is written only for flagged customers."""
    recency = _days(as_of) - facts.last
    rhythm = (facts.last - facts.first) / np.maximum(facts.frequency - 1, 1)
    long_gap = (facts.frequency > 1) & (recency > settings.at_risk_gap_factor
                                        * np.maximum(rhythm, 1))
    falling = (facts.previous_spend > 0) & (
        facts.recent_spend < settings.falling_spend_ratio * facts.previous_spend)
    out: list[list[str]] = [[] for _ in range(len(facts.ids))]
    # plain Python numbers: hundreds of thousands may be flagged, and NumPy scalars format slowly
    at = np.flatnonzero(long_gap)
    for i, days, usual in zip(at.tolist(), recency[at].tolist(), rhythm[at].tolist(),
                              strict=True):
        out[i].append(f"no purchase for {days} days against a usual gap of {usual:.0f} days")
    at = np.flatnonzero(falling)
    window = settings.trend_window_days
    for i, before, now in zip(at.tolist(), facts.previous_spend[at].tolist(),
                              facts.recent_spend[at].tolist(), strict=True):
        out[i].append(f"spend fell from {before:.2f} to {now:.2f} over the last {window} days")
    for i in np.flatnonzero(segment_dropped).tolist():
        out[i].append("dropped to a lower segment")
    return out


SEGMENT_RANK = {rule.name: i for i, rule in enumerate(reversed(segments.DEFAULT_RULES))}


def model_columns(session: Session, facts: Facts, as_of: date) -> tuple[np.ndarray, ...] | None:
    """p_alive, expected purchases next year and model CLV from the latest fit, if any."""
    fit = session.scalars(select(ModelFit).order_by(ModelFit.id.desc()).limit(1)).first()
    if fit is None or not len(facts.ids):
        return None
    res = fit.result
    unit = 7.0 if res["time_unit"] == "weeks" else 1.0
    x = (facts.frequency - 1).astype(float)
    t_x = (facts.last - facts.first) / unit
    big_t = (_days(as_of) - facts.first) / unit
    bg = clv.BgNbd(**{k: res["bgnbd"][k] for k in ("r", "alpha", "a", "b", "log_likelihood")})
    gg = clv.GammaGamma(**{k: res["gamma_gamma"][k] for k in ("p", "q", "gamma",
                                                             "log_likelihood")})
    alive = clv.probability_alive(bg, x, t_x, big_t)
    year = clv.expected_purchases(bg, 365.0 / unit, x, t_x, big_t)
    mean_spend = np.where(facts.frequency > 0, facts.monetary / np.maximum(facts.frequency, 1), 0)
    value = year * clv.expected_spend(gg, x, mean_spend)
    return alive, year, value


def score_columns(session: Session, facts: Facts, as_of: date, settings: PolicySettings,
                  cuts: dict[str, Any] | None, previous: Previous,
                  touches: list[tuple]) -> dict[str, list | np.ndarray]:
    """Every score, column by column (the shape bulk inserts and NumPy both like): NumPy
    arrays where a column is numbers, booleans or days without NULLs (binary COPY takes them
    whole), lists where it holds text, JSON or NULLs."""
    recency = (_days(as_of) - facts.last).astype(float)
    freq = facts.frequency.astype(float)
    if cuts is None:
        bins = (None if settings.binning == "quintiles" else rfm.Bins(
            **settings.fixed_bins.model_dump()))  # type: ignore[union-attr]
        r, f, m = rfm.score(recency, freq, facts.monetary, facts.positions.rank, bins)
        tiers = pareto.tiers(facts.monetary, facts.positions.rank)
    else:
        r = rfm.threshold_scores(recency, cuts["recency_days"], higher_is_better=False)
        f = rfm.threshold_scores(freq, cuts["frequency"])
        m = rfm.threshold_scores(facts.monetary, cuts["monetary"])
        tiers = np.where(facts.monetary >= cuts["invest_from"], "invest",
                         np.where(facts.monetary <= cuts["reconsider_to"], "reconsider", "keep"))
    names = segments.assign(r, f, m, settings.segment_rules)
    dropped = previous.dropped(names)
    reasons = at_risk_reasons(facts, as_of, settings, dropped)
    risk_reasons(session, facts.positions, facts.first, np.asarray(tiers), as_of, settings,
                 reasons, touches)
    at_risk = np.array([bool(x) for x in reasons], dtype=bool)
    model = model_columns(session, facts, as_of)
    years_seen = np.maximum((facts.last - facts.first) / 365.0, 1.0)
    per_purchase = facts.monetary / np.maximum(facts.frequency, 1)
    profit = per_purchase * settings.margin_rate
    simple = clv.simple_clv(first_sale_profit=profit, repeat_profit=profit,
                            purchases_per_year=(facts.frequency - 1) / years_seen,
                            lifetime_years=settings.expected_lifetime_years,
                            acquisition_cost=settings.acquisition_cost)
    columns = {
        "customer_id": facts.ids, "as_of": [as_of] * len(facts.ids),
        "recency_days": recency.astype(np.int64), "frequency": facts.frequency,
        "monetary": np.round(facts.monetary, 2),
        "first_purchase_on": EPOCH + facts.first, "last_purchase_on": EPOCH + facts.last,
        "r_score": np.asarray(r), "f_score": np.asarray(f), "m_score": np.asarray(m),
        "segment": names, "tier": tiers, "clv_simple": np.round(simple, 2),
        "clv_model": _finite_or_none(model, 2, digits=2, n=len(facts.ids)),
        "expected_purchases_year": _finite_or_none(model, 1, digits=4, n=len(facts.ids)),
        "p_alive": _finite_or_none(model, 0, digits=4, n=len(facts.ids)),
        "at_risk": at_risk, "at_risk_reasons": reasons,
        "at_risk_since": episodes.since(previous.since, at_risk, as_of),
        "updated_at": [utcnow()] * len(facts.ids)}
    return columns


def _ranks(names: np.ndarray) -> np.ndarray:
    """Each segment name's rank; a name outside the default rules ranks lowest (0)."""
    return np.array([SEGMENT_RANK.get(n, 0) for n in names.tolist()], dtype=np.int64)


@dataclass
class Previous:
    """The stored scores of the customers being scored, aligned with their ids."""
    segment: np.ndarray  # None where the customer has no score yet
    tier: np.ndarray
    since: np.ndarray  # when the open at-risk episode began; None: not at risk

    @property
    def at_risk(self) -> np.ndarray:
        return self.since != None  # noqa: E711 (elementwise)

    @staticmethod
    def query(ids: list[str] | None = None) -> Select:
        """In the table's order: a full run writes it in id order, and a sequential scan
        reads a million rows in half the time of a walk along the key."""
        c = CustomerScore.__table__.c  # plain rows, no ORM loading for a million
        return only(select(c.customer_id, c.segment, c.tier, c.at_risk_since),
                    c.customer_id, ids)

    @classmethod
    def align(cls, rows: list[tuple], facts: Facts) -> Previous:
        """The rows of `query` (at least the scored customers'), in the order of `facts`."""
        ids = facts.ids
        aligned = [np.full(len(ids), None, dtype=object) for _ in range(3)]
        if rows:
            stored_ids, *values = object_columns(rows, 4).T.copy()
            if len(stored_ids) == len(ids) and (stored_ids == ids).all():
                return cls(*values)  # the usual night: the same customers, in the same order
            at = facts.positions.of(stored_ids.astype(str))
            keep = at >= 0
            for target, column in zip(aligned, values, strict=True):
                target[at[keep]] = column[keep]
        return cls(*aligned)

    def dropped(self, names: np.ndarray) -> np.ndarray:
        """Who moved to a lower segment than their stored one."""
        return (self.segment != None) & (_ranks(names) < _ranks(self.segment))  # noqa: E711

    def changed(self, columns: dict[str, list]) -> list[int]:
        """Rows whose segment, tier or at-risk flag differ from the stored score (all new)."""
        differs = ((self.segment == None) | (self.segment != np.asarray(columns["segment"], dtype=object))  # noqa: E711
                   | (self.tier != np.asarray(columns["tier"], dtype=object))
                   | (self.at_risk != np.asarray(columns["at_risk"], dtype=bool)))
        return np.flatnonzero(differs).tolist()


def _finite_or_none(model: tuple[np.ndarray, ...] | None, index: int, digits: int,
                    n: int) -> list[float | None]:
    """Model outputs as plain floats; where the fitted model cannot say (NaN), None."""
    if model is None:
        return [None] * n
    values = np.round(model[index], digits)
    out = values.tolist()
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        out[i] = None
    return out


def full_recompute(*, session: Session, as_of: date, snapshot: bool = False) -> ScoreRun:
    with cyclic_gc_paused():
        return _full_recompute(session=session, as_of=as_of, snapshot=snapshot)


def _full_recompute(*, session: Session, as_of: date, snapshot: bool) -> ScoreRun:
    """The stored scores and touches are read beside the purchases' aggregate, the owners
    of opening episodes beside the score rows' write, and the events' items are built while
    the database builds the indexes: at a million customers each of these overlaps seconds of
    the other side's work."""
    started = time.perf_counter()
    if snapshot:
        snapshots.check_order(session, as_of)  # before the work, not after
    for_bulk_work(session)
    settings = policy(session)
    with reads_beside(session) as read:
        stored_scores, touches = read(Previous.query()), read(touches_query(session))
        facts = load_facts(session, as_of, settings.trend_window_days)
        previous = Previous.align(stored_scores(), facts)
        columns = score_columns(session, facts, as_of, settings, None, previous, touches())
        change = episodes.change(previous.since, columns)
        owners = read(episodes.owners_query(episodes.opening(change, columns)))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="score-events") as worker, \
                rewritten(session, CustomerScore.__table__) as scores:
            bulk_insert_columns(session, scores, columns)
            # Python builds them while the database builds the indexes
            segment_items = worker.submit(_segment_events, columns, previous.changed(columns))
            episode_items = worker.submit(
                lambda: episodes.items(change, columns, owners(), as_of))
    if snapshot:
        snapshots.keep(session, as_of)
    publish_many(session=session, event_type=EventType.segment_changed,
                 items=segment_items.result(), source="segmentation", batch_size=500)
    episodes.publish(session, *episode_items.result(), everyone=True)
    run = ScoreRun(as_of=as_of, customers=len(facts.ids), seconds=time.perf_counter() - started,
                   cuts=_cuts(facts, as_of))
    session.add(run)
    session.commit()
    return run


def _cuts(facts: Facts, as_of: date) -> dict[str, Any]:
    ranked = np.sort(facts.monetary)[::-1]
    n = len(ranked)
    return {"recency_days": rfm.quintile_cuts((_days(as_of) - facts.last).astype(float)),
            "frequency": rfm.quintile_cuts(facts.frequency.astype(float)),
            "monetary": rfm.quintile_cuts(facts.monetary),
            "invest_from": float(ranked[max(int(np.ceil(n * 0.2)) - 1, 0)]) if n else 0.0,
            "reconsider_to": float(ranked[n - max(int(np.floor(n * 0.2)), 1)]) if n else 0.0}


def rescore_customer(*, session: Session, customer_id: str, as_of: date) -> None:
    """After a purchase: this customer's scores with the last run's cut points (no commit)."""
    run = session.scalars(select(ScoreRun).order_by(ScoreRun.id.desc()).limit(1)).first()
    if run is None:
        return  # nothing is scored until the first full run
    settings = policy(session)
    facts = load_facts(session, as_of, settings.trend_window_days, customer_id=customer_id)
    if not len(facts.ids):
        return
    previous = Previous.align(session.execute(Previous.query([customer_id])).all(), facts)
    cuts = run.cuts | {"recency_days": tuple(run.cuts["recency_days"])}
    columns = score_columns(session, facts, as_of, settings, cuts, previous,
                            session.execute(touches_query(session, [customer_id])).all())
    session.merge(CustomerScore.model_validate({k: _plain(v)[0] for k, v in columns.items()}))
    if previous.changed(columns):
        publish_many(session=session, event_type=EventType.segment_changed,
                     items=_segment_events(columns, [0]), source="segmentation")
    episodes.track(session, previous.since, columns, as_of)


def _segment_events(columns: dict[str, list], rows: list[int]) -> list[dict[str, Any]]:
    """segment.changed items of these rows, built column by column (a million on a first run,
    where dict literals take half the time of dict(zip(...)))."""
    everyone = len(rows) == len(columns["customer_id"])  # a first run: no need to pick
    picked = [values if everyone else [values[i] for i in rows]
              for k in ("customer_id", "segment", "tier", "at_risk", "at_risk_reasons")
              for values in (_plain(columns[k]),)]
    return [{"customer_id": cid, "segment": segment, "tier": tier, "at_risk": at_risk,
             "at_risk_reasons": reasons}
            for cid, segment, tier, at_risk, reasons in zip(*picked, strict=True)]


def _plain(column: list | np.ndarray) -> list:
    """A column's values as Python's own (NumPy scalars are no JSON, nor model input)."""
    return column.tolist() if isinstance(column, np.ndarray) else column
