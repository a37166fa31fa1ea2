"""/v1/visits: plan, prepare, hold and follow up a visit (拜访流程), with the company's checklist
of the 21 visiting mistakes, a time limit and outline, and no visit closed without a next step."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Principal, Role, Writer, require_roles
from guanxi_shared.db import local_today
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery, paginate

from ..domain.visits import agenda_problem
from ..schemas.visits import (
    LackingFollowUp,
    LackingFollowUpPage,
    VisitCheckCreate,
    VisitCheckPage,
    VisitCheckRead,
    VisitCheckUpdate,
    VisitComplete,
    VisitCreate,
    VisitPage,
    VisitRead,
    VisitUpdate,
)
from ..store.tables import ContactRef, Task, Visit, VisitCheck
from ..store.tasks import FOLLOW_UP_RULE
from ..store.touches import publish_touch
from ..store.visits import THANKS_RULE, company_checklist, lacking_follow_up, visible_visits
from ..store.visits import visit_view as _view
from .deps import created, first_or_404, get_or_404, save_update, visible_customer

router = APIRouter(prefix="/v1/visits", tags=["visits"])
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]


def visible_visit(session: Session, principal: Principal, visit_id: str) -> Visit:
    return first_or_404(session, visible_visits(principal).where(Visit.id == visit_id), "Visit",
                        visit_id)


def read(visit: Visit) -> VisitRead:
    return VisitRead.model_validate(_view(visit))


@router.get("/checklist", response_model=VisitCheckPage)
def list_checks(session: DbSession, _: CurrentPrincipal, page: PageQuery,
                phase: Literal["before", "after"] | None = None,
                active: bool | None = None) -> VisitCheckPage:
    """The company's visit checklist: the course's 21 visiting mistakes (客户拜访的21个错误)
    and the thank-you, as every new visit plan receives them."""
    stmt = select(VisitCheck)
    if phase is not None:
        stmt = stmt.where(VisitCheck.phase == phase)
    if active is not None:
        stmt = stmt.where(VisitCheck.active == active)
    rows, cursor = paginate(session, stmt, sort=VisitCheck.id, key=VisitCheck.id, page=page)
    return VisitCheckPage(items=[VisitCheckRead.model_validate(c, from_attributes=True)
                                 for c in rows], next_cursor=cursor)


@router.post("/checklist", response_model=VisitCheckRead, status_code=201)
def add_check(body: VisitCheckCreate, session: DbSession, _: Admin,
              response: Response) -> VisitCheck:
    """An item of the company's own (admin)."""
    return created(session, VisitCheck.model_validate(body.model_dump()), response)


@router.get("/checklist/{check_id}", response_model=VisitCheckRead)
def get_check(check_id: str, session: DbSession, _: CurrentPrincipal,
              response: Response) -> VisitCheck:
    check = get_or_404(session, VisitCheck, check_id, "Checklist item")
    set_etag(response, check.id, check.version)
    return check


@router.patch("/checklist/{check_id}", response_model=VisitCheckRead)
def update_check(check_id: str, body: VisitCheckUpdate, session: DbSession,
                 _: Admin, request: Request,
                 response: Response) -> VisitCheck:
    """Reword, move or retire (active=false) an item (admin); plans already made keep theirs."""
    return save_update(session, get_or_404(session, VisitCheck, check_id, "Checklist item"),
                       body, request, response)


@router.get("/lacking-follow-up", response_model=LackingFollowUpPage)
def list_lacking_follow_up(session: DbSession, principal: Manager,
                           page: PageQuery) -> LackingFollowUpPage:
    """Done visits without a next step (mistake 21), for managers: closed without a next
    appointment (with the reason given), or whose promised follow-up is still open past its
    day. A manager sees their team's."""
    stmt = lacking_follow_up(principal, local_today(session))
    rows, cursor = paginate(session, stmt, sort=Visit.id, key=Visit.id, page=page)
    return LackingFollowUpPage(items=[LackingFollowUp(
        visit=read(visit), follow_up_due_on=due,
        why="no_follow_up" if visit.next_appointment_on is None else "follow_up_overdue")
        for visit, due in rows], next_cursor=cursor)


@router.post("", response_model=VisitRead, status_code=201)
def plan_visit(body: VisitCreate, session: DbSession, principal: Writer,
               response: Response) -> VisitRead:
    """Plan a visit. It carries the company's checklist (before: prepare; after: review) plus
    your own items, and a time limit with its outline (两分钟主题、八分钟家常)."""
    customer = visible_customer(session, principal, body.customer_id)
    data = body.model_dump(mode="json", exclude={"company_checklist"})
    if problem := agenda_problem(body.planned_minutes, data["agenda"]):
        raise Invalid(problem)
    checklist = (company_checklist(session) if body.company_checklist else []) \
        + data["checklist"]
    visit = Visit.model_validate({**data, "checklist": checklist,
                                  "owner_id": customer.owner_id or principal.sub})
    visit = created(session, visit, response)
    session.add(Task.model_validate({
        "rule_id": "visit", "subject_id": visit.id, "customer_id": visit.customer_id,
        "contact_id": visit.contact_id, "assignee_id": visit.owner_id, "kind": "visit",
        "title": f"Visit ({visit.purpose})", "due_on": visit.appointment_at.date().isoformat(),
        "visit_id": visit.id}))
    session.commit()
    return read(visit)


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
    return VisitPage(items=[read(v) for v in rows], next_cursor=cursor)


@router.get("/{visit_id}", response_model=VisitRead)
def get_visit(visit_id: str, session: DbSession, principal: CurrentPrincipal,
              response: Response) -> VisitRead:
    visit = visible_visit(session, principal, visit_id)
    set_etag(response, visit.id, visit.version)
    return read(visit)


@router.patch("/{visit_id}", response_model=VisitRead)
def update_visit(visit_id: str, body: VisitUpdate, session: DbSession, principal: Writer,
                 request: Request, response: Response) -> VisitRead:
    """Tick checklist items (also the after-visit review once it is done), move the
    appointment, change the time limit or outline."""
    visit = visible_visit(session, principal, visit_id)
    check_if_match(request, visit.id, visit.version)
    full = body.model_dump(mode="json")
    given = {key: full[key] for key in body.model_fields_set}
    for field in ("purpose", "appointment_at", "checklist", "agenda"):
        if field in given and given[field] is None:
            raise Invalid(f"{field} cannot be emptied with null")
    if visit.status == "done" and given.keys() - {"checklist"}:
        raise Conflict(f"Visit {visit_id} is done: only its checklist can still be ticked")
    planned = given.get("planned_minutes", visit.planned_minutes)
    if problem := agenda_problem(planned, given.get("agenda", visit.agenda)):
        raise Invalid(problem)
    for key, value in given.items():
        setattr(visit, key, value)
    return read(_saved(session, visit, response))


def _saved(session: Session, visit: Visit, response: Response) -> Visit:
    visit.version += 1
    session.add(visit)
    session.commit()
    session.refresh(visit)
    set_etag(response, visit.id, visit.version)
    return visit


@router.post("/{visit_id}/complete", response_model=VisitRead)
def complete_visit(visit_id: str, body: VisitComplete, session: DbSession, principal: Writer,
                   request: Request, response: Response) -> VisitRead:
    """Record the result and the next step (mistake 21): a next appointment becomes an open
    follow-up task; without one, the reason is kept and managers see the visit. The thank-you
    after the visit becomes a task due the day of the visit."""
    visit = visible_visit(session, principal, visit_id)
    if visit.status == "done":
        raise Conflict(f"Visit {visit_id} is already done")
    check_if_match(request, visit.id, visit.version)
    visit_day = visit.appointment_at.date()
    if body.next_appointment_on and body.next_appointment_on < visit_day:
        raise Invalid("next_appointment_on is before the visit itself")
    visit.status = "done"
    visit.completed_at = utcnow()
    publish_touch(session, customer_id=visit.customer_id, contact_id=visit.contact_id,
                  kind="visit", source_id=visit.id, at=min(visit.appointment_at, utcnow()))
    if body.next_appointment_on:
        session.add(Task.model_validate({
            "rule_id": FOLLOW_UP_RULE, "subject_id": visit.id, "customer_id": visit.customer_id,
            "contact_id": visit.contact_id, "assignee_id": visit.owner_id, "kind": "visit",
            "title": "Promised follow-up visit", "due_on": body.next_appointment_on.isoformat(),
            "visit_id": visit.id}))
    contact = session.get(ContactRef, visit.contact_id) if visit.contact_id else None
    thanks = Task.model_validate({
        "rule_id": THANKS_RULE, "subject_id": visit.id, "customer_id": visit.customer_id,
        "contact_id": visit.contact_id, "assignee_id": visit.owner_id, "kind": body.thanks_by,
        "title": f"Thank {contact.name if contact else 'the customer'} for the visit (致谢)",
        "due_on": max(visit_day, local_today(session)).isoformat(), "visit_id": visit.id})
    session.add(thanks)
    visit.thanks_task_id = thanks.id
    visit.result = body.result
    visit.next_appointment_on = body.next_appointment_on
    visit.no_follow_up_reason = None if body.next_appointment_on else body.no_follow_up_reason
    visit.actual_minutes = body.actual_minutes
    return read(_saved(session, visit, response))
