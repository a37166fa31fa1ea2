"""Retention per period (回头率, 复购率) and cohorts of first purchases."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.csv_export import csv_response
from guanxi_shared.errors import Invalid
from guanxi_shared.models import Day
from guanxi_shared.periods import Period

from ..schemas.retention import Cohort, RetentionPeriod
from ..store import retention

router = APIRouter(prefix="/v1/retention", tags=["retention"])
MAX_DAYS = 3660  # ten years, as the churn report
RETENTION_COLUMNS = [f.alias or name for name, f in RetentionPeriod.model_fields.items()]
COHORT_COLUMNS = ["cohort", "customers", "period", "offset", "buyers", "share", "revenue"]


Start = Annotated[Day, Query(alias="from", description="A day in the first period")]
End = Annotated[Day, Query(alias="to", description="A day in the last period")]
Segment = Annotated[str | None, Query(max_length=40, description="Customers now in this segment")]
Tier = Literal["invest", "keep", "reconsider"] | None
OwnerId = Annotated[str | None, Query(max_length=64)]
TeamId = Annotated[str | None, Query(max_length=64)]


@dataclass(frozen=True)
class ReportParams:
    """What both reports are asked for: the periods, whose customers, and the format."""

    start: date
    end: date
    period: Period
    filters: dict[str, str | None]
    format: Literal["json", "csv"]


def report_params(start: Start, end: End, period: Period = "month", segment: Segment = None,
                  tier: Tier = None, owner_id: OwnerId = None, team_id: TeamId = None,
                  format: Literal["json", "csv"] = "json") -> ReportParams:
    if end < start or (end - start).days > MAX_DAYS:
        raise Invalid("'to' must not be before 'from' and at most ten years later")
    return ReportParams(start=start, end=end, period=period, format=format, filters={
        "segment": segment, "tier": tier, "owner_id": owner_id, "team_id": team_id})


ReportQuery = Annotated[ReportParams, Depends(report_params)]


@router.get("", response_model=list[RetentionPeriod], responses={200: {"content": {
    "text/csv": {}}}})
def retention_per_period(session: DbSession, principal: CurrentPrincipal,
                         query: ReportQuery) -> Any:
    """Buyers, new, retained, won back and lost customers, 回头率 and 复购率, and net revenue,
    per month, quarter or year (whole periods from the one holding `from` to the one holding
    `to`). A purchase counts when its amount is above zero; one day is one purchase day;
    refunds lower revenue but a refund alone is not buying."""
    rows = retention.retention_report(session, principal, query.start, query.end, query.period,
                                      **query.filters)
    if query.format == "csv":
        return csv_response((RetentionPeriod.model_validate(r).model_dump(mode="json",
                                                                           by_alias=True)
                             for r in rows), RETENTION_COLUMNS,
                            f"retention-{query.period}-{query.start}-{query.end}.csv")
    return rows


@router.get("/cohorts", response_model=list[Cohort], responses={200: {"content": {
    "text/csv": {}}}})
def cohorts(session: DbSession, principal: CurrentPrincipal, query: ReportQuery) -> Any:
    """Customers grouped by the period of their first purchase (cohorts from `from`'s period to
    `to`'s), and for each later period up to `to`'s the number and share of them who bought.
    `format=csv` gives one line per cohort and later period."""
    rows = retention.cohort_report(session, principal, query.start, query.end, query.period,
                                   **query.filters)
    if query.format == "csv":
        flat = ({"cohort": c["cohort"], "customers": c["customers"], **cell}
                for c in rows for cell in c["periods"])
        return csv_response(flat, COHORT_COLUMNS,
                            f"cohorts-{query.period}-{query.start}-{query.end}.csv")
    return rows
