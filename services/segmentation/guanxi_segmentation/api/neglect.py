"""Neglect: customers nobody has touched for longer than their tier allows."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.csv_export import csv_response
from guanxi_shared.db import local_today
from guanxi_shared.pagination import PageQuery

from ..schemas.neglect import NeglectedCustomer, NeglectGroup, NeglectPage
from ..store import neglect

router = APIRouter(prefix="/v1/neglect", tags=["neglect"])
CSV_COLUMNS = list(NeglectedCustomer.model_fields)
OwnerId = Annotated[str | None, Query(max_length=64)]
TeamId = Annotated[str | None, Query(max_length=64)]


@router.get("", response_model=NeglectPage, responses={200: {"content": {"text/csv": {}}}})
def neglected_customers(
    session: DbSession, principal: CurrentPrincipal, page: PageQuery,
    owner_id: OwnerId = None, team_id: TeamId = None,
    tier: Literal["invest", "keep", "reconsider"] | None = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """Customers without a touch (call, visit, task done, message delivered, gift, complaint
    closed) for longer than their tier allows (policy `neglect_days`: 30, 90 and 180 days by
    default), the longest untouched first. Never touched: counted from the first purchase.
    Lost customers are not listed. `format=csv` downloads the page."""
    items, cursor = neglect.neglect_list(session, principal, local_today(session), page,
                                         owner_id=owner_id, team_id=team_id, tier=tier)
    if format == "csv":
        return csv_response(items, CSV_COLUMNS, "neglected-customers.csv")
    return NeglectPage(items=[NeglectedCustomer.model_validate(i) for i in items],
                       next_cursor=cursor)


@router.get("/summary", response_model=list[NeglectGroup])
def neglect_summary(session: DbSession, principal: CurrentPrincipal,
                    by: Literal["owner", "team"] = "owner", owner_id: OwnerId = None,
                    team_id: TeamId = None) -> list[dict[str, Any]]:
    """Per owner or per team: customers, how many are neglected, and the longest gap; the
    most neglected first."""
    return neglect.neglect_summary(session, principal, local_today(session), by,
                                   owner_id=owner_id, team_id=team_id)
