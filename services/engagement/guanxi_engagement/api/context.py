"""/v1/customers/{id}/context: what a rep needs to know before calling the customer."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.errors import NotFound

from ..store.tables import CustomerRef, PurchaseFact

router = APIRouter(prefix="/v1/customers", tags=["context"])


class CustomerContext(BaseModel):
    customer_id: str
    name: str
    last_purchase_on: date | None
    last_purchase_amount: Decimal | None


@router.get("/{customer_id}/context", response_model=CustomerContext)
def customer_context(customer_id: str, session: DbSession,
                     principal: CurrentPrincipal) -> CustomerContext:
    customer = session.get(CustomerRef, customer_id)
    if customer is None or not principal.can_see(owner_id=customer.owner_id,
                                                 team_id=customer.team_id):
        raise NotFound(f"Customer {customer_id} not found")
    last = session.exec(select(PurchaseFact).where(PurchaseFact.customer_id == customer_id)
                        .order_by(PurchaseFact.purchased_on.desc())).first()
    return CustomerContext(customer_id=customer.id, name=customer.name,
                           last_purchase_on=last.purchased_on if last else None,
                           last_purchase_amount=last.amount if last else None)
