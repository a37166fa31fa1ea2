"""/v1/tasks and /v1/agenda: a rep's calls, visits, gifts and messages, with the context."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Principal, Writer
from guanxi_shared.db import local_today
from guanxi_shared.http_cache import check_if_match
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery

from ..schemas import tasks as schemas
from ..store import tasks as store
from ..store.tables import Task
from .deps import settings_of, tagged, visible_customer

router = APIRouter(tags=["tasks"])


@router.post("/v1/tasks", response_model=schemas.TaskRead, status_code=201)
def create_task(body: schemas.TaskCreate, session: DbSession, principal: Writer,
                response: Response) -> Task:
    customer = visible_customer(session, principal, body.customer_id)
    return tagged(response, store.create(session=session, customer=customer, task_in=body))


@router.get("/v1/tasks", response_model=schemas.TaskPage)
def list_tasks(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
               customer_id: Annotated[str | None, Query(max_length=32)] = None,
               assignee_id: Annotated[str | None, Query(max_length=64)] = None,
               status: Literal["open", "done"] | None = None,
               due_from: Day | None = None, due_to: Day | None = None,
               rule_id: Annotated[str | None, Query(
                   max_length=32, description="The rule, or the flow (referrer_thanks, "
                   "referral_ask, at_risk_revisit, contact_left, find_successor), that made "
                   "the task")] = None,
               recommendation: Annotated[schemas.Recommendation | None, Query(
                   description="Tasks following an opportunity's MAN advice")] = None,
               ) -> schemas.TaskPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page, filters={
        "customer_id": customer_id, "assignee_id": assignee_id, "status": status,
        "rule_id": rule_id, "recommendation": recommendation, "due_from": due_from,
        "due_to": due_to})
    return schemas.TaskPage(items=[schemas.TaskRead.model_validate(t, from_attributes=True)
                                   for t in rows],
                    next_cursor=cursor)


@router.get("/v1/tasks/{task_id}", response_model=schemas.TaskRead)
def get_task(task_id: str, session: DbSession, principal: CurrentPrincipal,
             response: Response) -> Task:
    return tagged(response, store.get_visible(session=session, principal=principal,
                                              task_id=task_id))


def _open_task(session: Session, principal: Principal, task_id: str, request: Request) -> Task:
    task = store.get_visible(session=session, principal=principal, task_id=task_id)
    check_if_match(request, task.id, task.version)
    return task


@router.post("/v1/tasks/{task_id}/complete", response_model=schemas.TaskRead)
def complete_task(task_id: str, body: schemas.TaskComplete, session: DbSession, principal: Writer,
                  request: Request, response: Response) -> Task:
    """Done, with the outcome and the result check (结果检查); a touch of the customer."""
    task = _open_task(session, principal, task_id, request)
    return tagged(response, store.complete(session=session, task=task, task_in=body))


def _change_open_task(session: Session, principal: Principal, task_id: str, request: Request,
                      response: Response,
                      body: schemas.TaskReschedule | schemas.TaskReassign) -> Task:
    task = _open_task(session, principal, task_id, request)
    return tagged(response, store.change_open(session=session, task=task,
                                              changes=body.model_dump(exclude_unset=True)))


@router.post("/v1/tasks/{task_id}/reschedule", response_model=schemas.TaskRead)
def reschedule_task(task_id: str, body: schemas.TaskReschedule, session: DbSession,
                    principal: Writer, request: Request, response: Response) -> Task:
    return _change_open_task(session, principal, task_id, request, response, body)


@router.post("/v1/tasks/{task_id}/reassign", response_model=schemas.TaskRead)
def reassign_task(task_id: str, body: schemas.TaskReassign, session: DbSession, principal: Writer,
                  request: Request, response: Response) -> Task:
    return _change_open_task(session, principal, task_id, request, response, body)


@router.get("/v1/agenda", response_model=schemas.AgendaRead)
def get_agenda(session: DbSession, principal: CurrentPrincipal, request: Request,
               assignee_id: Annotated[str | None, Query(max_length=64,
                                      description="Defaults to the caller")] = None,
               on: Annotated[Day | None, Query(description="Defaults to today")] = None,
               span: Literal["day", "week"] = "day",
               limit: Annotated[int, Query(ge=1, le=500)] = 200) -> schemas.AgendaRead:
    """Open tasks for one rep over a day or a week, each with the customer's context."""
    start = on or local_today(session)
    length = timedelta(days=6 if span == "week" else 0)
    end = start + length if start <= date.max - length else date.max
    who = assignee_id or principal.sub
    tasks = store.agenda(session=session, principal=principal, assignee_id=who, start=start,
                         end=end, limit=limit)
    briefs = store.customer_briefs(
        session=session, customer_ids=list({t.customer_id for t in tasks}), on=start,
        occasion_days=settings_of(request).upcoming_occasion_days)
    items = [schemas.AgendaItem(
        task=schemas.TaskRead.model_validate(t, from_attributes=True),
        customer=schemas.CustomerBrief.model_validate(briefs[t.customer_id])
        if t.customer_id in briefs else None) for t in tasks]
    birthdays = store.agenda_birthdays(session=session, principal=principal, owner_id=who,
                                       start=start, end=end)
    return schemas.AgendaRead(assignee_id=who, start=start, end=end, items=items,
                              birthdays=birthdays)
