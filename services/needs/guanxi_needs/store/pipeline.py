"""Pipeline views in SQL: by stage, owner or period, weighted forecast, win rate, cycle time."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import case, func, select
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.models import money, utcnow
from guanxi_shared.pagination import where_within

from ..domain.opportunity_rules import Stage
from ..schemas.opportunities import Pipeline, PipelineRow
from .access import scoped
from .opportunities import CLOSED_STAGES, visibility_rules
from .periods import Period, bucket, days_between
from .tables import Opportunity


class PipelineBy(StrEnum):
    stage = "stage"
    owner = "owner"
    month = "month"


def pipeline(*, session: Session, principal: Principal, group_by: PipelineBy,
             close_from: date | None, close_to: date | None) -> Pipeline:
    """Open opportunities grouped (expected close in the window), and the closed ones' record."""
    visibility = visibility_rules(session, utcnow())
    keys = {PipelineBy.stage: Opportunity.stage, PipelineBy.owner: Opportunity.owner_id,
            PipelineBy.month: bucket(session, Opportunity.expected_close_on, Period.month)}
    key = keys[group_by].label("key")
    weighted = func.sum(Opportunity.expected_amount * Opportunity.probability)
    open_stmt = scoped(select(key, func.count().label("n"),
                              func.sum(Opportunity.expected_amount).label("amount"),
                              weighted.label("weighted")).select_from(Opportunity),
                       principal, Opportunity, **visibility)
    open_stmt = open_stmt.where(Opportunity.stage.not_in(CLOSED_STAGES))
    closed_stmt = scoped(
        select(func.count(case((Opportunity.stage == Stage.won, 1))).label("won"),
               func.count(case((Opportunity.stage == Stage.lost, 1))).label("lost"),
               func.avg(case((Opportunity.stage == Stage.won,
                              days_between(session, Opportunity.closed_on,
                                           Opportunity.created_at)))).label("cycle"))
        .select_from(Opportunity), principal, Opportunity, **visibility)
    closed_stmt = closed_stmt.where(Opportunity.stage.in_(CLOSED_STAGES))
    open_stmt = where_within(open_stmt, Opportunity.expected_close_on, close_from, close_to)
    closed_stmt = where_within(closed_stmt, Opportunity.closed_on, close_from, close_to)
    rows = [PipelineRow(key=r.key, opportunities=r.n, amount=money(r.amount or 0),
                        weighted=money(r.weighted or 0))
            for r in session.execute(open_stmt.group_by(key).order_by(key))]
    record = session.execute(closed_stmt).one()
    decided = record.won + record.lost
    return Pipeline(
        group_by=group_by.value, rows=rows,
        open_opportunities=sum(r.opportunities for r in rows),
        weighted_forecast=money(sum((r.weighted for r in rows), Decimal(0))),
        won=record.won, lost=record.lost,
        win_rate=round(record.won / decided, 4) if decided else None,
        average_cycle_days=round(float(record.cycle), 1) if record.cycle is not None else None)
