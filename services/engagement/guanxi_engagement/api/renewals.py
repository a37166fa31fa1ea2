"""/v1/renewals/report: the renewal report per month, quarter or year (续费报表)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.errors import Invalid
from guanxi_shared.models import Day
from guanxi_shared.periods import Period

from ..schemas.renewals import RenewalReport
from ..store import renewal_report as store

router = APIRouter(tags=["renewals"])
MAX_DAYS = 3660  # ten years of months is 120 rows


@router.get("/v1/renewals/report", response_model=RenewalReport, response_model_by_alias=True)
def renewal_report(
    session: DbSession, principal: CurrentPrincipal,
    start: Annotated[Day, Query(alias="from", description="First end date counted")],
    end: Annotated[Day, Query(alias="to", description="Last end date counted (included)")],
    period: Period = "month",
    owner_id: Annotated[str | None, Query(max_length=64)] = None,
    team_id: Annotated[str | None, Query(max_length=64)] = None,
) -> RenewalReport:
    """Per period, the contracts that ended in it: how many and for how much were due,
    renewed, not renewed and still open, and why they were not renewed, in percent, with
    the controllable share. A rep sees their own customers' contracts, a manager their
    team's."""
    if end < start or (end - start).days > MAX_DAYS:
        raise Invalid("'to' must be on or after 'from' and at most ten years later", errors=[{
            "loc": ["query", "to"], "field": "to", "type": "range",
            "msg": "on or after 'from', within ten years"}])
    return store.report(session=session, principal=principal, period=period, start=start,
                        end=end, owner_id=owner_id, team_id=team_id)
