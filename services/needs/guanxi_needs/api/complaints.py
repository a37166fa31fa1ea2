"""/v1/complaints: any channel, SLA per severity, steps logged, the customer kept informed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.http_cache import tagged
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery

from ..domain.complaint_rules import ComplaintStatus, Severity
from ..schemas import complaints as schemas
from ..schemas.needs import NeedRead
from ..store import complaints as store
from ..store.tables import Complaint
from .deps import AppSettings, IdFilter, VisibleComplaint

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])


def _detail(session: DbSession, complaint: Complaint,
            response: Response) -> schemas.ComplaintDetail:
    log = [schemas.ComplaintLogRead.model_validate(e)
           for e in store.log_of(session=session, complaint=tagged(response, complaint))]
    return schemas.ComplaintDetail.model_validate({**store.to_read(complaint).model_dump(),
                                                   "log": log})


@dataclass
class Step:
    """One step a writer takes on a visible complaint: `on` are the store call's common
    arguments, `detail()` the answer (the complaint's detail with its ETag)."""

    on: dict[str, Any]
    response: Response

    def detail(self) -> schemas.ComplaintDetail:
        return _detail(self.on["session"], self.on["complaint"], self.response)


def complaint_step(complaint: VisibleComplaint, session: DbSession, principal: Writer,
                   response: Response) -> Step:
    return Step({"session": session, "principal": principal, "complaint": complaint}, response)


ComplaintStep = Annotated[Step, Depends(complaint_step)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.ComplaintDetail)
def open_complaint(complaint_in: schemas.ComplaintCreate, session: DbSession, principal: Writer,
                   settings: AppSettings, response: Response) -> schemas.ComplaintDetail:
    complaint = store.open_complaint(session=session, principal=principal,
                                     complaint_in=complaint_in,
                                     sla_hours=settings.complaint_sla_hours)
    return _detail(session, complaint, response)


@router.get("", response_model=schemas.ComplaintPage)
def list_complaints(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                    customer_id: IdFilter = None, status: ComplaintStatus | None = None,
                    severity: Severity | None = None, assignee_id: IdFilter = None,
                    overdue: bool | None = None) -> schemas.ComplaintPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   customer_id=customer_id, status=status, severity=severity,
                                   assignee_id=assignee_id, overdue=overdue)
    now = utcnow()
    return schemas.ComplaintPage(items=[store.to_read(r, now) for r in rows], next_cursor=cursor)


@router.get("/{complaint_id}", response_model=schemas.ComplaintDetail)
def read_complaint(complaint: VisibleComplaint, session: DbSession,
                   response: Response) -> schemas.ComplaintDetail:
    return _detail(session, complaint, response)


@router.post("/{complaint_id}/assign", response_model=schemas.ComplaintDetail)
def assign(body: schemas.ComplaintAssign, step: ComplaintStep) -> schemas.ComplaintDetail:
    store.assign(**step.on, assignee_id=body.assignee_id)
    return step.detail()


@router.post("/{complaint_id}/notes", response_model=schemas.ComplaintDetail)
def investigate(body: schemas.ComplaintNote, step: ComplaintStep) -> schemas.ComplaintDetail:
    store.add_note(**step.on, text=body.text, notify_customer=body.notify_customer)
    return step.detail()


@router.post("/{complaint_id}/resolve", response_model=schemas.ComplaintDetail)
def resolve(body: schemas.ComplaintResolve, step: ComplaintStep) -> schemas.ComplaintDetail:
    store.resolve(**step.on, resolution=body.resolution)
    return step.detail()


@router.post("/{complaint_id}/close", response_model=schemas.ComplaintDetail)
def close(step: ComplaintStep) -> schemas.ComplaintDetail:
    store.close(**step.on)
    return step.detail()


@router.post("/{complaint_id}/satisfaction", response_model=schemas.ComplaintDetail)
def satisfaction_check(body: schemas.ComplaintSatisfaction,
                       step: ComplaintStep) -> schemas.ComplaintDetail:
    store.record_satisfaction(**step.on, score=body.score, note=body.note)
    return step.detail()


@router.post("/{complaint_id}/needs", status_code=status.HTTP_201_CREATED,
             response_model=NeedRead)
def raise_need(body: schemas.ComplaintNeed, complaint: VisibleComplaint, session: DbSession,
               principal: Writer) -> NeedRead:
    """A complaint is a source of needs (the sofa that could be taken apart came from one)."""
    return NeedRead.model_validate(store.raise_need(session=session, principal=principal,
                                                    complaint=complaint, need_in=body))
