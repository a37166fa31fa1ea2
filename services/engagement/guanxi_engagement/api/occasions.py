"""/v1/occasions: weddings, moves and achievements (人生大事) of customers and their contacts."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.http_cache import check_if_match
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery

from ..schemas.occasions import (
    OccasionCreate,
    OccasionKind,
    OccasionPage,
    OccasionRead,
    OccasionUpdate,
)
from ..store import occasions as store
from ..store.tables import Occasion
from .deps import tagged, visible_customer

router = APIRouter(prefix="/v1/occasions", tags=["occasions"])


@router.post("", response_model=OccasionRead, status_code=201)
def record_occasion(body: OccasionCreate, session: DbSession, principal: Writer,
                    response: Response) -> Occasion:
    """Record a wedding, a move or an achievement; rules with the life_event trigger greet it."""
    visible_customer(session, principal, body.customer_id)
    return tagged(response, store.record(session=session, occasion_in=body,
                                         recorded_by=principal.sub))


@router.get("", response_model=OccasionPage)
def list_occasions(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                   customer_id: Annotated[str | None, Query(max_length=32)] = None,
                   contact_id: Annotated[str | None, Query(max_length=32)] = None,
                   kind: OccasionKind | None = None,
                   occurs_from: Annotated[Day | None, Query(
                       description="Date on or after (the first date, not anniversaries)")] = None,
                   occurs_to: Day | None = None) -> OccasionPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page, filters={
        "customer_id": customer_id, "contact_id": contact_id, "kind": kind,
        "occurs_from": occurs_from, "occurs_to": occurs_to})
    return OccasionPage(items=[OccasionRead.model_validate(o, from_attributes=True)
                               for o in rows], next_cursor=cursor)


@router.get("/{occasion_id}", response_model=OccasionRead)
def get_occasion(occasion_id: str, session: DbSession, principal: CurrentPrincipal,
                 response: Response) -> Occasion:
    return tagged(response, store.get_visible(session=session, principal=principal,
                                              occasion_id=occasion_id))


@router.patch("/{occasion_id}", response_model=OccasionRead)
def update_occasion(occasion_id: str, body: OccasionUpdate, session: DbSession,
                    principal: Writer, request: Request, response: Response) -> Occasion:
    occasion = store.get_visible(session=session, principal=principal, occasion_id=occasion_id)
    check_if_match(request, occasion.id, occasion.version)
    return tagged(response, store.update(session=session, occasion=occasion,
                                         occasion_in=body))


@router.delete("/{occasion_id}", status_code=204)
def delete_occasion(occasion_id: str, session: DbSession, principal: Writer,
                    request: Request) -> Response:
    """Delete an occasion recorded by mistake; greetings already made stay in the log."""
    occasion = store.get_visible(session=session, principal=principal, occasion_id=occasion_id)
    check_if_match(request, occasion.id, occasion.version)
    store.delete(session=session, occasion=occasion, by=principal.sub)
    return Response(status_code=204)
