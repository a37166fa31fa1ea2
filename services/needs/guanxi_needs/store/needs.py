"""The needs library: record, classify, decide, with every change kept (who and when)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, select
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.db import local_today
from guanxi_shared.errors import Conflict, Invalid, NotFound
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.pagination import PageParams, paginate, where_given, where_within

from ..domain.need_flow import DECISIONS, UNMET, IllegalTransition, NeedStatus, check_transition
from ..schemas.needs import NeedClass, NeedCreate, NeedRead, NeedTransition, NeedUpdate
from .access import apply_changes, get_visible, scoped, visible_customer
from .tables import Category, Need, NeedHistory

URGENCY_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Need.urgency)


def event_data(need: Need) -> dict[str, Any]:
    return NeedRead.model_validate(need).model_dump(mode="json")


def _check_category(session: Session, category_id: str | None) -> None:
    if category_id is not None and session.get(Category, category_id) is None:
        raise Invalid(f"Category {category_id} does not exist",
                      errors=[{"loc": ["body", "category_id"], "field": "category_id",
                               "type": "not_found", "msg": "unknown category"}])


def _class_for(need_class: NeedClass, category_id: str | None) -> NeedClass:
    """A need that fits no business category is a special need (特殊需求)."""
    return NeedClass.special if category_id is None else need_class


def _history(session: Session, need: Need, *, change: str, by: str,
             from_status: str | None = None, note: str | None = None) -> None:
    session.add(NeedHistory(need_id=need.id, change=change, from_status=from_status,
                            to_status=need.status, changed_by=by, note=note))


def create(*, session: Session, principal: Principal, need_in: NeedCreate,
           complaint_id: str | None = None) -> Need:
    visible_customer(session=session, principal=principal, customer_id=need_in.customer_id)
    _check_category(session, need_in.category_id)
    need = Need.model_validate({
        **need_in.model_dump(), "need_class": _class_for(need_in.need_class, need_in.category_id),
        "recorded_by": principal.sub, "recorded_on": local_today(session),
        "complaint_id": complaint_id})
    session.add(need)
    session.flush()
    _history(session, need, change="created", by=principal.sub)
    publish(session=session, event_type=EventType.need_created, data=event_data(need), source="needs")
    session.commit()
    return need


def get(*, session: Session, principal: Principal, need_id: str) -> Need:
    return get_visible(session=session, principal=principal, model=Need, object_id=need_id,
                       label="Need")


def update(*, session: Session, principal: Principal, need: Need, need_in: NeedUpdate) -> Need:
    changes = need_in.model_dump(exclude_unset=True)
    if "category_id" in changes or "need_class" in changes:
        _check_category(session, changes.get("category_id", need.category_id))
        changes["need_class"] = _class_for(changes.get("need_class", need.need_class),
                                           changes.get("category_id", need.category_id))
    apply_changes(need, changes)
    _history(session, need, change="edited", by=principal.sub, from_status=need.status,
             note=", ".join(sorted(changes)))
    session.commit()
    return need


def transition(*, session: Session, principal: Principal, need: Need,
               move: NeedTransition) -> Need:
    current = NeedStatus(need.status)
    try:
        check_transition(current, move.status, feedback=move.feedback)
    except IllegalTransition as exc:
        raise Conflict(str(exc)) from None
    changes: dict[str, Any] = {"status": move.status.value}
    if move.feedback:
        changes["feedback"] = move.feedback
    apply_changes(need, changes)
    _history(session, need, change="status", by=principal.sub, from_status=current.value,
             note=move.note or move.feedback)
    if move.status in DECISIONS:
        publish(session=session, event_type=EventType.need_decided, data=event_data(need),
                source="needs")
    session.commit()
    return need


def history(*, session: Session, need: Need) -> list[NeedHistory]:
    return list(session.scalars(select(NeedHistory).where(NeedHistory.need_id == need.id)
                                .order_by(NeedHistory.changed_at, NeedHistory.id)))


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None, status: NeedStatus | None, need_class: NeedClass | None,
              category_id: str | None, source: str | None, unmet: bool,
              recorded_from: date | None, recorded_to: date | None) -> tuple[list[Need], str | None]:
    stmt = scoped(select(Need), principal, Need)
    stmt = where_given(stmt, (Need.customer_id, customer_id), (Need.status, status),
                       (Need.need_class, need_class), (Need.category_id, category_id),
                       (Need.source, source))
    if unmet:
        stmt = stmt.where(Need.status.in_([s.value for s in UNMET]))
    stmt = where_within(stmt, Need.recorded_on, recorded_from, recorded_to)
    return paginate(session, stmt, sort=Need.created_at, key=Need.id, page=page,
                    descending=True)


def unmet_for_call(*, session: Session, principal: Principal, customer_id: str,
                   limit: int) -> list[Need]:
    """What to bring up on the rep's next call: open needs, most urgent and oldest first."""
    visible_customer(session=session, principal=principal, customer_id=customer_id)
    stmt = (select(Need).where(Need.customer_id == customer_id,
                               Need.status.in_([s.value for s in UNMET]))
            .order_by(URGENCY_RANK, Need.recorded_on, Need.id).limit(limit))
    return list(session.scalars(stmt))


def create_category(*, session: Session, name: str, parent_id: str | None) -> Category:
    if parent_id is not None and session.get(Category, parent_id) is None:
        raise NotFound(f"Parent category {parent_id} not found")
    category = Category(name=name, parent_id=parent_id)
    session.add(category)
    session.commit()
    return category


def categories(*, session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.name, Category.id)))
