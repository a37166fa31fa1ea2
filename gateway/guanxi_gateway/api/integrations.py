"""Inbound feeds: ERP orders become purchases, ERP invoices and payments receivables,
tickets become complaints."""
from __future__ import annotations

import hashlib
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from guanxi_shared.auth import Principal, require_scope
from guanxi_shared.errors import PROBLEM_JSON, BadGateway, NotFound

from ..schemas.integrations import ErpInvoice, ErpOrder, ErpPayment, Ticket
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
            "external_ref": erp_ref(order.order_id)}
    return relay(await call(request, principal, "registry", "POST", "/v1/purchases",
                            json=body))



@router.post("/erp/invoices", status_code=201,
             responses={200: {"description": "This invoice was already recorded"},
                        409: {"description": "This document id was recorded with other "
                                             "fields"}},
             summary="Record an ERP invoice as a receivable, once per ERP document id")
async def erp_invoice(invoice: ErpInvoice, request: Request,
                      principal: ErpWriter) -> JSONResponse:
    body = invoice.model_dump(mode="json", exclude_none=True) | {
        "document_id": erp_ref(invoice.document_id), "amount": str(invoice.amount)}
    return relay(await call(request, principal, "registry", "POST", "/v1/invoices", json=body))


@router.post("/erp/payments", status_code=201,
             responses={200: {"description": "This payment was already recorded"}},
             summary="Record an ERP payment against its invoice, once per ERP payment id")
async def erp_payment(payment: ErpPayment, request: Request,
                      principal: ErpWriter) -> JSONResponse:
    """A payment names the invoice by the ERP's document id; more than is owed is a 422."""
    found = await call(request, principal, "registry", "GET", "/v1/invoices",
                       params={"document_id": erp_ref(payment.document_id), "limit": 1})
    if not found.ok:
        return relay(found)
    if not found.body["items"]:
        raise NotFound(f"No invoice with document id {payment.document_id}; send the invoice "
                       "to /api/v1/erp/invoices first")
    invoice_id = found.body["items"][0]["id"]
    body = {"payment_id": erp_ref(payment.payment_id), "amount": str(payment.amount),
            "paid_on": payment.paid_on.isoformat()}
    if payment.currency:
        body["currency"] = payment.currency
    return relay(await call(request, principal, "registry", "POST",
                            f"/v1/invoices/{quote(invoice_id, safe='')}/payments", json=body))


def erp_ref(erp_id: str) -> str:
    """The ERP's ids live in an `erp:` namespace in the registry, as orders' refs do."""
    return f"erp:{erp_id}"

@router.post("/tickets", status_code=201, summary="Open a complaint from a help-desk ticket")
async def ticket(ticket: Ticket, request: Request, principal: TicketWriter) -> JSONResponse:
    body = ticket.model_dump(exclude={"ticket_id"}, exclude_none=True)
    # The ticket id as Idempotency-Key (hashed: a header is ASCII and bounded): a re-sent
    # ticket opens no second complaint.
    key = hashlib.sha256(ticket.ticket_id.encode("utf-8", "surrogatepass")).hexdigest()
    return relay(await call(request, principal, "needs", "POST", "/v1/complaints", json=body,
                            headers={"idempotency-key": f"ticket:{key}"}))
