"""Dependencies the needs routers share: settings, and objects loaded with the caller's rights."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal

from ..settings import Settings
from ..store import complaints, expectations, needs, opportunities
from ..store.tables import Complaint, Expectation, Need, Opportunity


def app_settings(request: Request) -> Settings:
    return request.app.state.settings


def visible_need(need_id: str, session: DbSession, principal: CurrentPrincipal) -> Need:
    return needs.get(session=session, principal=principal, need_id=need_id)


def visible_opportunity(opportunity_id: str, session: DbSession,
                        principal: CurrentPrincipal) -> Opportunity:
    return opportunities.get(session=session, principal=principal,
                             opportunity_id=opportunity_id)


def visible_expectation(expectation_id: str, session: DbSession,
                        principal: CurrentPrincipal) -> Expectation:
    return expectations.get(session=session, principal=principal,
                            expectation_id=expectation_id)


def visible_complaint(complaint_id: str, session: DbSession,
                      principal: CurrentPrincipal) -> Complaint:
    return complaints.get(session=session, principal=principal, complaint_id=complaint_id)


AppSettings = Annotated[Settings, Depends(app_settings)]
IdPath = Annotated[str, Path(max_length=32)]
IdFilter = Annotated[str | None, Query(max_length=64)]  # an id to filter a list by
RowIdFilter = Annotated[str | None, Query(max_length=32)]  # a customer, category, product
VisibleNeed = Annotated[Need, Depends(visible_need)]
VisibleOpportunity = Annotated[Opportunity, Depends(visible_opportunity)]
VisibleExpectation = Annotated[Expectation, Depends(visible_expectation)]
VisibleComplaint = Annotated[Complaint, Depends(visible_complaint)]
