"""/v1/expectations: the expectation management table (期望值管理表)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.http_cache import check_if_match, tagged
from guanxi_shared.pagination import PageQuery

from ..schemas import expectations as schemas
from ..store import expectations as store
from ..store.tables import Expectation
from .deps import RowIdFilter, VisibleExpectation

router = APIRouter(prefix="/v1/expectations", tags=["expectations"])


def _detail(session: DbSession, goal: Expectation, response: Response) -> schemas.ExpectationDetail:
    return store.detail(session=session, goal=tagged(response, goal))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.ExpectationDetail)
def add_goal(goal_in: schemas.ExpectationCreate, session: DbSession, principal: Writer,
             response: Response) -> schemas.ExpectationDetail:
    goal = store.create(session=session, principal=principal, goal_in=goal_in)
    return _detail(session, goal, response)


@router.get("", response_model=schemas.ExpectationPage)
def list_goals(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
               customer_id: RowIdFilter = None,
               goal_kind: schemas.GoalKind | None = None,
               reached: Annotated[bool | None, Query(
                   description="true: goals reached (and reported to the customer)")] = None,
               ) -> schemas.ExpectationPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   customer_id=customer_id, goal_kind=goal_kind, reached=reached)
    return schemas.ExpectationPage(items=[schemas.ExpectationRead.model_validate(r)
                                          for r in rows], next_cursor=cursor)


@router.get("/{expectation_id}", response_model=schemas.ExpectationDetail)
def read_goal(goal: VisibleExpectation, session: DbSession,
              response: Response) -> schemas.ExpectationDetail:
    return _detail(session, goal, response)


@router.patch("/{expectation_id}", response_model=schemas.ExpectationDetail)
def edit_goal(goal_in: schemas.ExpectationUpdate, goal: VisibleExpectation, session: DbSession,
              principal: Writer, request: Request, response: Response) -> schemas.ExpectationDetail:
    check_if_match(request, goal.id, goal.version)
    store.update(session=session, goal=goal, goal_in=goal_in)
    return _detail(session, goal, response)


@router.post("/{expectation_id}/checks", status_code=status.HTTP_201_CREATED,
             response_model=schemas.ExpectationDetail)
def check_result(check_in: schemas.CheckCreate, goal: VisibleExpectation, session: DbSession,
                 principal: Writer, response: Response) -> schemas.ExpectationDetail:
    """A result check; value scores publish satisfaction.scored for segmentation."""
    store.add_check(session=session, principal=principal, goal=goal, check_in=check_in)
    return _detail(session, goal, response)
