"""Personal data segmentation holds about a customer (PIPL): export, and the one erasure the
customer.erased event and DELETE /v1/privacy/customers/{id} both use."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session

from .loyalty_tables import LoyaltyInput
from .reports import value_card
from .tables import (
    CustomerRef,
    CustomerScore,
    LastTouch,
    SatisfactionScore,
    ScoreSnapshot,
    StatusChange,
)


def export(*, session: Session, customer: CustomerRef) -> dict[str, Any]:
    return value_card(session, customer)


def erase(*, session: Session, customer_id: str) -> dict[str, int]:
    """Personal data and scores go; anonymous purchase totals stay, so company figures do not
    change. Counts per kind."""
    session.execute(update(CustomerRef).where(CustomerRef.id == customer_id).values(
        name=f"已删除客户 {customer_id[:8]}", lost_reason=None))

    def deleted(model: Any) -> int:
        return session.execute(delete(model).where(model.customer_id == customer_id)).rowcount

    def cleared(model: Any, **values: None) -> int:
        return session.execute(update(model).where(model.customer_id == customer_id)
                               .values(**values)).rowcount

    return {"satisfaction_scores": deleted(SatisfactionScore),
            "status_reasons": cleared(StatusChange, lost_reason=None),
            "touch_contacts": cleared(LastTouch, contact_id=None),
            "loyalty_inputs": deleted(LoyaltyInput),
            "snapshots": deleted(ScoreSnapshot),
            "scores": deleted(CustomerScore)}

