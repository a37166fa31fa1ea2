"""/v1/visits: plan, prepare, hold and follow up a visit (拜访流程)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Principal, Writer, owner_filter
from guanxi_shared.errors import Conflict
from guanxi_shared.http_cache import set_etag
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery, paginate

from ..schemas.tasks import VisitComplete, VisitCreate, VisitPage, VisitRead, VisitUpdate
from ..store.tables import CustomerRef, Task, Visit
from ..store.tasks import FOLLOW_UP_RULE
from ..store.touches import publish_touch
from .deps import created, first_or_404, save_update, visible_customer

router = APIRouter(prefix="/v1/visits", tags=["visits"])


def visible_visits(principal: Principal):
    stmt = select(Visit).join(CustomerRef, CustomerRef.id == Visit.customer_id)
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    return stmt if condition is None else stmt.where(condition)


def visible_visit(session: Session, principal: Principal, visit_id: str) -> Visit:
    return first_or_404(session, visible_visits(principal).where(Visit.id == visit_id), "Visit",
                        visit_id)


@router.post("", response_model=VisitRead, status_code=201)
def plan_visit(body: VisitCreate, session: DbSession, principal: Writer,
               response: Response) -> Visit:
    customer = visible_customer(session, principal, body.customer_id)
    visit = Visit.model_validate({**body.model_dump(mode="json"),
                                  "owner_id": customer.owner_id or principal.sub})
    visit = created(session, visit, response)
    session.add(Task.model_validate({
        "rule_id": "visit", "subject_id": visit.id, "customer_id": visit.customer_id,
        "contact_id": visit.contact_id, "assignee_id": visit.owner_id, "kind": "visit",
        "title": f"Visit ({visit.purpose})", "due_on": visit.appointment_at.date().isoformat(),
        "visit_id": visit.id}))
    session.commit()
    return visit


@router.get("", response_model=VisitPage)
def list_visits(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                customer_id: Annotated[str | None, Query(max_length=32)] = None,
                status: Literal["planned", "done"] | None = None) -> VisitPage:
    stmt = visible_visits(principal)
    if customer_id:
        stmt = stmt.where(Visit.customer_id == customer_id)
    if status:
        stmt = stmt.where(Visit.status == status)
    rows, cursor = paginate(session, stmt, sort=Visit.id, key=Visit.id, page=page)
    return VisitPage(items=[VisitRead.model_validate(v, from_attributes=True) for v in rows],
                     next_cursor=cursor)


@router.get("/{visit_id}", response_model=VisitRead)
def get_visit(visit_id: str, session: DbSession, principal: CurrentPrincipal,
              response: Response) -> Visit:
    visit = visible_visit(session, principal, visit_id)
    set_etag(response, visit.id, visit.version)
    return visit


@router.patch("/{visit_id}", response_model=VisitRead)
def update_visit(visit_id: str, body: VisitUpdate, session: DbSession, principal: Writer,
                 request: Request, response: Response) -> Visit:
    return save_update(session, visible_visit(session, principal, visit_id), body, request,
                       response)


@router.post("/{visit_id}/complete", response_model=VisitRead)
def complete_visit(visit_id: str, body: VisitComplete, session: DbSession, principal: Writer,
                   request: Request, response: Response) -> Visit:
    """Record the result; a promised next appointment becomes an open follow-up task."""
    visit = visible_visit(session, principal, visit_id)
    if visit.status == "done":
        raise Conflict(f"Visit {visit_id} is already done")
    visit.status = "done"
    publish_touch(session, customer_id=visit.customer_id, contact_id=visit.contact_id,
                  kind="visit", source_id=visit.id, at=min(visit.appointment_at, utcnow()))
    if body.next_appointment_on:
        session.add(Task.model_validate({
            "rule_id": FOLLOW_UP_RULE, "subject_id": visit.id, "customer_id": visit.customer_id,
            "contact_id": visit.contact_id, "assignee_id": visit.owner_id, "kind": "visit",
            "title": "Promised follow-up visit", "due_on": body.next_appointment_on.isoformat(),
            "visit_id": visit.id}))
    return save_update(session, visit, body, request, response)
