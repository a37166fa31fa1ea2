"""/v1/runs, /v1/resync: the daily run on demand, and the read-model rebuild."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from guanxi_shared.app import DbSession
from guanxi_shared.auth import Role, require_roles
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery

from ..schemas.runs import RunCreate, RunRead, RunRecord, RunRecordPage
from ..store.delivery import deliver_due
from ..store.read_model import customers
from ..store.runs import record_run, runs_page
from .deps import settings_of

router = APIRouter(tags=["operations"])
Operator = Depends(require_roles(Role.admin, Role.service))


@router.post("/v1/runs", response_model=RunRead, dependencies=[Operator])
def run_now(body: RunCreate, session: DbSession, request: Request) -> RunRead:
    """Run every rule for a date now (as the scheduler does daily), then send what is due.
    The run is recorded with its warnings (a missing official holiday schedule)."""
    settings = settings_of(request)
    created, warnings = record_run(session=session, day=body.on, trigger="api",
                                   timezone=settings.timezone,
                                   greeting_hour=settings.greeting_hour)
    sent = deliver_due(sessions=request.app.state.sessions, channels=request.app.state.channels,
                       now=utcnow(), timezone=settings.timezone) if body.send else {}
    return RunRead(on=body.on, created=created, sent=sent, warnings=warnings)


@router.get("/v1/runs", response_model=RunRecordPage, dependencies=[Operator])
def list_runs(session: DbSession, page: PageQuery) -> RunRecordPage:
    """The daily runs, newest first: how many occurrences each created, and its warnings."""
    rows, cursor = runs_page(session=session, page=page)
    return RunRecordPage(items=[RunRecord.model_validate(r, from_attributes=True)
                                for r in rows], next_cursor=cursor)


@router.post("/v1/resync", dependencies=[Operator])
def resync_now(session: DbSession, request: Request) -> dict[str, int]:
    """Rebuild the read model from the registry's customers, contacts and purchases."""
    return customers.resync(session=session, client=request.app.state.registry_client)

