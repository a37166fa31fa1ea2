"""Recording purchases, idempotent on the ERP's external reference."""
from __future__ import annotations

from guanxi_shared.events import publish
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..schemas.purchases import PurchaseCreate, PurchaseRead
from .tables import Purchase


def record(*, session: Session, purchase_in: PurchaseCreate) -> tuple[Purchase, bool]:
    """Returns (purchase, created); a known external_ref returns the stored purchase."""
    if purchase_in.external_ref:
        existing = session.exec(select(Purchase).where(
            Purchase.external_ref == purchase_in.external_ref)).first()
        if existing is not None:
            return existing, False
    purchase = Purchase(**purchase_in.model_dump())
    session.add(purchase)
    try:
        session.flush()
    except IntegrityError:  # the same order raced in from another request
        session.rollback()
        return session.exec(select(Purchase).where(
            Purchase.external_ref == purchase_in.external_ref)).one(), False
    data = PurchaseRead.model_validate(purchase, from_attributes=True).model_dump(mode="json")
    publish(session=session, event_type="purchase.recorded", data=data, source="registry")
    session.commit()
    return purchase, True
