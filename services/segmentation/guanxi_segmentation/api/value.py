"""/v1/customers/{id}/value: what one customer is worth."""
from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from sqlalchemy import func, select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.errors import NotFound

from ..schemas.value import ValueCard
from ..store.tables import CustomerRef, PurchaseFact

router = APIRouter(prefix="/v1/customers", tags=["value"])


@router.get("/{customer_id}/value", response_model=ValueCard)
def customer_value(customer_id: str, session: DbSession,
                   principal: CurrentPrincipal) -> ValueCard:
    customer = session.get(CustomerRef, customer_id)
    if customer is None or not principal.can_see(owner_id=customer.owner_id,
                                                 team_id=customer.team_id):
        raise NotFound(f"Customer {customer_id} not found")
    count, total, last = session.execute(
        select(func.count(PurchaseFact.id), func.coalesce(func.sum(PurchaseFact.amount), 0),
               func.max(PurchaseFact.purchased_on))
        .where(PurchaseFact.customer_id == customer_id)).one()
    return ValueCard(customer_id=customer_id, purchase_count=count,
                     total_spend=Decimal(total).quantize(Decimal("0.01")), last_purchase_on=last)
