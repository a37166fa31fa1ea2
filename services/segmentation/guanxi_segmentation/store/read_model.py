"""Segmentation's customer read model of the registry: customers with their status history
(the churn report's source) and purchases, kept by events and by resync alike."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlmodel import Session

from guanxi_shared.customer_ref import Customer, CustomerReadModel, RegistryList
from guanxi_shared.db import local_today, upsert
from guanxi_shared.models import utcnow

from . import privacy
from .loyalty_tables import LoyaltyInput
from .retention import rebuild_periods
from .scoring import rescore_customer
from .tables import (
    BalanceRef,
    CustomerRef,
    CustomerScore,
    LastTouch,
    PurchaseFact,
    ScoreSnapshot,
    StatusChange,
)
from .touches import record_touch

_LATEST_CHANGE = select(func.max(StatusChange.id)).where(
    StatusChange.customer_id == bindparam("cid")).scalar_subquery()


def _changed_at(customer: Customer, at: datetime | None) -> datetime:
    """When the registry changed the customer: the event's time; in a resync, its updated_at."""
    stamp = customer.get("updated_at")
    return at or (datetime.fromisoformat(str(stamp)) if stamp else utcnow())


def record_status_changes(*, session: Session, customers: list[Customer],
                          previous: dict[str, str], at: datetime | None) -> None:
    """A row per customer whose status is new or changed; a lost customer's reason corrected
    later replaces the reason of its latest row."""
    changes, corrections = [], []
    for c in customers:
        status = c.get("status", previous.get(c["id"], "prospect"))
        if previous.get(c["id"]) != status:
            changes.append({"customer_id": c["id"], "status": status,
                            "lost_reason": c.get("lost_reason"),
                            "lost_reason_code": c.get("lost_reason_code"),
                            "changed_at": _changed_at(c, at)})
        elif status == "lost" and "lost_reason_code" in c:
            corrections.append({"cid": c["id"], "code": c["lost_reason_code"],
                                "reason": c.get("lost_reason")})
    if changes:
        session.execute(insert(StatusChange), changes)
    if corrections:
        session.connection().execute(
            update(StatusChange.__table__).where(StatusChange.__table__.c.id == _LATEST_CHANGE)
            .values(lost_reason_code=bindparam("code"), lost_reason=bindparam("reason")),
            corrections)


def merge(*, session: Session, merged_id: str, into_id: str) -> None:
    """Purchases, the last touch and loyalty answers follow the survivor, who is rescored."""
    session.execute(update(PurchaseFact).where(PurchaseFact.customer_id == merged_id)
                    .values(customer_id=into_id))
    session.execute(delete(CustomerScore).where(CustomerScore.customer_id == merged_id))
    # kept scores are read "as of a date": a duplicate's would count it on every later date
    session.execute(delete(ScoreSnapshot).where(ScoreSnapshot.customer_id == merged_id))
    rebuild_periods(session, [merged_id, into_id])
    moved = session.get(LastTouch, merged_id)
    if moved is not None:
        record_touch(session, into_id, moved.touched_at, moved.kind, moved.source_id,
                     moved.contact_id)
        session.delete(moved)
    # needs re-sums the survivor's balance and reports it
    session.execute(delete(BalanceRef).where(BalanceRef.customer_id == merged_id))
    if session.get(LoyaltyInput, into_id) is None:  # the survivor's own answers win
        session.execute(update(LoyaltyInput).where(LoyaltyInput.customer_id == merged_id)
                        .values(customer_id=into_id))
    session.execute(delete(LoyaltyInput).where(LoyaltyInput.customer_id == merged_id))
    rescore_customer(session=session, customer_id=into_id, as_of=local_today(session))


def save_purchases(session: Session, items: list[dict[str, Any]]) -> None:
    upsert(session, PurchaseFact.__table__,
           [PurchaseFact.model_validate(i).written() for i in items], key=["id"])


customers = CustomerReadModel(
    table=CustomerRef, copied=("lost_reason", "region", "industry"),
    before_save=record_status_changes, merge=merge, erase=privacy.erase,
    lists=(RegistryList("purchases", "/v1/purchases", save_purchases),),
    after_resync=rebuild_periods)  # the retention read model, from every purchase at once
