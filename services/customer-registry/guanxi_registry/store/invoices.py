"""Invoices and payments (应收账款), idempotent on the ERP's document and payment ids.

Every change (a new invoice, a payment, a void) publishes `invoice.changed` in the same
transaction. A payment updates the invoice with a compare-and-set on its version, so two
payments racing for the last yuan cannot both pass the 'not more than is owed' check.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import and_, not_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from guanxi_shared.auth import Principal, where_visible
from guanxi_shared.db import local_today
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish, publish_many
from guanxi_shared.models import money, new_id, utcnow
from guanxi_shared.pagination import PageParams, paginate, where_given, where_within

from ..domain.aging import outstanding_after
from ..schemas.invoices import (
    CurrencyTotal,
    CustomerInvoices,
    InvoiceCreate,
    InvoiceDetail,
    InvoiceRead,
    InvoiceVoid,
    PaymentCreate,
    PaymentRead,
)
from . import customers as customer_store
from .tables import Customer, Invoice, InvoicePayment

COMPARED = ("customer_id", "amount", "currency", "issue_date", "due_date", "title")
SORTS = {"created_at": Invoice.created_at, "due_date": Invoice.due_date,
         "updated_at": Invoice.updated_at}


def read_model(invoice: Invoice, today: date) -> InvoiceRead:
    late = (today - invoice.due_date).days if invoice.status == "open" else 0
    fields = {name: getattr(invoice, name) for name in InvoiceRead.model_fields
              if name != "days_past_due"}
    return InvoiceRead(**fields, days_past_due=max(late, 0))


def detail(session: Session, invoice: Invoice) -> InvoiceDetail:
    payments = session.scalars(select(InvoicePayment).where(InvoicePayment.invoice_id
                                                            == invoice.id)
                               .order_by(InvoicePayment.paid_on, InvoicePayment.created_at))
    return InvoiceDetail(**dict(read_model(invoice, local_today(session))),
                         payments=[PaymentRead.model_validate(p, from_attributes=True)
                                   for p in payments])


def event_data(invoice: Invoice) -> dict[str, Any]:
    """The `invoice.changed` payload agreed with segmentation (docs/events.md)."""
    return {"invoice_id": invoice.id, "customer_id": invoice.customer_id,
            "document_id": invoice.document_id, "currency": invoice.currency,
            "amount": str(invoice.amount), "outstanding": str(invoice.outstanding),
            "issue_date": invoice.issue_date.isoformat(),
            "due_date": invoice.due_date.isoformat(), "status": invoice.status}


def get_visible(*, session: Session, principal: Principal, invoice_id: str) -> Invoice:
    return customer_store.get_visible_row(session=session, principal=principal, table=Invoice,
                                           row_id=invoice_id, what="Invoice")


def create(*, session: Session, principal: Principal,
           invoice_in: InvoiceCreate) -> tuple[Invoice, bool]:
    """Returns (invoice, created); a known document id with the same fields is not new."""
    customer = customer_store.get_visible(session=session, principal=principal,
                                          customer_id=invoice_in.customer_id)
    wanted = invoice_in.model_dump() | {"customer_id": customer.id,
                                        "amount": money(invoice_in.amount)}
    existing = session.scalars(select(Invoice).where(
        Invoice.document_id == invoice_in.document_id)).first()
    if existing is not None:
        return _same_or_conflict(existing, wanted), False
    invoice = Invoice.model_validate(wanted | {"id": new_id(), "outstanding": wanted["amount"],
                                               "paid": money(0), "status": "open"})
    try:
        with session.begin_nested():
            session.add(invoice)
    except IntegrityError:  # the same document raced in from another request
        session.rollback()
        return create(session=session, principal=principal, invoice_in=invoice_in)
    publish(session=session, event_type=EventType.invoice_changed, data=event_data(invoice),
            source="registry")
    session.commit()
    return invoice, True


def _same_or_conflict(existing: Invoice, wanted: dict[str, Any]) -> Invoice:
    differs = [f for f in COMPARED if getattr(existing, f) != wanted[f]]
    if differs:
        raise Conflict(f"Document {existing.document_id} is already invoice {existing.id} with "
                       f"another {', '.join(differs)}; a corrected invoice needs a new "
                       "document id (void the old one)")
    return existing


def record_payment(*, session: Session, invoice: Invoice,
                   payment_in: PaymentCreate) -> tuple[InvoicePayment, Invoice, bool]:
    """Returns (payment, invoice, created); a known payment id with the same fields is not new."""
    known = session.scalars(select(InvoicePayment).where(
        InvoicePayment.payment_id == payment_in.payment_id)).first()
    if known is not None:
        same = (known.invoice_id == invoice.id and known.amount == payment_in.amount
                and known.paid_on == payment_in.paid_on and known.note == payment_in.note)
        if not same:
            raise Conflict(f"Payment {payment_in.payment_id} is already recorded with other "
                           f"details (invoice {known.invoice_id}, amount {known.amount}, "
                           f"paid on {known.paid_on})")
        return known, invoice, False
    if payment_in.currency and payment_in.currency != invoice.currency:
        raise Invalid(f"The invoice is in {invoice.currency}", errors=[_error(
            "currency", "currency_mismatch", f"must be {invoice.currency}")])
    if invoice.status == "void":
        raise Conflict(f"Invoice {invoice.id} is void; it takes no payments")
    try:
        left = outstanding_after(invoice.amount, invoice.paid, payment_in.amount)
    except ValueError as exc:
        raise Invalid(f"The payment exceeds what is owed ({invoice.outstanding} "
                      f"{invoice.currency})", errors=[_error("amount", "overpayment",
                                                             str(exc))]) from None
    values = {"paid": money(invoice.paid + payment_in.amount), "outstanding": money(left),
              "status": "paid" if left == 0 else "open", "version": invoice.version + 1,
              "updated_at": utcnow()}
    payment = InvoicePayment(id=new_id(), invoice_id=invoice.id,
                             **payment_in.model_dump(exclude={"currency", "amount"}),
                             amount=money(payment_in.amount))
    try:
        with session.begin_nested():
            changed = session.execute(update(Invoice).where(
                Invoice.id == invoice.id, Invoice.version == invoice.version).values(**values))
            if changed.rowcount != 1:
                raise _Raced
            session.add(payment)
            session.flush()
    except (IntegrityError, _Raced):  # another payment got there first: decide again
        session.rollback()
        session.expire_all()
        fresh = session.get(Invoice, invoice.id)
        return record_payment(session=session, invoice=fresh, payment_in=payment_in)
    session.refresh(invoice)
    publish(session=session, event_type=EventType.invoice_changed, data=event_data(invoice),
            source="registry")
    session.commit()
    return payment, invoice, True


class _Raced(Exception):
    pass


def _error(field: str, kind: str, msg: str) -> dict[str, Any]:
    return {"loc": ["body", field], "field": field, "type": kind, "msg": msg}


def void(*, session: Session, invoice: Invoice, void_in: InvoiceVoid) -> Invoice:
    """Cancels what is still owed; payments already recorded stay on record."""
    if invoice.status == "void":
        return invoice
    if invoice.status == "paid":
        raise Conflict(f"Invoice {invoice.id} is paid in full; it cannot be voided")
    today = local_today(session)
    voided_on = void_in.voided_on or today
    if not invoice.issue_date <= voided_on <= today:
        raise Invalid("An invoice is voided between its issue date and today", errors=[_error(
            "voided_on", "out_of_range", f"must be from {invoice.issue_date} to {today}")])
    invoice.status, invoice.outstanding = "void", money(0)
    invoice.voided_on, invoice.void_reason = voided_on, void_in.reason
    invoice.version += 1
    session.add(invoice)
    session.flush()
    publish(session=session, event_type=EventType.invoice_changed, data=event_data(invoice),
            source="registry")
    session.commit()
    return invoice


def publish_moved(session: Session, invoice_ids: list[str]) -> None:
    """After a merge: the invoices that moved to the survivor, so consumers follow them."""
    if not invoice_ids:
        return
    invoices = session.scalars(select(Invoice).where(Invoice.id.in_(invoice_ids)))
    publish_many(session=session, event_type=EventType.invoice_changed,
                 items=[event_data(i) for i in invoices], source="registry")


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None = None, status: str | None = None,
              overdue: bool | None = None, owner_id: str | None = None,
              team_id: str | None = None, currency: str | None = None,
              document_id: str | None = None, due_from: date | None = None,
              due_to: date | None = None, updated_since: datetime | None = None,
              sort: Literal["created_at", "due_date", "updated_at"] = "created_at",
              descending: bool = False) -> tuple[list[Invoice], str | None]:
    stmt = select(Invoice).join(Customer, Customer.id == Invoice.customer_id)
    stmt = where_visible(stmt, principal, Customer.owner_id, Customer.team_id)
    stmt = where_given(stmt, (Invoice.customer_id, customer_id), (Invoice.status, status),
                       (Customer.owner_id, owner_id), (Customer.team_id, team_id),
                       (Invoice.currency, currency), (Invoice.document_id, document_id))
    stmt = where_within(stmt, Invoice.due_date, due_from, due_to)
    if overdue is not None:
        late = and_(Invoice.status == "open", Invoice.due_date < local_today(session))
        stmt = stmt.where(late if overdue else not_(late))
    if updated_since is not None:  # a consumer's resync: everything changed since, in order
        stmt = stmt.where(Invoice.updated_at >= updated_since)
        sort, descending = "updated_at", False
    return paginate(session, stmt, sort=SORTS[sort], key=Invoice.id, page=page,
                    descending=descending)


def open_for_customer(*, session: Session, customer: Customer) -> CustomerInvoices:
    today = local_today(session)
    rows = session.scalars(select(Invoice).where(Invoice.customer_id == customer.id,
                                                 Invoice.status == "open")
                           .order_by(Invoice.due_date, Invoice.id)).all()
    totals: dict[str, CurrencyTotal] = {}
    for invoice in rows:  # one customer's open invoices: a handful
        total = totals.setdefault(invoice.currency, CurrencyTotal(
            currency=invoice.currency, outstanding=Decimal(0), overdue=Decimal(0), invoices=0))
        total.outstanding += invoice.outstanding
        total.invoices += 1
        if invoice.due_date < today:
            total.overdue += invoice.outstanding
    return CustomerInvoices(customer_id=customer.id,
                            totals=[totals[c] for c in sorted(totals)],
                            items=[read_model(i, today) for i in rows])

