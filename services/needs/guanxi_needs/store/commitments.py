"""Commitments (少承诺多做事、答应的事一定做到): promises, the agenda, overdue flags.

An open promise past its due date is flagged to the manager and withdraws from the
relationship balance once, by the housekeeping job (reads show it overdue at once).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.db import local_today
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.pagination import PageParams, paginate, where_given, where_within

from ..domain.balance import BalanceKind
from ..domain.commitments import CommitmentOrigin, CommitmentStatus, is_overdue, kept_late
from ..schemas.commitments import CommitmentCreate, CommitmentRead, CommitmentUpdate
from . import balance
from .access import apply_changes, get_visible, scoped, visible_customer
from .tables import Commitment, Complaint, ContactRef, CustomerRef

VISIBILITY = {"member_of": lambda user_id: Commitment.made_by == user_id}


def to_read(commitment: Commitment, today: date) -> CommitmentRead:
    status = CommitmentStatus(commitment.status)
    return CommitmentRead.model_validate({
        **commitment.model_dump(),
        "overdue": is_overdue(status=status, due_on=commitment.due_on, today=today),
        "kept_late": kept_late(due_on=commitment.due_on, kept_on=commitment.kept_on)})


def _invalid(field: str, msg: str) -> Invalid:
    return Invalid(msg, errors=[{"loc": ["body", field], "field": field, "type": "value_error",
                                 "msg": msg}])


def _check_contact(session: Session, customer_id: str, contact_id: str | None) -> None:
    if contact_id is None:
        return
    contact = session.get(ContactRef, contact_id)
    if contact is None or contact.customer_id != customer_id:
        raise _invalid("contact_id", f"Contact {contact_id} is not a contact of this customer")


def create(*, session: Session, principal: Principal,
           commitment_in: CommitmentCreate) -> Commitment:
    visible_customer(session=session, principal=principal,
                     customer_id=commitment_in.customer_id)
    _check_contact(session, commitment_in.customer_id, commitment_in.contact_id)
    if commitment_in.origin == CommitmentOrigin.complaint:
        complaint = (session.get(Complaint, commitment_in.origin_ref)
                     if commitment_in.origin_ref else None)
        if complaint is None or complaint.customer_id != commitment_in.customer_id:
            raise _invalid("origin_ref", "A promise made on a complaint names that complaint "
                                         "of the same customer")
    # a promise recorded after its due date (written down late) is overdue at once
    commitment = Commitment.model_validate({**commitment_in.model_dump(),
                                            "made_by": principal.sub})
    session.add(commitment)
    session.commit()
    return commitment


def get(*, session: Session, principal: Principal, commitment_id: str) -> Commitment:
    return get_visible(session=session, principal=principal, model=Commitment,
                       object_id=commitment_id, label="Commitment", **VISIBILITY)


def _require_open(commitment: Commitment, doing: str) -> None:
    if commitment.status != CommitmentStatus.open:
        raise Conflict(f"A {commitment.status} promise cannot be {doing}")


def update_promise(*, session: Session, commitment: Commitment,
                   commitment_in: CommitmentUpdate) -> Commitment:
    _require_open(commitment, "changed")
    changes = commitment_in.model_dump(exclude_unset=True)
    today = local_today(session)
    if "due_on" in changes:
        if is_overdue(status=CommitmentStatus.open, due_on=commitment.due_on, today=today):
            raise Conflict("This promise is past its due date: keep it late, do not move it")
        if changes["due_on"] < today:
            raise _invalid("due_on", "A promise cannot be due in the past")
    if "contact_id" in changes:
        _check_contact(session, commitment.customer_id, changes["contact_id"])
    apply_changes(commitment, changes)
    session.commit()
    return commitment


def keep(*, session: Session, commitment: Commitment, kept_on: date | None,
         note: str | None) -> Commitment:
    _require_open(commitment, "kept")
    today = local_today(session)
    kept_on = kept_on or today
    if kept_on > today:
        raise _invalid("kept_on", "A promise is kept on a day that has come")
    apply_changes(commitment, {"status": CommitmentStatus.kept.value, "kept_on": kept_on,
                               "outcome_note": note})
    session.commit()
    return commitment


def cancel(*, session: Session, commitment: Commitment, reason: str) -> Commitment:
    """Withdrawn by agreement with the customer, before it fell due."""
    _require_open(commitment, "cancelled")
    if is_overdue(status=CommitmentStatus.open, due_on=commitment.due_on,
                  today=local_today(session)):
        raise Conflict("This promise is past its due date: it is broken, not cancelled")
    apply_changes(commitment, {"status": CommitmentStatus.cancelled.value,
                               "outcome_note": reason})
    session.commit()
    return commitment


def list_page(*, session: Session, principal: Principal, page: PageParams,
              filters: dict[str, Any]) -> tuple[list[Commitment], str | None]:
    """Soonest due first: the agenda's order."""
    stmt = scoped(select(Commitment), principal, Commitment, **VISIBILITY)
    stmt = where_given(stmt, (Commitment.customer_id, filters.get("customer_id")),
                       (Commitment.status, filters.get("status")),
                       (Commitment.made_by, filters.get("made_by")),
                       (CustomerRef.owner_id, filters.get("owner_id")),
                       (Commitment.origin, filters.get("origin")))
    stmt = where_within(stmt, Commitment.due_on, filters.get("due_from"), filters.get("due_to"))
    if (overdue := filters.get("overdue")) is not None:
        late = ((Commitment.status == CommitmentStatus.open.value)
                & (Commitment.due_on < local_today(session)))
        stmt = stmt.where(late if overdue else ~late)
    return paginate(session, stmt, sort=Commitment.due_on, key=Commitment.id, page=page)


def flag_overdue(*, session: Session, now: datetime, today: date) -> int:
    """The periodic job: each open promise past its due date is flagged and withdraws once."""
    late = session.execute(select(Commitment.id, Commitment.customer_id, Commitment.promise)
                           .where(Commitment.status == CommitmentStatus.open.value,
                                  Commitment.due_on < today,
                                  Commitment.flagged_at.is_(None))).all()
    if not late:
        return 0
    session.execute(update(Commitment).where(Commitment.id.in_([r.id for r in late]))
                    .values(flagged_at=now, version=Commitment.version + 1, updated_at=now))
    for row in late:  # only the promises that fell due since the last run
        balance.record(session, customer_id=row.customer_id,
                       kind=BalanceKind.commitment_broken, source_key=f"commitment:{row.id}",
                       occurred_at=now, note=row.promise[:200])
    session.commit()
    return len(late)
