"""Dependencies the needs routers share: settings, and objects loaded with the caller's rights."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Query, Request, Response
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Principal, Writer
from guanxi_shared.http_cache import check_if_match, tagged

from ..settings import Settings
from ..store import commitments, complaints, expectations, needs, opportunities
from ..store.tables import Commitment, Complaint, Expectation, Need, Opportunity

Row = TypeVar("Row", Commitment, Opportunity)


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


def visible_commitment(commitment_id: IdPath, session: DbSession,
                       principal: CurrentPrincipal) -> Commitment:
    return commitments.get(session=session, principal=principal, commitment_id=commitment_id)


@dataclass
class Change(Generic[Row]):
    """A writer's change to one row the caller may see: `session` and `principal` for the
    store, `checked()` the row once the caller's If-Match names its current version (else a
    412, after the body was validated), `tagged(row)` the row with its ETag on the answer."""

    row: Row
    session: Session
    principal: Principal
    request: Request
    response: Response

    def checked(self) -> Row:
        check_if_match(self.request, self.row.id, self.row.version)
        return self.row

    def tagged(self, row: Row) -> Row:
        return tagged(self.response, row)


def change_of(visible: Callable[..., Row]) -> Callable[..., Change[Row]]:
    """The dependency of a change to the row `visible` loads (unknown or hidden: 404 first)."""
    def change(row: Any = Depends(visible), *, session: DbSession, principal: Writer,
               request: Request, response: Response) -> Change[Row]:
        return Change(row, session, principal, request, response)
    return change


AppSettings = Annotated[Settings, Depends(app_settings)]
IdPath = Annotated[str, Path(max_length=32)]
IdFilter = Annotated[str | None, Query(max_length=64)]  # an id to filter a list by
RowIdFilter = Annotated[str | None, Query(max_length=32)]  # a customer, category, product
VisibleNeed = Annotated[Need, Depends(visible_need)]
VisibleOpportunity = Annotated[Opportunity, Depends(visible_opportunity)]
VisibleExpectation = Annotated[Expectation, Depends(visible_expectation)]
VisibleComplaint = Annotated[Complaint, Depends(visible_complaint)]
VisibleCommitment = Annotated[Commitment, Depends(visible_commitment)]
CommitmentChange = Annotated[Change[Commitment], Depends(change_of(visible_commitment))]
OpportunityChange = Annotated[Change[Opportunity], Depends(change_of(visible_opportunity))]
