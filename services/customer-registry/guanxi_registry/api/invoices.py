"""/v1/invoices and /v1/receivables: invoices, payments and the aging board (应收账款)."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.db import local_today
from guanxi_shared.errors import Invalid
from guanxi_shared.http_cache import set_etag
from guanxi_shared.models import Day, Instant
from guanxi_shared.pagination import PageQuery

from ..schemas.invoices import (
    AgingBoard,
    CustomerInvoices,
    InvoiceCreate,
    InvoiceDetail,
    InvoicePage,
    InvoiceStatus,
    InvoiceVoid,
    PaymentCreate,
    PaymentRead,
    PaymentResult,
)
from ..store import aging
from ..store import invoices as store
from ..store.tables import Invoice
from .deps import VisibleCustomer

router = APIRouter(tags=["receivables"])
EARLIEST = date(1900, 1, 1)  # aging boards before this are a typo (and 91 days before year 1)


def visible_invoice(invoice_id: str, session: DbSession, principal: CurrentPrincipal) -> Invoice:
    return store.get_visible(session=session, principal=principal, invoice_id=invoice_id)


VisibleInvoice = Annotated[Invoice, Depends(visible_invoice)]
Currency = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")]


@router.post("/v1/invoices", status_code=status.HTTP_201_CREATED, response_model=InvoiceDetail,
             responses={200: {"model": InvoiceDetail,
                              "description": "This document id was already recorded with the "
                                             "same fields"}})
def create_invoice(invoice_in: InvoiceCreate, session: DbSession, principal: Writer,
                   response: Response) -> InvoiceDetail:
    invoice, created = store.create(session=session, principal=principal, invoice_in=invoice_in)
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/v1/invoices/{invoice.id}"
    set_etag(response, invoice.id, invoice.version)
    return store.detail(session, invoice)


@router.get("/v1/invoices", response_model=InvoicePage)
def list_invoices(
    session: DbSession, principal: CurrentPrincipal, page: PageQuery,
    customer_id: Annotated[str | None, Query(max_length=32)] = None,
    status: InvoiceStatus | None = None,
    overdue: Annotated[bool | None, Query(description="Open and past the due date today "
                                                      "(false: everything else)")] = None,
    owner_id: Annotated[str | None, Query(max_length=64)] = None,
    team_id: Annotated[str | None, Query(max_length=64)] = None,
    currency: Currency = None,
    document_id: Annotated[str | None, Query(max_length=128)] = None,
    due_from: Day | None = None, due_to: Day | None = None,
    updated_since: Annotated[Instant | None, Query(
        description="Changed since (for a consumer's resync; sorts by updated_at)")] = None,
    sort: Literal["created_at", "due_date", "updated_at"] = "created_at",
    order: Literal["asc", "desc"] = "asc",
) -> InvoicePage:
    rows, cursor = store.list_page(
        session=session, principal=principal, page=page, customer_id=customer_id,
        status=status, overdue=overdue, owner_id=owner_id, team_id=team_id, currency=currency,
        document_id=document_id, due_from=due_from, due_to=due_to,
        updated_since=updated_since, sort=sort,
        descending=order == "desc")
    today = local_today(session)
    return InvoicePage(items=[store.read_model(r, today) for r in rows], next_cursor=cursor)


@router.get("/v1/invoices/{invoice_id}", response_model=InvoiceDetail)
def get_invoice(invoice: VisibleInvoice, session: DbSession, response: Response) -> InvoiceDetail:
    set_etag(response, invoice.id, invoice.version)
    return store.detail(session, invoice)


@router.post("/v1/invoices/{invoice_id}/payments", status_code=status.HTTP_201_CREATED,
             response_model=PaymentResult,
             responses={200: {"model": PaymentResult,
                              "description": "This payment id was already recorded"}})
def record_payment(invoice: VisibleInvoice, payment_in: PaymentCreate, session: DbSession,
                   _: Writer, response: Response) -> PaymentResult:
    """A full or partial payment; more than is still owed is a 422, on a void invoice a 409."""
    payment, invoice, created = store.record_payment(session=session, invoice=invoice,
                                                     payment_in=payment_in)
    if not created:
        response.status_code = status.HTTP_200_OK
    return PaymentResult(payment=PaymentRead.model_validate(payment, from_attributes=True),
                         invoice=store.read_model(invoice, local_today(session)))


@router.post("/v1/invoices/{invoice_id}/void", response_model=InvoiceDetail)
def void_invoice(invoice: VisibleInvoice, void_in: InvoiceVoid, session: DbSession,
                 _: Writer, response: Response) -> InvoiceDetail:
    """Nothing more is owed on it; payments already made stay. A paid invoice is a 409;
    voiding a void invoice again changes nothing."""
    invoice = store.void(session=session, invoice=invoice, void_in=void_in)
    set_etag(response, invoice.id, invoice.version)
    return store.detail(session, invoice)


@router.get("/v1/customers/{customer_id}/invoices", response_model=CustomerInvoices)
def customer_open_invoices(customer: VisibleCustomer, session: DbSession) -> CustomerInvoices:
    """What the customer still owes: open invoices, the longest overdue first."""
    return store.open_for_customer(session=session, customer=customer)


@router.get("/v1/receivables/aging", response_model=AgingBoard)
def aging_board(
    session: DbSession, principal: CurrentPrincipal,
    as_of: Annotated[Day | None, Query(description="The day to age on (default today); the "
                                                    "amounts owed that day")] = None,
    group_by: Literal["owner", "team"] = "owner",
    owner_id: Annotated[str | None, Query(max_length=64)] = None,
    team_id: Annotated[str | None, Query(max_length=64)] = None,
    currency: Currency = None,
) -> AgingBoard:
    """Outstanding amounts and invoice counts per owner (or team) and currency, in the
    buckets current (not yet due or due that day), 1-30, 31-60, 61-90 and over 90 days past
    due. A rep sees their own customers, a manager their team."""
    as_of = as_of or local_today(session)
    if as_of < EARLIEST:
        raise Invalid("as_of is before 1900", errors=[{
            "loc": ["query", "as_of"], "field": "as_of", "type": "too_early",
            "msg": "must be 1900-01-01 or later"}])
    return aging.board(session=session, principal=principal, as_of=as_of, group_by=group_by,
                       owner_id=owner_id, team_id=team_id, currency=currency)
