"""/v1/visits: plan, prepare, hold and follow up a visit (拜访流程), with the company's checklist
of the 21 visiting mistakes, a time limit and outline, and no visit closed without a next step."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Principal, Role, Writer, require_roles
from guanxi_shared.http_cache import check_if_match
from guanxi_shared.pagination import PageQuery

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
from ..store import visits as store
from ..store.tables import Visit, VisitCheck
from .deps import tagged, visible_customer

router = APIRouter(prefix="/v1/visits", tags=["visits"])
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]


def read(visit: Visit, response: Response | None = None) -> VisitRead:
    if response is not None:
        tagged(response, visit)
    return VisitRead.model_validate(store.visit_view(visit))


def _for_change(session: Session, principal: Principal, visit_id: str,
                request: Request) -> Visit:
    visit = store.get_visible(session=session, principal=principal, visit_id=visit_id)
    check_if_match(request, visit.id, visit.version)
    return visit


@router.get("/checklist", response_model=VisitCheckPage)
def list_checks(session: DbSession, _: CurrentPrincipal, page: PageQuery,
                phase: Literal["before", "after"] | None = None,
                active: bool | None = None) -> VisitCheckPage:
    """The company's visit checklist: the course's 21 visiting mistakes (客户拜访的21个错误)
    and the thank-you, as every new visit plan receives them."""
    rows, cursor = store.checks_page(session=session, page=page, phase=phase, active=active)
    return VisitCheckPage(items=[VisitCheckRead.model_validate(c, from_attributes=True)
                                 for c in rows], next_cursor=cursor)


@router.post("/checklist", response_model=VisitCheckRead, status_code=201)
def add_check(body: VisitCheckCreate, session: DbSession, _: Admin,
              response: Response) -> VisitCheck:
    """An item of the company's own (admin)."""
    return tagged(response, store.add_check(session=session, check_in=body))


@router.get("/checklist/{check_id}", response_model=VisitCheckRead)
def get_check(check_id: str, session: DbSession, _: CurrentPrincipal,
              response: Response) -> VisitCheck:
    return tagged(response, store.get_check(session=session, check_id=check_id))


@router.patch("/checklist/{check_id}", response_model=VisitCheckRead)
def update_check(check_id: str, body: VisitCheckUpdate, session: DbSession,
                 _: Admin, request: Request,
                 response: Response) -> VisitCheck:
    """Reword, move or retire (active=false) an item (admin); plans already made keep theirs."""
    check = store.get_check(session=session, check_id=check_id)
    check_if_match(request, check.id, check.version)
    return tagged(response, store.update_check(session=session, check=check, check_in=body))


@router.get("/lacking-follow-up", response_model=LackingFollowUpPage)
def list_lacking_follow_up(session: DbSession, principal: Manager,
                           page: PageQuery) -> LackingFollowUpPage:
    """Done visits without a next step (mistake 21), for managers: closed without a next
    appointment (with the reason given), or whose promised follow-up is still open past its
    day. A manager sees their team's."""
    rows, cursor = store.lacking_page(session=session, principal=principal, page=page)
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
    return read(store.plan(session=session, principal=principal, customer=customer,
                           visit_in=body), response)


@router.get("", response_model=VisitPage)
def list_visits(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                customer_id: Annotated[str | None, Query(max_length=32)] = None,
                status: Literal["planned", "done"] | None = None) -> VisitPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   customer_id=customer_id, status=status)
    return VisitPage(items=[read(v) for v in rows], next_cursor=cursor)


@router.get("/{visit_id}", response_model=VisitRead)
def get_visit(visit_id: str, session: DbSession, principal: CurrentPrincipal,
              response: Response) -> VisitRead:
    return read(store.get_visible(session=session, principal=principal, visit_id=visit_id),
                response)


@router.patch("/{visit_id}", response_model=VisitRead)
def update_visit(visit_id: str, body: VisitUpdate, session: DbSession, principal: Writer,
                 request: Request, response: Response) -> VisitRead:
    """Tick checklist items (also the after-visit review once it is done), move the
    appointment, change the time limit or outline."""
    visit = _for_change(session, principal, visit_id, request)
    return read(store.update(session=session, visit=visit, visit_in=body), response)


@router.post("/{visit_id}/complete", response_model=VisitRead)
def complete_visit(visit_id: str, body: VisitComplete, session: DbSession, principal: Writer,
                   request: Request, response: Response) -> VisitRead:
    """Record the result and the next step (mistake 21): a next appointment becomes an open
    follow-up task; without one, the reason is kept and managers see the visit. The thank-you
    after the visit becomes a task due the day of the visit."""
    visit = _for_change(session, principal, visit_id, request)
    return read(store.complete(session=session, visit=visit, visit_in=body), response)
