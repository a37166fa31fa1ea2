"""Visits (拜访流程): plans with the company checklist, their completion with a next step, the
visits lacking a follow-up, and the checklist itself."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from guanxi_shared.auth import Principal, where_visible
from guanxi_shared.db import local_today
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..domain.visits import agenda_problem, default_checks, overran, plan_warnings, time_split
from ..schemas.visits import (
    VisitCheckCreate,
    VisitCheckUpdate,
    VisitComplete,
    VisitCreate,
    VisitUpdate,
)
from .records import add, change, first_or_404, get_or_404
from .tables import ContactRef, CustomerRef, Task, Visit, VisitCheck
from .tasks import FOLLOW_UP_RULE
from .touches import publish_touch

THANKS_RULE = "visit-thanks"


def visible_visits(principal: Principal):
    stmt = select(Visit).join(CustomerRef, CustomerRef.id == Visit.customer_id)
    return where_visible(stmt, principal, CustomerRef.owner_id, CustomerRef.team_id)


def seed_checklist(app) -> None:
    """on_start hook: a company without a checklist gets the course's (the 21 visiting mistakes
    and the thank-you). Retired items stay, so the seed never comes back over an edited list."""
    with app.state.sessions() as session:
        if session.scalars(select(VisitCheck.id).limit(1)).first() is not None:
            return
        for row in default_checks():
            session.add(VisitCheck.model_validate({
                **row, "id": f"mistake-{row['mistake']:02d}" if row["mistake"] else "thanks"}))
        try:
            session.commit()
        except IntegrityError:  # another worker seeded it first
            session.rollback()


def company_checklist(session: Session) -> list[dict]:
    """The company's active checklist items as a new visit carries them, in order."""
    checks = session.scalars(select(VisitCheck).where(VisitCheck.active)
                             .order_by(VisitCheck.position, VisitCheck.id))
    return [{"item": c.label_zh, "item_en": c.label_en, "done": False, "phase": c.phase,
             "mistake": c.mistake} for c in checks]


def visit_view(visit: Visit) -> dict:
    """The visit as read: its time split and what the course would point out."""
    split = time_split(visit.planned_minutes, visit.agenda)
    warnings = plan_warnings(visit.planned_minutes, visit.agenda) \
        if visit.status == "planned" else []
    missing = visit.status == "done" and visit.next_appointment_on is None
    if visit.status == "done":
        unprepared = sum(1 for c in visit.checklist
                         if c.get("phase", "before") == "before" and not c.get("done"))
        if unprepared:
            warnings.append(f"{unprepared} preparation item(s) not ticked before the visit")
        if overran(visit.planned_minutes, visit.actual_minutes):
            warnings.append(f"Stayed {visit.actual_minutes - visit.planned_minutes} minutes "
                            "over the time limit (mistake 19: staying too long)")
        if missing:
            warnings.append(f"No follow-up (mistake 21): {visit.no_follow_up_reason}")
    return {**visit.model_dump(), "time_split": {
        "business_minutes": split.business, "small_talk_minutes": split.small_talk,
        "unplanned_minutes": split.unplanned}, "warnings": warnings,
        "follow_up_missing": missing}


def lacking_follow_up(principal: Principal, today: date):
    """Done visits with no next appointment, or whose follow-up task is still open past its
    day: one statement, (Visit, why, follow-up due day) rows."""
    follow_up = (select(Task.subject_id, Task.due_on, Task.status)
                 .where(Task.rule_id == FOLLOW_UP_RULE).subquery())
    stmt = (visible_visits(principal)
            .outerjoin(follow_up, follow_up.c.subject_id == Visit.id)
            .where(Visit.status == "done",
                   or_(Visit.next_appointment_on.is_(None),
                       and_(follow_up.c.status == "open", follow_up.c.due_on < today)))
            .add_columns(follow_up.c.due_on))
    return stmt


def get_visible(*, session: Session, principal: Principal, visit_id: str) -> Visit:
    return first_or_404(session, visible_visits(principal).where(Visit.id == visit_id), "Visit",
                        visit_id)


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None, status: str | None) -> tuple[list[Visit], str | None]:
    stmt = where_given(visible_visits(principal), (Visit.customer_id, customer_id or None),
                       (Visit.status, status or None))
    return paginate(session, stmt, sort=Visit.id, key=Visit.id, page=page)


def lacking_page(*, session: Session, principal: Principal, page: PageParams):
    """(visit, follow-up due day) rows of lacking_follow_up, a page of them."""
    return paginate(session, lacking_follow_up(principal, local_today(session)), sort=Visit.id,
                    key=Visit.id, page=page)


def plan(*, session: Session, principal: Principal, customer: CustomerRef,
         visit_in: VisitCreate) -> Visit:
    """A visit with the company's checklist and the caller's items, and its task."""
    data = visit_in.model_dump(mode="json", exclude={"company_checklist"})
    if problem := agenda_problem(visit_in.planned_minutes, data["agenda"]):
        raise Invalid(problem)
    checklist = (company_checklist(session) if visit_in.company_checklist else []) \
        + data["checklist"]
    visit = add(session, Visit.model_validate({**data, "checklist": checklist,
                                                "owner_id": customer.owner_id or principal.sub}))
    session.add(Task.model_validate({
        "rule_id": "visit", "subject_id": visit.id, "customer_id": visit.customer_id,
        "contact_id": visit.contact_id, "assignee_id": visit.owner_id, "kind": "visit",
        "title": f"Visit ({visit.purpose})", "due_on": visit.appointment_at.date().isoformat(),
        "visit_id": visit.id}))
    session.commit()
    return visit


def update(*, session: Session, visit: Visit, visit_in: VisitUpdate) -> Visit:
    """Tick the checklist (also once done), move the appointment, change the time limit or
    outline."""
    full = visit_in.model_dump(mode="json")
    given = {key: full[key] for key in visit_in.model_fields_set}
    for field in ("purpose", "appointment_at", "checklist", "agenda"):
        if field in given and given[field] is None:
            raise Invalid(f"{field} cannot be emptied with null")
    if visit.status == "done" and given.keys() - {"checklist"}:
        raise Conflict(f"Visit {visit.id} is done: only its checklist can still be ticked")
    planned = given.get("planned_minutes", visit.planned_minutes)
    if problem := agenda_problem(planned, given.get("agenda", visit.agenda)):
        raise Invalid(problem)
    return change(session, visit, given)


def complete(*, session: Session, visit: Visit, visit_in: VisitComplete) -> Visit:
    """The result and the next step (mistake 21): a next appointment becomes an open
    follow-up task, without one the reason is kept; the thank-you is a task due the day of
    the visit (or today)."""
    if visit.status == "done":
        raise Conflict(f"Visit {visit.id} is already done")
    visit_day = visit.appointment_at.date()
    if visit_in.next_appointment_on and visit_in.next_appointment_on < visit_day:
        raise Invalid("next_appointment_on is before the visit itself")
    visit.status = "done"
    visit.completed_at = utcnow()
    publish_touch(session, customer_id=visit.customer_id, contact_id=visit.contact_id,
                  kind="visit", source_id=visit.id, at=min(visit.appointment_at, utcnow()))
    if visit_in.next_appointment_on:
        session.add(Task.model_validate({
            "rule_id": FOLLOW_UP_RULE, "subject_id": visit.id, "customer_id": visit.customer_id,
            "contact_id": visit.contact_id, "assignee_id": visit.owner_id, "kind": "visit",
            "title": "Promised follow-up visit",
            "due_on": visit_in.next_appointment_on.isoformat(), "visit_id": visit.id}))
    contact = session.get(ContactRef, visit.contact_id) if visit.contact_id else None
    thanks = Task.model_validate({
        "rule_id": THANKS_RULE, "subject_id": visit.id, "customer_id": visit.customer_id,
        "contact_id": visit.contact_id, "assignee_id": visit.owner_id,
        "kind": visit_in.thanks_by,
        "title": f"Thank {contact.name if contact else 'the customer'} for the visit (致谢)",
        "due_on": max(visit_day, local_today(session)).isoformat(), "visit_id": visit.id})
    session.add(thanks)
    return change(session, visit, {
        "thanks_task_id": thanks.id, "result": visit_in.result,
        "next_appointment_on": visit_in.next_appointment_on,
        "no_follow_up_reason": None if visit_in.next_appointment_on
        else visit_in.no_follow_up_reason, "actual_minutes": visit_in.actual_minutes})


def checks_page(*, session: Session, page: PageParams, phase: str | None,
                active: bool | None) -> tuple[list[VisitCheck], str | None]:
    stmt = where_given(select(VisitCheck), (VisitCheck.phase, phase),
                       (VisitCheck.active, active))
    return paginate(session, stmt, sort=VisitCheck.id, key=VisitCheck.id, page=page)


def add_check(*, session: Session, check_in: VisitCheckCreate) -> VisitCheck:
    return add(session, VisitCheck.model_validate(check_in.model_dump()))


def get_check(*, session: Session, check_id: str) -> VisitCheck:
    return get_or_404(session, VisitCheck, check_id, "Checklist item")


def update_check(*, session: Session, check: VisitCheck,
                 check_in: VisitCheckUpdate) -> VisitCheck:
    return change(session, check, check_in.model_dump(exclude_unset=True))
