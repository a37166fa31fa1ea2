"""Experience maps and the care steps they schedule for each purchase (客户体验地图)."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.db import get_or_404
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.models import new_id, utcnow
from guanxi_shared.pagination import PageParams, paginate, where_given, where_within

from ..domain.experience import Anchor, StepStatus, Touchpoint, due_dates
from ..schemas.experience import MapCreate, MapUpdate, StepDone
from .access import apply_changes, get_visible, scoped, visible_customer
from .tables import CareStep, CustomerRef, ExperienceMap, Product


def _check(session: Session, values: dict[str, Any], current: ExperienceMap | None) -> None:
    product_id = values.get("product_id", current.product_id if current else None)
    if product_id is not None and session.get(Product, product_id) is None:
        raise Invalid(f"Product {product_id} not found", errors=[{
            "loc": ["body", "product_id"], "field": "product_id", "type": "not_found",
            "msg": "unknown product"}])
    touchpoints = values.get("touchpoints", current.touchpoints if current else [])
    repurchase = values.get("repurchase_after_days",
                            current.repurchase_after_days if current else None)
    if repurchase is None and any(t["anchor"] == Anchor.repurchase for t in touchpoints):
        raise Invalid("A touchpoint around the repurchase needs repurchase_after_days",
                      errors=[{"loc": ["body", "repurchase_after_days"],
                               "field": "repurchase_after_days", "type": "missing",
                               "msg": "required by a repurchase touchpoint"}])


def create(*, session: Session, map_in: MapCreate) -> ExperienceMap:
    values = map_in.model_dump(mode="json")
    _check(session, values, None)
    found = ExperienceMap.model_validate(values)
    session.add(found)
    session.commit()
    return found


def get(*, session: Session, map_id: str) -> ExperienceMap:
    return get_or_404(session, ExperienceMap, map_id, "Experience map")


def update(*, session: Session, found: ExperienceMap, map_in: MapUpdate) -> ExperienceMap:
    changes = map_in.changes(mode="json")  # touchpoints whole, with their defaults
    _check(session, changes, found)
    apply_changes(found, changes)
    session.commit()
    return found


def list_page(*, session: Session, page: PageParams,
              product_id: str | None) -> tuple[list[ExperienceMap], str | None]:
    stmt = where_given(select(ExperienceMap), (ExperienceMap.product_id, product_id))
    return paginate(session, stmt, sort=ExperienceMap.created_at, key=ExperienceMap.id,
                    page=page)


def schedule(session: Session, found: ExperienceMap, *, customer_id: str, purchased_on: date,
             purchase_ref: str) -> None:
    """Insert the purchase's steps; a step already scheduled for it is left alone."""
    plan = due_dates([Touchpoint(t["stage"], t["anchor"], t["offset_days"])
                      for t in found.touchpoints], purchased_on=purchased_on,
                     repurchase_after_days=found.repurchase_after_days)
    now = utcnow()
    rows = [{"id": new_id(), "customer_id": customer_id, "map_id": found.id,
             "purchase_ref": purchase_ref, "touchpoint_no": no,
             "stage": found.touchpoints[no]["stage"], "kind": found.touchpoints[no]["kind"],
             "title": found.touchpoints[no]["title"], "due_on": due, "status": StepStatus.open.value,
             "note": found.touchpoints[no].get("note"), "version": 1, "created_at": now,
             "updated_at": now} for no, due in plan]
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(CareStep).on_conflict_do_nothing(
        index_elements=["map_id", "purchase_ref", "touchpoint_no"]), rows)


def apply(*, session: Session, principal: Principal, found: ExperienceMap, customer_id: str,
          purchased_on: date, purchase_id: str | None) -> list[CareStep]:
    visible_customer(session=session, principal=principal, customer_id=customer_id)
    ref = purchase_id or f"manual:{customer_id}:{purchased_on.isoformat()}"
    schedule(session, found, customer_id=customer_id, purchased_on=purchased_on,
             purchase_ref=ref)
    session.commit()
    return list(session.scalars(select(CareStep).where(
        CareStep.map_id == found.id, CareStep.purchase_ref == ref)
        .order_by(CareStep.due_on, CareStep.touchpoint_no)))


def schedule_for_purchase(session: Session, purchase: dict[str, Any],
                          product_ids: set[str]) -> None:
    """From `purchase.recorded`: every auto-applied map of a product the purchase names."""
    if not product_ids:
        return
    known = session.get(CustomerRef, purchase["customer_id"]) is not None
    for found in session.scalars(select(ExperienceMap).where(
            ExperienceMap.product_id.in_(product_ids), ExperienceMap.auto_apply.is_(True))):
        if known:
            schedule(session, found, customer_id=purchase["customer_id"],
                     purchased_on=date.fromisoformat(purchase["purchased_on"]),
                     purchase_ref=purchase["id"])


def get_step(*, session: Session, principal: Principal, step_id: str) -> CareStep:
    return get_visible(session=session, principal=principal, model=CareStep, object_id=step_id,
                       label="Care step")


def steps_page(*, session: Session, principal: Principal, page: PageParams,
               filters: dict[str, Any]) -> tuple[list[CareStep], str | None]:
    """Soonest due first: the agenda's order."""
    stmt = scoped(select(CareStep), principal, CareStep)
    stmt = where_given(stmt, (CareStep.customer_id, filters.get("customer_id")),
                       (CareStep.status, filters.get("status")),
                       (CustomerRef.owner_id, filters.get("owner_id")),
                       (CareStep.map_id, filters.get("map_id")))
    stmt = where_within(stmt, CareStep.due_on, filters.get("due_from"), filters.get("due_to"))
    return paginate(session, stmt, sort=CareStep.due_on, key=CareStep.id, page=page)


def finish(*, session: Session, principal: Principal, step: CareStep,
           done: StepDone) -> CareStep:
    if step.status != StepStatus.open:
        raise Conflict(f"This step is already {step.status}")
    if done.status is StepStatus.open:
        raise Invalid("Finish a step as done or skipped", errors=[{
            "loc": ["body", "status"], "field": "status", "type": "value_error",
            "msg": "done or skipped"}])
    apply_changes(step, {"status": done.status.value, "done_at": utcnow(),
                         "done_by": principal.sub, "note": done.note or step.note})
    session.commit()
    return step
