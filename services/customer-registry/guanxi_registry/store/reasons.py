"""The reasons list: admins add, rename, retire; every change publishes the whole list."""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from guanxi_shared.errors import Conflict, Invalid, NotFound
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.models import utcnow
from guanxi_shared.reasons import event_data

from ..schemas.reasons import ReasonCreate, ReasonUpdate
from .tables import Customer, FieldChange, Reason


def list_all(session: Session, include_retired: bool = False) -> list[Reason]:
    stmt = select(Reason).order_by(Reason.position, Reason.code)
    if not include_retired:
        stmt = stmt.where(Reason.retired.is_(False))
    return list(session.scalars(stmt))


def get(session: Session, code: str) -> Reason:
    reason = session.get(Reason, code)
    if reason is None:
        raise NotFound(f"No reason with code {code}")
    return reason


def check_code(session: Session, code: str | None) -> None:
    """A loss may name only a reason on the list that is not retired."""
    if code is None:
        return
    reason = session.get(Reason, code)
    if reason is None or reason.retired:
        why = "is retired" if reason is not None else "is not on the reasons list"
        raise Invalid(f"Reason '{code}' {why}", errors=[{
            "loc": ["body", "lost_reason_code"], "field": "lost_reason_code",
            "type": "unknown_reason", "msg": f"{why}; see GET /v1/reasons"}])


def create(*, session: Session, reason_in: ReasonCreate) -> Reason:
    if session.get(Reason, reason_in.code) is not None:
        raise Conflict(f"Reason {reason_in.code} exists; rename it or bring it back instead")
    last = session.scalar(select(func.max(Reason.position))) or 0
    reason = Reason.model_validate(reason_in.model_dump() | {"position": last + 1})
    session.add(reason)
    _changed(session)
    return reason


def update(*, session: Session, reason: Reason, reason_in: ReasonUpdate) -> Reason:
    changes = reason_in.model_dump(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None]
    if nulls:
        raise Invalid("These fields may not be null", errors=[{
            "loc": ["body", k], "field": k, "type": "null", "msg": "may not be null"}
            for k in nulls])
    for key, value in changes.items():
        setattr(reason, key, value)
    reason.updated_at = utcnow()
    session.add(reason)
    _changed(session)
    return reason


def delete(*, session: Session, reason: Reason) -> None:
    """Only a reason no customer was ever lost for; a used one can be retired instead."""
    used = session.scalar(select(or_(
        exists().where(Customer.lost_reason_code == reason.code),
        exists().where(FieldChange.field == "lost_reason_code",
                       or_(FieldChange.new_value == reason.code,
                           FieldChange.old_value == reason.code)))))
    if used:
        raise Conflict(f"Reason {reason.code} was used; retire it instead")
    session.delete(reason)
    _changed(session)


def _changed(session: Session) -> None:
    session.flush()
    publish(session=session, event_type=EventType.reasons_changed,
            data=event_data(list_all(session, include_retired=True), utcnow()),
            source="registry")
    session.commit()
