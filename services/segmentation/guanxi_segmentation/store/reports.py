"""Reading the scores: grid, segments, Pareto, churn, migrations, value cards, lists."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import Select, case, func, select
from sqlmodel import Session

from guanxi_shared import reasons
from guanxi_shared.auth import Principal, owner_filter, where_visible
from guanxi_shared.db import local_today
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..domain import pareto
from . import snapshots
from .scoring import policy
from .tables import (
    BalanceRef,
    CustomerRef,
    CustomerScore,
    PurchaseFact,
    Reason,
    SatisfactionScore,
    ScoreRun,
    ScoreSnapshot,
    StatusChange,
)


def _scoped(stmt: Select, principal: Principal) -> Select:
    visible = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    if visible is None:
        return stmt
    return stmt.join(CustomerRef, CustomerRef.id == CustomerScore.customer_id).where(visible)


def latest_run(session: Session) -> ScoreRun | None:
    return session.scalars(select(ScoreRun).order_by(ScoreRun.id.desc()).limit(1)).first()


def scored_customers(*, session: Session, principal: Principal, page: PageParams,
                     segment: str | None = None, tier: str | None = None,
                     at_risk: bool | None = None, r_score: int | None = None,
                     f_score: int | None = None, owner_id: str | None = None,
                     ) -> tuple[list[Any], str | None]:
    """(score, name, owner_id) of the visible customers matching the filters given, highest
    value first."""
    stmt = select(CustomerScore, CustomerRef.name, CustomerRef.owner_id).join(
        CustomerRef, CustomerRef.id == CustomerScore.customer_id)
    stmt = where_visible(stmt, principal, CustomerRef.owner_id, CustomerRef.team_id)
    stmt = where_given(stmt, (CustomerScore.segment, segment), (CustomerScore.tier, tier),
                       (CustomerScore.at_risk, at_risk), (CustomerScore.r_score, r_score),
                       (CustomerScore.f_score, f_score), (CustomerRef.owner_id, owner_id))
    return paginate(session, stmt, sort=CustomerScore.monetary, key=CustomerScore.customer_id,
                    page=page, descending=True)


def grid(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """All 125 cells, with customer counts and revenue (empty cells included)."""
    stmt = _scoped(select(CustomerScore.r_score, CustomerScore.f_score, CustomerScore.m_score,
                          func.count(), func.coalesce(func.sum(CustomerScore.monetary), 0))
                   .group_by(CustomerScore.r_score, CustomerScore.f_score,
                             CustomerScore.m_score), principal)
    found = {(r, f, m): (n, total) for r, f, m, n, total in session.execute(stmt)}
    return [{"r": r, "f": f, "m": m, "customers": found.get((r, f, m), (0, 0))[0],
             "revenue": Decimal(found.get((r, f, m), (0, 0))[1]).quantize(Decimal("0.01"))}
            for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]


def segment_summary(session: Session, principal: Principal) -> list[dict[str, Any]]:
    rules = policy(session).segment_rules
    stmt = _scoped(select(CustomerScore.segment, func.count(),
                          func.coalesce(func.sum(CustomerScore.monetary), 0),
                          func.sum(case((CustomerScore.at_risk, 1), else_=0)))
                   .group_by(CustomerScore.segment), principal)
    found = {s: (n, total, risk) for s, n, total, risk in session.execute(stmt)}
    total_customers = sum(v[0] for v in found.values()) or 1
    out = []
    for rule in rules:
        n, revenue, risk = found.get(rule.name, (0, 0, 0))
        out.append({"name": rule.name, "label": rule.label, "strategy": rule.strategy,
                    "r_scores": list(rule.r), "fm_scores": list(rule.fm), "customers": n,
                    "share": round(n / total_customers, 4), "at_risk": int(risk or 0),
                    "revenue": Decimal(revenue).quantize(Decimal("0.01"))})
    return out


def pareto_report(session: Session, principal: Principal, measure: str) -> dict[str, Any]:
    margin = policy(session).margin_rate
    rows = session.execute(_scoped(select(CustomerScore.customer_id, CustomerScore.monetary),
                                   principal)).all()
    ids = np.array([r[0] for r in rows], dtype=str)
    values = np.array([float(r[1]) for r in rows]) * (margin if measure == "profit" else 1.0)
    points, top_share = pareto.curve(values, ids)
    tiers = pareto.tiers(values, ids) if len(ids) else np.array([])
    counts = Counter(tiers.tolist())
    return {"measure": measure, "customers": len(ids),
            "total": round(float(values.sum()), 2), "top_20_percent_share": top_share,
            "curve": points,
            "tiers": [{"tier": t, "customers": counts.get(t, 0),
                       "value": round(float(values[tiers == t].sum()), 2) if len(ids) else 0.0,
                       "strategy": pareto.TIER_STRATEGY[t]} for t in pareto.TIERS]}


def churn_report(session: Session, principal: Principal, start: date, end: date,
                 period: str) -> list[dict[str, Any]]:
    """Per period: customers recorded lost, the segment they were in, and why, in percent."""
    stmt = (select(StatusChange.customer_id, StatusChange.changed_at,
                   StatusChange.lost_reason_code)
            .join(CustomerRef, CustomerRef.id == StatusChange.customer_id)
            .where(StatusChange.status == "lost",
                   StatusChange.changed_at >= datetime.combine(start, time(), tzinfo=UTC),
                   StatusChange.changed_at < datetime.combine(end, time(), tzinfo=UTC)))
    stmt = where_visible(stmt, principal, CustomerRef.owner_id, CustomerRef.team_id)
    losses = session.execute(stmt).all()
    segment_of = _segments_before(session, [(cid, at.date()) for cid, at, _ in losses])
    labels = reasons.labels_of(session, Reason)
    buckets: dict[str, list[tuple[str, str | None]]] = {}
    for cid, at, code in losses:
        buckets.setdefault(_period_key(at.date(), period), []).append(
            (segment_of.get(cid, "unscored"), code))
    out = []
    for key in _period_keys(start, end, period):
        items = buckets.get(key, [])
        n = len(items)
        why = reasons.breakdown(Counter(code for _, code in items), labels)
        out.append({"period": key, "lost": n,
                    "segments": _percentages(Counter(s for s, _ in items), n),
                    **why.model_dump()})
    return out


def _segments_before(session: Session, losses: list[tuple[str, date]]) -> dict[str, str]:
    """The segment of each lost customer in the last snapshot before the loss, else today's."""
    ids = [cid for cid, _ in losses]
    if not ids:
        return {}
    current = dict(session.execute(select(CustomerScore.customer_id, CustomerScore.segment)
                                   .where(CustomerScore.customer_id.in_(ids))).tuples().all())
    when = dict(losses)
    for cid, day, segment in session.execute(
            select(ScoreSnapshot.customer_id, ScoreSnapshot.snapshot_date, ScoreSnapshot.segment)
            .where(ScoreSnapshot.customer_id.in_(ids))
            .order_by(ScoreSnapshot.snapshot_date)):
        if day <= when[cid]:
            current[cid] = segment
    return current


def _percentages(counts: Counter, total: int) -> list[dict[str, Any]]:
    return [{"name": name, "count": n, "percent": round(100 * n / total, 1)}
            for name, n in counts.most_common()] if total else []


def _period_key(day: date, period: str) -> str:
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period == "year":
        return str(day.year)
    return f"{day.year}-{day.month:02d}"


def _period_keys(start: date, end: date, period: str) -> list[str]:
    keys, day = [], start
    while day < end:
        key = _period_key(day, period)
        if key not in keys:
            keys.append(key)
        day += timedelta(days=1 if period == "month" else 28)
    return keys


def migration_matrix(session: Session, principal: Principal, start: date,
                     end: date) -> dict[str, Any]:
    """How many customers moved from each segment on `start` to each segment on `end`."""
    a, b = snapshots.as_of(start), snapshots.as_of(end)
    stmt = (select(a.c.segment, b.c.segment, func.count())
            .join(b, a.c.customer_id == b.c.customer_id).group_by(a.c.segment, b.c.segment))
    visible = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    if visible is not None:
        stmt = stmt.join(CustomerRef, CustomerRef.id == a.c.customer_id).where(visible)
    cells = [{"from": f, "to": t, "customers": n} for f, t, n in session.execute(stmt)]
    return {"from_date": start, "to_date": end, "cells": cells,
            "moved": sum(c["customers"] for c in cells if c["from"] != c["to"]),
            "stayed": sum(c["customers"] for c in cells if c["from"] == c["to"])}


def value_card(session: Session, customer: CustomerRef) -> dict[str, Any]:
    cid = customer.id
    count, total, first, last = session.execute(
        select(func.count(), func.coalesce(func.sum(PurchaseFact.amount), 0),
               func.min(PurchaseFact.purchased_on), func.max(PurchaseFact.purchased_on))
        .where(PurchaseFact.customer_id == cid)).one()
    score = session.get(CustomerScore, cid)
    rules = {r.name: r for r in policy(session).segment_rules}
    history = session.execute(select(ScoreSnapshot).where(ScoreSnapshot.customer_id == cid)
                              .order_by(ScoreSnapshot.snapshot_date)).scalars().all()
    satisfaction = session.scalars(select(SatisfactionScore)
                                   .where(SatisfactionScore.customer_id == cid)
                                   .order_by(SatisfactionScore.scored_on)).all()
    return {
        "customer_id": cid, "name": customer.name, "status": customer.status,
        "purchase_count": count, "total_spend": Decimal(total).quantize(Decimal("0.01")),
        "first_purchase_on": first, "last_purchase_on": last,
        "scored": score is not None,
        "rfm": None if score is None else {
            "as_of": score.as_of, "recency_days": score.recency_days,
            "frequency": score.frequency, "monetary": score.monetary, "r": score.r_score,
            "f": score.f_score, "m": score.m_score},
        "segment": None if score is None else {
            "name": score.segment, "label": rules[score.segment].label if score.segment in rules
            else score.segment, "strategy": rules[score.segment].strategy
            if score.segment in rules else ""},
        "tier": None if score is None else {"name": score.tier,
                                            "strategy": pareto.TIER_STRATEGY[score.tier]},
        "clv_simple": None if score is None else score.clv_simple,
        "clv_model": None if score is None else score.clv_model,
        "expected_purchases_next_year": None if score is None else score.expected_purchases_year,
        "p_alive": None if score is None else score.p_alive,
        "at_risk": bool(score and score.at_risk),
        "at_risk_reasons": [] if score is None else score.at_risk_reasons,
        "at_risk_since": None if score is None else score.at_risk_since,
        "relationship_balance": None if (bal := session.get(BalanceRef, cid)) is None
        else bal.balance,
        "trend": trend(session, cid, local_today(session)),
        "satisfaction": [{"scored_on": s.scored_on, "expected": s.expected,
                          "experienced": s.experienced, "index": s.index} for s in satisfaction],
        "history": [{"date": h.snapshot_date, "r": h.r_score, "f": h.f_score, "m": h.m_score,
                     "segment": h.segment, "tier": h.tier} for h in history],
    }


def trend(session: Session, customer_id: str, today: date, quarters: int = 4,
          ) -> list[dict[str, Any]]:
    """Purchases and spend in each of the last quarters (rolling 91-day windows), oldest first."""
    starts = [today - timedelta(days=91 * (k + 1)) for k in reversed(range(quarters))]
    rows = session.execute(select(PurchaseFact.purchased_on, PurchaseFact.amount).where(
        PurchaseFact.customer_id == customer_id, PurchaseFact.purchased_on > starts[0])).all()
    out = []
    for start in starts:
        end = start + timedelta(days=91)
        inside = [amount for day, amount in rows if start < day <= end]
        out.append({"from": start + timedelta(days=1), "to": end, "purchases": len(inside),
                    "spend": sum(inside, Decimal(0)).quantize(Decimal("0.01"))})
    return out
