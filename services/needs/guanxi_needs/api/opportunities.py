"""/v1/opportunities and /v1/pipeline: MAN-qualified opportunities, the pool, the forecast."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.http_cache import tagged
from guanxi_shared.models import Day, utcnow
from guanxi_shared.pagination import PageQuery

from ..domain.opportunity_rules import Stage
from ..schemas import opportunities as schemas
from ..store import opportunities as store
from ..store.pipeline import PipelineBy, pipeline
from ..store.tables import Opportunity
from .deps import AppSettings, Change, IdFilter, OpportunityChange, VisibleOpportunity

router = APIRouter(prefix="/v1/opportunities", tags=["opportunities"])
pipeline_router = APIRouter(prefix="/v1/pipeline", tags=["opportunities"])


def _page(found: tuple[list[Opportunity], str | None], now: datetime) -> schemas.OpportunityPage:
    """A page as the API shows it, each row in the pool or held as of the same instant."""
    rows, cursor = found
    return schemas.OpportunityPage(items=[store.to_read(r, now) for r in rows], next_cursor=cursor)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.OpportunityRead)
def create_opportunity(opp_in: schemas.OpportunityCreate, session: DbSession, principal: Writer,
                       settings: AppSettings, response: Response) -> schemas.OpportunityRead:
    """From a need (need_id) or standalone (customer_id), with its MAN qualification."""
    opp = store.create(session=session, principal=principal, opp_in=opp_in,
                       protection_days=settings.protection_days)
    return store.to_read(tagged(response, opp))


@router.get("", response_model=schemas.OpportunityPage)
def list_opportunities(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                       customer_id: IdFilter = None, stage: Stage | None = None,
                       owner_id: IdFilter = None, need_id: IdFilter = None,
                       pool: Annotated[bool | None, Query(
                           description="true: only the pool (no owner or idle past "
                                       "protection); false: only held ones")] = None,
                       ) -> schemas.OpportunityPage:
    return _page(store.list_page(session=session, principal=principal, page=page,
                                 customer_id=customer_id, stage=stage, owner_id=owner_id,
                                 pool=pool, need_id=need_id), utcnow())


@pipeline_router.get("/stale", response_model=schemas.OpportunityPage)
def stale_opportunities(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                        settings: AppSettings,
                        days: Annotated[int | None, Query(ge=1, le=3650)] = None,
                        ) -> schemas.OpportunityPage:
    """Open opportunities with no activity for `days` days (default from settings)."""
    now = utcnow()
    return _page(store.stale_page(session=session, principal=principal, page=page,
                                  days=days or settings.stale_after_days, now=now), now)


@router.get("/{opportunity_id}", response_model=schemas.OpportunityRead)
def read_opportunity(opp: VisibleOpportunity, response: Response) -> schemas.OpportunityRead:
    return store.to_read(tagged(response, opp))


@router.patch("/{opportunity_id}", response_model=schemas.OpportunityRead)
def edit_opportunity(opp_in: schemas.OpportunityUpdate,
                     change: OpportunityChange) -> schemas.OpportunityRead:
    opp = store.update_one(session=change.session, principal=change.principal,
                           opp=change.checked(), opp_in=opp_in)
    return store.to_read(change.tagged(opp))


@router.post("/{opportunity_id}/activities", response_model=schemas.OpportunityRead)
def follow_up(activity: schemas.ActivityCreate,
              change: OpportunityChange) -> schemas.OpportunityRead:
    """Record a follow-up; it renews the protection period (机会保留底线)."""
    opp = store.add_activity(session=change.session, principal=change.principal, opp=change.row,
                             activity=activity)
    return store.to_read(change.tagged(opp))


@router.post("/{opportunity_id}/claim", response_model=schemas.OpportunityRead)
def claim_from_pool(change: OpportunityChange) -> schemas.OpportunityRead:
    opp = store.claim(session=change.session, principal=change.principal, opp=change.row)
    return store.to_read(change.tagged(opp))


@router.post("/{opportunity_id}/won", response_model=schemas.OpportunityRead)
def mark_won(close_in: schemas.OpportunityClose,
             change: OpportunityChange) -> schemas.OpportunityRead:
    """Won: publishes opportunity.won, which the registry records as a purchase once."""
    return _close(close_in, change, Stage.won)


@router.post("/{opportunity_id}/lost", response_model=schemas.OpportunityRead)
def mark_lost(close_in: schemas.OpportunityClose,
              change: OpportunityChange) -> schemas.OpportunityRead:
    return _close(close_in, change, Stage.lost)


def _close(close_in: schemas.OpportunityClose, change: Change[Opportunity],
           outcome: Stage) -> schemas.OpportunityRead:
    opp = store.close(session=change.session, principal=change.principal, opp=change.checked(),
                      outcome=outcome, close_in=close_in)
    return store.to_read(change.tagged(opp))


@pipeline_router.get("", response_model=schemas.Pipeline)
def read_pipeline(session: DbSession, principal: CurrentPrincipal,
                  group_by: PipelineBy = PipelineBy.stage, close_from: Day | None = None,
                  close_to: Day | None = None) -> schemas.Pipeline:
    """Open pipeline by stage, owner or close month with the weighted forecast, win rate and
    average cycle time of the opportunities closed in the window."""
    return pipeline(session=session, principal=principal, group_by=group_by,
                    close_from=close_from, close_to=close_to)
