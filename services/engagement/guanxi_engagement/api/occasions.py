"""/v1/occasions: weddings, moves and achievements (人生大事) of customers and their contacts."""
from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Principal, Writer
from guanxi_shared.errors import Invalid
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery, paginate, where_given, where_within

from ..domain.occasions import recurs_by_default
from ..schemas.occasions import (
    OccasionCreate,
    OccasionKind,
    OccasionPage,
    OccasionRead,
    OccasionUpdate,
)
from ..store.occasions import visible_occasions
from ..store.tables import ContactRef, Occasion
from .deps import created, first_or_404, save_update, visible_customer

router = APIRouter(prefix="/v1/occasions", tags=["occasions"])
audit = logging.getLogger("guanxi.audit")


def visible_occasion(session: Session, principal: Principal, occasion_id: str) -> Occasion:
    return first_or_404(session, visible_occasions(principal).where(Occasion.id == occasion_id),
                        "Occasion", occasion_id)


def check_contact(session: Session, customer_id: str, contact_id: str | None) -> None:
    """The contact, when one is named, must be one of the customer's."""
    if contact_id is None:
        return
    contact = session.get(ContactRef, contact_id)
    if contact is None or contact.customer_id != customer_id:
        raise Invalid(f"Contact {contact_id} is not a contact of customer {customer_id}",
                      errors=[{"loc": ["body", "contact_id"], "field": "contact_id",
                               "type": "unknown_contact", "msg": "not a contact of the customer"}])


@router.post("", response_model=OccasionRead, status_code=201)
def record_occasion(body: OccasionCreate, session: DbSession, principal: Writer,
                    response: Response) -> Occasion:
    """Record a wedding, a move or an achievement; rules with the life_event trigger greet it."""
    visible_customer(session, principal, body.customer_id)
    check_contact(session, body.customer_id, body.contact_id)
    recurs = body.recurs_yearly if body.recurs_yearly is not None \
        else recurs_by_default(body.kind)
    occasion = Occasion.model_validate({
        **body.model_dump(mode="json"), "recurs_yearly": recurs,
        "month": body.occurs_on.month, "day": body.occurs_on.day, "recorded_by": principal.sub})
    return created(session, occasion, response)


@router.get("", response_model=OccasionPage)
def list_occasions(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                   customer_id: Annotated[str | None, Query(max_length=32)] = None,
                   contact_id: Annotated[str | None, Query(max_length=32)] = None,
                   kind: OccasionKind | None = None,
                   occurs_from: Annotated[Day | None, Query(
                       description="Date on or after (the first date, not anniversaries)")] = None,
                   occurs_to: Day | None = None) -> OccasionPage:
    stmt = visible_occasions(principal)
    stmt = where_given(stmt, (Occasion.customer_id, customer_id),
                       (Occasion.contact_id, contact_id), (Occasion.kind, kind))
    stmt = where_within(stmt, Occasion.occurs_on, occurs_from, occurs_to)
    rows, cursor = paginate(session, stmt, sort=Occasion.id, key=Occasion.id, page=page)
    return OccasionPage(items=[OccasionRead.model_validate(o, from_attributes=True)
                               for o in rows], next_cursor=cursor)


@router.get("/{occasion_id}", response_model=OccasionRead)
def get_occasion(occasion_id: str, session: DbSession, principal: CurrentPrincipal,
                 response: Response) -> Occasion:
    occasion = visible_occasion(session, principal, occasion_id)
    set_etag(response, occasion.id, occasion.version)
    return occasion


@router.patch("/{occasion_id}", response_model=OccasionRead)
def update_occasion(occasion_id: str, body: OccasionUpdate, session: DbSession,
                    principal: Writer, request: Request, response: Response) -> Occasion:
    occasion = visible_occasion(session, principal, occasion_id)
    check_if_match(request, occasion.id, occasion.version)
    if "contact_id" in body.model_fields_set:
        check_contact(session, occasion.customer_id, body.contact_id)
    if body.occurs_on is not None:
        occasion.month, occasion.day = body.occurs_on.month, body.occurs_on.day
    return save_update(session, occasion, body, request, response)


@router.delete("/{occasion_id}", status_code=204)
def delete_occasion(occasion_id: str, session: DbSession, principal: Writer,
                    request: Request) -> Response:
    """Delete an occasion recorded by mistake; greetings already made stay in the log."""
    occasion = visible_occasion(session, principal, occasion_id)
    check_if_match(request, occasion.id, occasion.version)
    session.delete(occasion)
    session.commit()
    audit.info("occasion deleted", extra={"customer_id": occasion.customer_id,
                                          "occasion_id": occasion.id, "by": principal.sub})
    return Response(status_code=204)
