"""Visit queries: the company checklist copied into a plan, and visits lacking a follow-up."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter

from ..domain.visits import default_checks, overran, plan_warnings, time_split
from .tables import CustomerRef, Task, Visit, VisitCheck
from .tasks import FOLLOW_UP_RULE

THANKS_RULE = "visit-thanks"


def visible_visits(principal: Principal):
    stmt = select(Visit).join(CustomerRef, CustomerRef.id == Visit.customer_id)
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    return stmt if condition is None else stmt.where(condition)


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
