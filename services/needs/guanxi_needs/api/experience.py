"""/v1/experience-maps and /v1/care-steps: touchpoints per product, dated care per purchase."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import (
    AdminOrManager,
    CurrentPrincipal,
    Writer,
)
from guanxi_shared.http_cache import check_if_match, tagged
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery

from ..domain.experience import StepStatus
from ..schemas import experience as schemas
from ..store import experience as store
from ..store.tables import ExperienceMap
from .deps import IdFilter, IdPath

router = APIRouter(prefix="/v1", tags=["experience map"])


def map_of(map_id: IdPath, session: DbSession, principal: CurrentPrincipal) -> ExperienceMap:
    return store.get(session=session, map_id=map_id)


KnownMap = Annotated[ExperienceMap, Depends(map_of)]


@router.post("/experience-maps", status_code=status.HTTP_201_CREATED,
             response_model=schemas.MapRead)
def add_map(map_in: schemas.MapCreate, session: DbSession, principal: AdminOrManager,
            response: Response) -> schemas.MapRead:
    """Touchpoints before, during and after the purchase and in use (客户体验地图)."""
    found = store.create(session=session, map_in=map_in)
    return schemas.MapRead.model_validate(tagged(response, found))


@router.get("/experience-maps", response_model=schemas.MapPage)
def list_maps(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
              product_id: IdFilter = None) -> schemas.MapPage:
    rows, cursor = store.list_page(session=session, page=page, product_id=product_id)
    return schemas.MapPage(items=[schemas.MapRead.model_validate(r) for r in rows],
                           next_cursor=cursor)


@router.get("/experience-maps/{map_id}", response_model=schemas.MapRead)
def read_map(found: KnownMap, response: Response) -> schemas.MapRead:
    return schemas.MapRead.model_validate(tagged(response, found))


@router.patch("/experience-maps/{map_id}", response_model=schemas.MapRead)
def edit_map(map_in: schemas.MapUpdate, found: KnownMap, session: DbSession,
             principal: AdminOrManager, request: Request,
             response: Response) -> schemas.MapRead:
    check_if_match(request, found.id, found.version)
    found = store.update(session=session, found=found, map_in=map_in)
    return schemas.MapRead.model_validate(tagged(response, found))


@router.post("/experience-maps/{map_id}/apply", response_model=list[schemas.StepRead])
def apply_map(body: schemas.ApplyMap, found: KnownMap, session: DbSession,
              principal: Writer) -> list[schemas.StepRead]:
    """Schedule the dated care steps of one purchase (the same purchase twice: no new steps)."""
    steps = store.apply(session=session, principal=principal, found=found,
                        customer_id=body.customer_id, purchased_on=body.purchased_on,
                        purchase_id=body.purchase_id)
    return [schemas.StepRead.model_validate(s) for s in steps]


@router.get("/care-steps", response_model=schemas.StepPage)
def list_steps(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
               customer_id: IdFilter = None, status: StepStatus | None = None,
               owner_id: IdFilter = None, map_id: IdFilter = None,
               due_from: Day | None = None, due_to: Day | None = None) -> schemas.StepPage:
    """Care steps soonest first; the agenda reads status=open&due_to=<day>."""
    rows, cursor = store.steps_page(session=session, principal=principal, page=page, filters={
        "customer_id": customer_id, "status": status.value if status else None,
        "owner_id": owner_id, "map_id": map_id, "due_from": due_from, "due_to": due_to})
    return schemas.StepPage(items=[schemas.StepRead.model_validate(r) for r in rows],
                            next_cursor=cursor)


@router.post("/care-steps/{step_id}/done", response_model=schemas.StepRead)
def finish_step(body: schemas.StepDone, step_id: IdPath, session: DbSession, principal: Writer,
                request: Request, response: Response) -> schemas.StepRead:
    step = store.get_step(session=session, principal=principal, step_id=step_id)
    check_if_match(request, step.id, step.version)
    step = store.finish(session=session, principal=principal, step=step, done=body)
    return schemas.StepRead.model_validate(tagged(response, step))
