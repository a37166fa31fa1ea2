"""/v1/purchases: record what customers bought (购买记录), one at a time or in bulk."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.models import Day, Instant
from guanxi_shared.pagination import PageQuery

from ..schemas.purchases import (
    PurchaseBulk,
    PurchaseBulkResult,
    PurchaseCreate,
    PurchasePage,
    PurchaseRead,
)
from ..store import purchases as store
from ..store.tables import Purchase

router = APIRouter(prefix="/v1/purchases", tags=["purchases"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PurchaseRead,
             responses={200: {"model": PurchaseRead,
                              "description": "This external_ref was already recorded"}})
def record_purchase(purchase_in: PurchaseCreate, session: DbSession, principal: Writer,
                    response: Response) -> Purchase:
    purchase, created = store.record(session=session, principal=principal,
                                     purchase_in=purchase_in)
    if not created:
        response.status_code = status.HTTP_200_OK
    return purchase


@router.post("/bulk", response_model=PurchaseBulkResult)
def record_purchases(bulk: PurchaseBulk, session: DbSession,
                     principal: Writer) -> PurchaseBulkResult:
    """Up to 5,000 purchases; each is created, found by external_ref, or rejected with why."""
    return store.record_many(session=session, principal=principal,
                             purchases_in=bulk.purchases)


@router.get("", response_model=PurchasePage)
def list_purchases(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                   customer_id: Annotated[str | None, Query(max_length=32)] = None,
                   purchased_from: Day | None = None, purchased_to: Day | None = None,
                   updated_since: Instant | None = None) -> PurchasePage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   customer_id=customer_id, updated_since=updated_since,
                                   purchased_from=purchased_from, purchased_to=purchased_to)
    return PurchasePage(items=[PurchaseRead.model_validate(r, from_attributes=True)
                               for r in rows], next_cursor=cursor)
