"""/v1/needs and /v1/categories: the needs library, its analytics and the category tree."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Role, Writer, require_roles
from guanxi_shared.http_cache import check_if_match, tagged
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery

from ..domain.need_flow import NeedStatus
from ..schemas import needs as schemas
from ..store import analytics
from ..store import needs as store
from ..store.periods import Period
from .deps import RowIdFilter, VisibleNeed

router = APIRouter(prefix="/v1/needs", tags=["needs"])
categories = APIRouter(prefix="/v1/categories", tags=["needs"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.NeedRead)
def record_need(need_in: schemas.NeedCreate, session: DbSession, principal: Writer,
                response: Response) -> schemas.NeedRead:
    need = store.create(session=session, principal=principal, need_in=need_in)
    return schemas.NeedRead.model_validate(tagged(response, need))


@router.get("", response_model=schemas.NeedPage)
def list_needs(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
               customer_id: RowIdFilter = None, status: NeedStatus | None = None,
               need_class: schemas.NeedClass | None = None,
               category_id: RowIdFilter = None,
               source: schemas.NeedSource | None = None, unmet: bool = False,
               recorded_from: Day | None = None,
               recorded_to: Day | None = None) -> schemas.NeedPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   customer_id=customer_id, status=status,
                                   need_class=need_class, category_id=category_id,
                                   source=source, unmet=unmet, recorded_from=recorded_from,
                                   recorded_to=recorded_to)
    return schemas.NeedPage(items=[schemas.NeedRead.model_validate(r) for r in rows],
                            next_cursor=cursor)


@router.get("/stats", response_model=schemas.NeedStats)
def need_stats(session: DbSession, principal: CurrentPrincipal,
               by: analytics.StatsBy = analytics.StatsBy.category,
               period: Period = Period.all, recorded_from: Day | None = None,
               recorded_to: Day | None = None) -> schemas.NeedStats:
    """Counts (and with a period, trends) by category, class, source, segment or status."""
    return analytics.stats(session=session, principal=principal, by=by, period=period,
                           recorded_from=recorded_from, recorded_to=recorded_to)


@router.get("/niches", response_model=list[schemas.NicheCandidate])
def niche_candidates(session: DbSession, principal: CurrentPrincipal,
                     min_customers: Annotated[int, Query(ge=2, le=100000)] = 5,
                     recorded_from: Day | None = None, recorded_to: Day | None = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     ) -> list[schemas.NicheCandidate]:
    """Needs shared by many customers: candidate niche markets (利基市场)."""
    return analytics.niches(session=session, principal=principal, min_customers=min_customers,
                            recorded_from=recorded_from, recorded_to=recorded_to, limit=limit)


@router.get("/unmet", response_model=list[schemas.NeedRead])
def unmet_needs(session: DbSession, principal: CurrentPrincipal,
                customer_id: Annotated[str, Query(max_length=32)],
                limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[schemas.NeedRead]:
    """The customer's open needs for the rep's next call, most urgent first."""
    rows = store.unmet_for_call(session=session, principal=principal, customer_id=customer_id,
                                limit=limit)
    return [schemas.NeedRead.model_validate(r) for r in rows]


@router.get("/{need_id}", response_model=schemas.NeedRead)
def read_need(need: VisibleNeed, response: Response) -> schemas.NeedRead:
    return schemas.NeedRead.model_validate(tagged(response, need))


@router.patch("/{need_id}", response_model=schemas.NeedRead)
def edit_need(need_in: schemas.NeedUpdate, need: VisibleNeed, session: DbSession, principal: Writer,
              request: Request, response: Response) -> schemas.NeedRead:
    check_if_match(request, need.id, need.version)
    need = store.update(session=session, principal=principal, need=need, need_in=need_in)
    return schemas.NeedRead.model_validate(tagged(response, need))


@router.post("/{need_id}/status", response_model=schemas.NeedRead)
def change_status(move: schemas.NeedTransition, need: VisibleNeed, session: DbSession,
                  principal: Writer, request: Request, response: Response) -> schemas.NeedRead:
    """Move the need through collected, classified, analysed and the decision; 409 if illegal."""
    check_if_match(request, need.id, need.version)
    need = store.transition(session=session, principal=principal, need=need, move=move)
    return schemas.NeedRead.model_validate(tagged(response, need))


@router.get("/{need_id}/history", response_model=list[schemas.NeedChange])
def need_history(need: VisibleNeed, session: DbSession) -> list[schemas.NeedChange]:
    return [schemas.NeedChange.model_validate(h) for h in store.history(session=session, need=need)]


@categories.get("", response_model=list[schemas.CategoryRead])
def list_categories(session: DbSession, principal: CurrentPrincipal) -> list[schemas.CategoryRead]:
    return [schemas.CategoryRead.model_validate(c) for c in store.categories(session=session)]


@categories.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.CategoryRead,
                 dependencies=[Depends(require_roles(Role.admin, Role.manager))])
def create_category(category_in: schemas.CategoryCreate,
                    session: DbSession) -> schemas.CategoryRead:
    """The company's business category tree is kept by managers."""
    return schemas.CategoryRead.model_validate(store.create_category(
        session=session, name=category_in.name, parent_id=category_in.parent_id))
