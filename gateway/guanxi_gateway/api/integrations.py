"""Inbound feeds: ERP orders become purchases, tickets become complaints."""
from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from guanxi_shared.auth import Principal, require_scope
from guanxi_shared.errors import PROBLEM_JSON, BadGateway

from ..schemas.integrations import ErpOrder, Ticket
from ..upstream import Answer, call

router = APIRouter(prefix="/api/v1", tags=["integrations"])

ErpWriter = Annotated[Principal, Depends(require_scope("erp:write"))]
TicketWriter = Annotated[Principal, Depends(require_scope("tickets:write"))]


def relay(answer: Answer) -> JSONResponse:
    """The service's own answer (201 new, 200 already recorded, or its problem)."""
    if answer.status == 0:
        raise BadGateway(f"The {answer.service} service is unavailable; retry later")
    media = None if answer.ok else PROBLEM_JSON
    return JSONResponse(answer.body, status_code=answer.status, media_type=media)


@router.post("/erp/orders", status_code=201,
             responses={200: {"description": "This order was already recorded"}},
             summary="Record an ERP order as a purchase, once per ERP order id")
async def erp_order(order: ErpOrder, request: Request, principal: ErpWriter) -> JSONResponse:
    body = {"customer_id": order.customer_id, "purchased_on": order.ordered_on.isoformat(),
            "amount": str(order.amount), "currency": order.currency, "channel": "erp",
            "external_ref": f"erp:{order.order_id}"}
    return relay(await call(request, principal, "registry", "POST", "/v1/purchases",
                            json=body))


@router.post("/tickets", status_code=201, summary="Open a complaint from a help-desk ticket")
async def ticket(ticket: Ticket, request: Request, principal: TicketWriter) -> JSONResponse:
    body = ticket.model_dump(exclude={"ticket_id"}, exclude_none=True)
    # The ticket id as Idempotency-Key (hashed: a header is ASCII and bounded): a re-sent
    # ticket opens no second complaint.
    key = hashlib.sha256(ticket.ticket_id.encode("utf-8", "surrogatepass")).hexdigest()
    return relay(await call(request, principal, "needs", "POST", "/v1/complaints", json=body,
                            headers={"idempotency-key": f"ticket:{key}"}))
