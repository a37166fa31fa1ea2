"""The renewal report: one GROUP BY over contracts by end date, outcome and reason; the
handful of aggregated rows are then put into their periods."""
from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from guanxi_shared import reasons
from guanxi_shared.auth import Principal, where_visible
from guanxi_shared.errors import Invalid
from guanxi_shared.pagination import where_given, where_within
from guanxi_shared.periods import Period, bounds, index_of, label

from ..domain.renewals import renewal_rate
from ..schemas.renewals import RenewalPeriod, RenewalReport, Tally
from .tables import Contract, CustomerRef, Reason

OUTCOMES = {"renewed": "renewed", "lost": "not_renewed", "pending": "open"}


def check_reason_code(session: Session, code: str | None) -> None:
    """A contract not renewed names a reason on the company list that is not retired."""
    if code is not None and not reasons.active_code(session, Reason, code):
        raise Invalid(f"Reason '{code}' is not on the reasons list (or is retired)", errors=[{
            "loc": ["body", "reason_code"], "field": "reason_code", "type": "unknown_reason",
            "msg": "not an active reason; see the registry's GET /v1/reasons"}])


def report(*, session: Session, principal: Principal, period: Period, start: date, end: date,
           owner_id: str | None = None, team_id: str | None = None) -> RenewalReport:
    stmt = (select(Contract.ends_on, Contract.renewal, Contract.reason_code, func.count(),
                   func.coalesce(func.sum(Contract.amount), 0))
            .join(CustomerRef, CustomerRef.id == Contract.customer_id)
            .group_by(Contract.ends_on, Contract.renewal, Contract.reason_code))
    stmt = where_visible(stmt, principal, CustomerRef.owner_id, CustomerRef.team_id)
    stmt = where_given(stmt, (CustomerRef.owner_id, owner_id), (CustomerRef.team_id, team_id))
    stmt = where_within(stmt, Contract.ends_on, start, end)
    first, last = index_of(start, period), index_of(end, period)
    tallies: dict[int, dict[str, Any]] = {i: _empty() for i in range(first, last + 1)}
    total = _empty()
    for ends_on, renewal, code, n, amount in session.execute(stmt):
        for into in (tallies[index_of(ends_on, period)], total):
            outcome = OUTCOMES.get(renewal, "open")
            into[outcome][0] += n
            into[outcome][1] += Decimal(str(amount))
            if outcome == "not_renewed":
                into["codes"][code] += n
    labels = reasons.labels_of(session, Reason)
    rows = [_row(label(i, period), *bounds(i, period), tallies[i], labels)
            for i in range(first, last + 1)]
    return RenewalReport.model_validate({"period": period, "from": start, "to": end,
                                         "rows": rows,
                                         "total": _row("total", start, end, total, labels)})


def _empty() -> dict[str, Any]:
    return {"renewed": [0, Decimal(0)], "not_renewed": [0, Decimal(0)],
            "open": [0, Decimal(0)], "codes": Counter()}


def _row(name: str, first_day: date, last_day: date, t: dict[str, Any],
         labels: dict[str, Any]) -> RenewalPeriod:
    cent = Decimal("0.01")
    tally = {k: Tally(contracts=t[k][0], amount=t[k][1].quantize(cent))
             for k in ("renewed", "not_renewed", "open")}
    due = Tally(contracts=sum(x.contracts for x in tally.values()),
                amount=sum((x.amount for x in tally.values()), Decimal(0)))
    return RenewalPeriod(period=name, first_day=first_day, last_day=last_day, due=due,
                         renewal_rate=renewal_rate(t["renewed"][0], t["not_renewed"][0]),
                         **tally, **reasons.breakdown(t["codes"], labels).model_dump())
