"""/v1/purchases: record what customers bought (购买记录)."""
from __future__ import annotations

from fastapi import APIRouter, Response, status
from guanxi_shared.app import DbSession
from guanxi_shared.auth import Writer

from ..schemas.purchases import PurchaseCreate, PurchaseRead
from ..store import customers as customer_store
from ..store import purchases as store
from ..store.tables import Purchase

router = APIRouter(prefix="/v1/purchases", tags=["purchases"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PurchaseRead,
             responses={200: {"model": PurchaseRead,
                              "description": "This external_ref was already recorded"}})
def record_purchase(purchase_in: PurchaseCreate, session: DbSession, principal: Writer,
                    response: Response) -> Purchase:
    customer_store.get_visible(session=session, principal=principal,
                               customer_id=purchase_in.customer_id)
    purchase, created = store.record(session=session, purchase_in=purchase_in)
    if not created:
        response.status_code = status.HTTP_200_OK
    return purchase
