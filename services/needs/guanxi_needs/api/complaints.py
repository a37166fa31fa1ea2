"""/v1/complaints: any channel, SLA per severity, steps logged, the customer kept informed."""
from __future__ import annotations

from fastapi import APIRouter, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.http_cache import tagged
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageQuery

from ..domain.complaint_rules import ComplaintStatus, Severity
from ..schemas.complaints import (
    ComplaintAssign,
    ComplaintCreate,
    ComplaintDetail,
    ComplaintLogRead,
    ComplaintNeed,
    ComplaintNote,
    ComplaintPage,
    ComplaintResolve,
    ComplaintSatisfaction,
)
from ..schemas.needs import NeedRead
from ..store import complaints as store
from ..store.tables import Complaint
from .deps import AppSettings, IdFilter, VisibleComplaint

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])


def _detail(session: DbSession, complaint: Complaint, response: Response) -> ComplaintDetail:
    log = [ComplaintLogRead.model_validate(e)
           for e in store.log_of(session=session, complaint=tagged(response, complaint))]
    return ComplaintDetail.model_validate({**store.to_read(complaint).model_dump(), "log": log})


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ComplaintDetail)
def open_complaint(complaint_in: ComplaintCreate, session: DbSession, principal: Writer,
                   settings: AppSettings, response: Response) -> ComplaintDetail:
    complaint = store.open_complaint(session=session, principal=principal,
                                     complaint_in=complaint_in,
                                     sla_hours=settings.complaint_sla_hours)
    return _detail(session, complaint, response)


@router.get("", response_model=ComplaintPage)
def list_complaints(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                    customer_id: IdFilter = None, status: ComplaintStatus | None = None,
                    severity: Severity | None = None, assignee_id: IdFilter = None,
                    overdue: bool | None = None) -> ComplaintPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   customer_id=customer_id, status=status, severity=severity,
                                   assignee_id=assignee_id, overdue=overdue)
    now = utcnow()
    return ComplaintPage(items=[store.to_read(r, now) for r in rows], next_cursor=cursor)


@router.get("/{complaint_id}", response_model=ComplaintDetail)
def read_complaint(complaint: VisibleComplaint, session: DbSession,
                   response: Response) -> ComplaintDetail:
    return _detail(session, complaint, response)


@router.post("/{complaint_id}/assign", response_model=ComplaintDetail)
def assign(body: ComplaintAssign, complaint: VisibleComplaint, session: DbSession,
           principal: Writer, response: Response) -> ComplaintDetail:
    store.assign(session=session, principal=principal, complaint=complaint,
                 assignee_id=body.assignee_id)
    return _detail(session, complaint, response)


@router.post("/{complaint_id}/notes", response_model=ComplaintDetail)
def investigate(body: ComplaintNote, complaint: VisibleComplaint, session: DbSession,
                principal: Writer, response: Response) -> ComplaintDetail:
    store.add_note(session=session, principal=principal, complaint=complaint, text=body.text,
                   notify_customer=body.notify_customer)
    return _detail(session, complaint, response)


@router.post("/{complaint_id}/resolve", response_model=ComplaintDetail)
def resolve(body: ComplaintResolve, complaint: VisibleComplaint, session: DbSession,
            principal: Writer, response: Response) -> ComplaintDetail:
    store.resolve(session=session, principal=principal, complaint=complaint,
                  resolution=body.resolution)
    return _detail(session, complaint, response)


@router.post("/{complaint_id}/close", response_model=ComplaintDetail)
def close(complaint: VisibleComplaint, session: DbSession, principal: Writer,
          response: Response) -> ComplaintDetail:
    store.close(session=session, principal=principal, complaint=complaint)
    return _detail(session, complaint, response)


@router.post("/{complaint_id}/satisfaction", response_model=ComplaintDetail)
def satisfaction_check(body: ComplaintSatisfaction, complaint: VisibleComplaint,
                       session: DbSession, principal: Writer,
                       response: Response) -> ComplaintDetail:
    store.record_satisfaction(session=session, principal=principal, complaint=complaint,
                              score=body.score, note=body.note)
    return _detail(session, complaint, response)


@router.post("/{complaint_id}/needs", status_code=status.HTTP_201_CREATED,
             response_model=NeedRead)
def raise_need(body: ComplaintNeed, complaint: VisibleComplaint, session: DbSession,
               principal: Writer) -> NeedRead:
    """A complaint is a source of needs (the sofa that could be taken apart came from one)."""
    return NeedRead.model_validate(store.raise_need(session=session, principal=principal,
                                                    complaint=complaint, need_in=body))
