"""Expectation management (期望值管理表): goals, result checks, satisfaction scores."""
from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.db import local_today
from guanxi_shared.errors import Invalid
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate

from ..domain.balance import expectation_kind
from ..domain.satisfaction import perception, satisfaction_index
from ..schemas.expectations import (
    CheckCreate,
    CheckRead,
    ExpectationCreate,
    ExpectationDetail,
    ExpectationRead,
    ExpectationUpdate,
    GoalKind,
)
from . import balance
from .access import apply_changes, get_visible, scoped, visible_customer
from .tables import Expectation, ExpectationCheck


def create(*, session: Session, principal: Principal, goal_in: ExpectationCreate) -> Expectation:
    visible_customer(session=session, principal=principal, customer_id=goal_in.customer_id)
    if (goal_in.goal_kind == GoalKind.staged) != (goal_in.stage_no is not None):
        raise Invalid("stage_no is required for a staged goal and only for one")
    goal = Expectation.model_validate(goal_in.model_dump())
    session.add(goal)
    session.commit()
    return goal


def get(*, session: Session, principal: Principal, expectation_id: str) -> Expectation:
    return get_visible(session=session, principal=principal, model=Expectation,
                       object_id=expectation_id, label="Expectation")


def update(*, session: Session, goal: Expectation, goal_in: ExpectationUpdate) -> Expectation:
    apply_changes(goal, goal_in.model_dump(exclude_unset=True))
    session.commit()
    return goal


def detail(*, session: Session, goal: Expectation) -> ExpectationDetail:
    checks = list(session.scalars(select(ExpectationCheck).where(
        ExpectationCheck.expectation_id == goal.id).order_by(ExpectationCheck.checked_on,
                                                             ExpectationCheck.id)))
    scored = [c for c in checks if c.expected_score and c.experienced_score]
    index = (satisfaction_index(expected=scored[-1].expected_score,
                                experienced=scored[-1].experienced_score) if scored else None)
    return ExpectationDetail.model_validate({
        **ExpectationRead.model_validate(goal).model_dump(),
        "checks": [CheckRead.model_validate(c) for c in checks],
        "satisfaction_index": index,
        "perception": perception(index) if index is not None else None})


def add_check(*, session: Session, principal: Principal, goal: Expectation,
              check_in: CheckCreate) -> Expectation:
    """A result check; a staged goal reached is reported to the customer that day."""
    if (check_in.expected_score is None) != (check_in.experienced_score is None):
        raise Invalid("Give both the expected and the experienced value score, or neither")
    checked_on = check_in.checked_on or local_today(session)
    check = ExpectationCheck.model_validate({
        **check_in.model_dump(), "checked_on": checked_on, "expectation_id": goal.id,
        "checked_by": principal.sub})
    session.add(check)
    session.flush()
    index = (satisfaction_index(expected=check_in.expected_score,
                                experienced=check_in.experienced_score)
             if check_in.expected_score is not None else None)
    # a goal reached counts once (the first check that reaches it); every scored check counts
    if kind := expectation_kind(index=index,
                                reached=check_in.reached and goal.reached_on is None):
        balance.record(session, customer_id=goal.customer_id, kind=kind,
                       source_key=f"expectation-check:{check.id}", occurred_at=utcnow(),
                       note=goal.goal[:200])
    changes = {}
    if check_in.reached and goal.reached_on is None:
        changes = {"reached_on": checked_on, "reported_on": local_today(session)}
        publish(session=session, event_type=EventType.expectation_reached, source="needs", data={
            "id": goal.id, "customer_id": goal.customer_id, "goal_kind": goal.goal_kind,
            "stage_no": goal.stage_no, "goal": goal.goal, "result": check_in.result,
            "reached_on": checked_on.isoformat(),
            "reported_on": changes["reported_on"].isoformat()})
    apply_changes(goal, changes)
    if check_in.expected_score is not None:
        publish(session=session, event_type=EventType.satisfaction_scored, source="needs", data={
            "customer_id": goal.customer_id, "expected": str(check_in.expected_score),
            "experienced": str(check_in.experienced_score),
            "scored_on": checked_on.isoformat()})
    session.commit()
    return goal


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None, goal_kind: GoalKind | None,
              reached: bool | None) -> tuple[list[Expectation], str | None]:
    stmt = scoped(select(Expectation), principal, Expectation)
    if customer_id is not None:
        stmt = stmt.where(Expectation.customer_id == customer_id)
    if goal_kind is not None:
        stmt = stmt.where(Expectation.goal_kind == goal_kind)
    if reached is not None:
        stmt = stmt.where(Expectation.reached_on.is_not(None) if reached
                          else Expectation.reached_on.is_(None))
    return paginate(session, stmt, sort=Expectation.created_at, key=Expectation.id, page=page,
                    descending=True)
