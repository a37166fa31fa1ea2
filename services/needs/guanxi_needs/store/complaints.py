"""Complaints (投诉): record, assign, investigate, resolve, close; the customer kept informed."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.errors import Conflict
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..domain.balance import BalanceKind
from ..domain.complaint_rules import OPEN, ComplaintStatus, Severity, due_at, is_overdue
from ..schemas.complaints import ComplaintCreate, ComplaintNeed, ComplaintRead
from ..schemas.needs import NeedCreate, NeedSource
from . import balance
from . import needs as need_store
from .access import apply_changes, get_visible, scoped, visible_customer
from .tables import Complaint, ComplaintLog, Need

OPEN_STATUSES = [s.value for s in OPEN]
SATISFACTION_ASK = ("How satisfied are you with how we handled it? Reply with a score from "
                    "1 (not at all) to 5 (very).")
VISIBILITY = {"member_of": lambda user_id: Complaint.assignee_id == user_id}


def to_read(complaint: Complaint, now: datetime | None = None) -> ComplaintRead:
    overdue = is_overdue(status=ComplaintStatus(complaint.status), due=complaint.due_at,
                         now=now or utcnow())
    return ComplaintRead.model_validate({**complaint.model_dump(), "overdue": overdue})


def _log(session: Session, complaint: Complaint, *, kind: str, text: str, by: str) -> None:
    session.add(ComplaintLog(complaint_id=complaint.id, kind=kind, text=text, by=by,
                             at=utcnow()))


def _notify(session: Session, complaint: Complaint, text: str, by: str, step: str) -> None:
    """Keep the customer informed at each step: the log is the record of what they were told,
    and complaint.progress lets engagement tell the complaining contact."""
    notice = ComplaintLog(complaint_id=complaint.id, kind="notified", text=text, by=by,
                          at=utcnow())
    session.add(notice)
    session.flush()
    publish(session=session, event_type=EventType.complaint_progress, source="needs", data={
        "complaint_id": complaint.id, "customer_id": complaint.customer_id,
        "contact_id": complaint.contact_id, "step": step, "text": text,
        "notice_id": notice.id, "at": notice.at.isoformat()})


def _event(complaint: Complaint) -> dict[str, Any]:
    return to_read(complaint).model_dump(mode="json")


def open_complaint(*, session: Session, principal: Principal, complaint_in: ComplaintCreate,
                   sla_hours: dict[str, float]) -> Complaint:
    visible_customer(session=session, principal=principal, customer_id=complaint_in.customer_id)
    opened = utcnow()
    complaint = Complaint.model_validate({
        **complaint_in.model_dump(), "opened_at": opened,
        "due_at": due_at(opened, complaint_in.severity, sla_hours)})
    session.add(complaint)
    session.flush()
    _notify(session, complaint, f"We received your complaint via {complaint.channel} and will "
            f"answer by {complaint.due_at.isoformat()}", principal.sub, "received")
    publish(session=session, event_type=EventType.complaint_opened, data=_event(complaint),
            source="needs")
    balance.record(session, customer_id=complaint.customer_id, kind=BalanceKind.complaint,
                   source_key=f"complaint:{complaint.id}", occurred_at=opened,
                   note=complaint.summary[:200])
    session.commit()
    return complaint


def get(*, session: Session, principal: Principal, complaint_id: str) -> Complaint:
    return get_visible(session=session, principal=principal, model=Complaint,
                       object_id=complaint_id, label="Complaint", **VISIBILITY)


def log_of(*, session: Session, complaint: Complaint) -> list[ComplaintLog]:
    return list(session.scalars(select(ComplaintLog).where(
        ComplaintLog.complaint_id == complaint.id).order_by(ComplaintLog.at, ComplaintLog.id)))


def _require(complaint: Complaint, allowed: set[ComplaintStatus], doing: str) -> None:
    if ComplaintStatus(complaint.status) not in allowed:
        raise Conflict(f"A {complaint.status} complaint cannot be {doing}")


def assign(*, session: Session, principal: Principal, complaint: Complaint,
           assignee_id: str) -> Complaint:
    _require(complaint, OPEN, "assigned")
    apply_changes(complaint, {"assignee_id": assignee_id})
    _log(session, complaint, kind="assigned", text=f"Assigned to {assignee_id}",
         by=principal.sub)
    _notify(session, complaint, "Your complaint has a person in charge", principal.sub,
            "assigned")
    session.commit()
    return complaint


def add_note(*, session: Session, principal: Principal, complaint: Complaint, text: str,
             notify_customer: bool) -> Complaint:
    _require(complaint, OPEN, "investigated")
    apply_changes(complaint, {"status": ComplaintStatus.investigating.value})
    _log(session, complaint, kind="note", text=text, by=principal.sub)
    if notify_customer:
        _notify(session, complaint, text, principal.sub, "next_step")
    session.commit()
    return complaint


def resolve(*, session: Session, principal: Principal, complaint: Complaint,
            resolution: str) -> Complaint:
    _require(complaint, OPEN, "resolved")
    apply_changes(complaint, {"status": ComplaintStatus.resolved.value,
                              "resolution": resolution})
    _notify(session, complaint, f"Resolution: {resolution}", principal.sub, "resolved")
    # the same key as a "complaint" touch from engagement naming this complaint: counted once
    balance.record(session, customer_id=complaint.customer_id,
                   kind=BalanceKind.complaint_resolved,
                   source_key=f"complaint-resolved:{complaint.id}", occurred_at=utcnow(),
                   note=resolution[:200])
    session.commit()
    return complaint


def close(*, session: Session, principal: Principal, complaint: Complaint) -> Complaint:
    _require(complaint, {ComplaintStatus.resolved}, "closed before it is resolved")
    apply_changes(complaint, {"status": ComplaintStatus.closed.value, "closed_at": utcnow()})
    _notify(session, complaint, f"Your complaint is closed. {SATISFACTION_ASK}", principal.sub,
            "closed")
    publish(session=session, event_type=EventType.complaint_closed, data=_event(complaint),
            source="needs")
    session.commit()
    return complaint


def record_satisfaction(*, session: Session, principal: Principal, complaint: Complaint,
                        score: int, note: str | None) -> Complaint:
    """The satisfaction check after closing."""
    _require(complaint, {ComplaintStatus.closed}, "rated before it is closed")
    apply_changes(complaint, {"satisfaction": score, "satisfaction_note": note})
    _log(session, complaint, kind="satisfaction", text=f"Score {score}: {note or ''}".strip(),
         by=principal.sub)
    session.commit()
    return complaint


def raise_need(*, session: Session, principal: Principal, complaint: Complaint,
               need_in: ComplaintNeed) -> Need:
    """A complaint is a source of needs and innovation."""
    need = need_store.create(session=session, principal=principal, complaint_id=complaint.id,
                             need_in=NeedCreate(customer_id=complaint.customer_id,
                                                contact_id=complaint.contact_id,
                                                source=NeedSource.service,
                                                **need_in.model_dump()))
    _log(session, complaint, kind="need", text=f"Raised need {need.id}", by=principal.sub)
    session.commit()
    return need


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None, status: ComplaintStatus | None,
              severity: Severity | None, assignee_id: str | None,
              overdue: bool | None) -> tuple[list[Complaint], str | None]:
    stmt = scoped(select(Complaint), principal, Complaint, **VISIBILITY)
    stmt = where_given(stmt, (Complaint.customer_id, customer_id), (Complaint.status, status),
                       (Complaint.severity, severity), (Complaint.assignee_id, assignee_id))
    if overdue is not None:
        late = Complaint.status.in_(OPEN_STATUSES) & (Complaint.due_at < utcnow())
        stmt = stmt.where(late if overdue else ~late)
    return paginate(session, stmt, sort=Complaint.opened_at, key=Complaint.id, page=page,
                    descending=True)


def escalate_overdue(*, session: Session, now: datetime) -> int:
    """The periodic job: open complaints past their SLA are escalated once, and logged."""
    overdue = session.execute(select(Complaint.id, Complaint.customer_id).where(
        Complaint.status.in_(OPEN_STATUSES), Complaint.due_at < now,
        Complaint.escalated_at.is_(None))).all()
    if not overdue:
        return 0
    late = [row.id for row in overdue]
    session.execute(update(Complaint).where(Complaint.id.in_(late))
                    .values(escalated_at=now, version=Complaint.version + 1, updated_at=now))
    session.execute(ComplaintLog.__table__.insert(), [  # type: ignore[attr-defined]
        {"complaint_id": cid, "kind": "escalated", "text": "Past its SLA: escalated",
         "by": "system", "at": now, "created_at": now, "updated_at": now} for cid in late])
    for row in overdue:  # only the complaints that passed their SLA since the last run
        balance.record(session, customer_id=row.customer_id, kind=BalanceKind.sla_missed,
                       source_key=f"sla-missed:{row.id}", occurred_at=now)
    session.commit()
    return len(late)
