"""Events segmentation consumes: the registry's customers and purchases, the needs service's
satisfaction scores. A purchase rescored its customer at once (incremental update)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from guanxi_shared import reasons
from guanxi_shared.db import local_today
from guanxi_shared.event_types import EventType
from guanxi_shared.events import Event, EventHandler

from .store.read_model import customers
from .store.retention import rebuild_periods
from .store.scoring import rescore_customer
from .store.tables import (
    BalanceRef,
    ComplaintRef,
    CustomerScore,
    InvoiceRef,
    PurchaseFact,
    Reason,
    SatisfactionScore,
)
from .store.touches import record_touch


def on_purchase(session: Session, event: Event) -> None:
    if session.get(PurchaseFact, event.data["id"]) is None:
        session.add(PurchaseFact.model_validate(event.data))
        session.flush()
        rebuild_periods(session, [event.data["customer_id"]])
    rescore_customer(session=session, customer_id=event.data["customer_id"], as_of=local_today(session))


def on_satisfaction(session: Session, event: Event) -> None:
    d = event.data
    expected, experienced = float(d["expected"]), float(d["experienced"])
    session.add(SatisfactionScore(
        customer_id=d["customer_id"], scored_on=date.fromisoformat(d["scored_on"]),
        expected=expected, experienced=experienced,
        index=round(experienced / expected * 100, 1) if expected else 0.0))
    session.flush()
    _rescore(session, d["customer_id"])


def on_reasons(session: Session, event: Event) -> None:
    reasons.apply_list(session, Reason, event.data)


def _instant(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError(f"touch time {value!r} has no UTC offset")
    return at


def _rescore(session: Session, customer_id: str) -> None:
    """An at-risk signal changed: the customer's flag and episode follow at once."""
    rescore_customer(session=session, customer_id=customer_id, as_of=local_today(session))


def on_touch(session: Session, event: Event) -> None:
    d = event.data
    kept = record_touch(session, d["customer_id"], _instant(d["at"]), d["kind"],
                        d.get("source_id"), d.get("contact_id"))
    score = session.get(CustomerScore, d["customer_id"]) if kept else None
    if score is not None and score.at_risk:  # a touch can only end neglect: rescore then
        _rescore(session, d["customer_id"])


def on_complaint_opened(session: Session, event: Event) -> None:
    d = event.data
    if session.get(ComplaintRef, d["id"]) is None:
        session.add(ComplaintRef(id=d["id"], customer_id=d["customer_id"],
                                 due_at=_instant(str(d["due_at"]))))
        session.flush()
    _rescore(session, d["customer_id"])


def _resolved(session: Session, complaint_id: str, customer_id: str, at: datetime) -> None:
    row = session.get(ComplaintRef, complaint_id)
    if row is None or row.resolved_at is None:
        if row is None:  # opened before this read model existed: only its end is known
            row = ComplaintRef(id=complaint_id, customer_id=customer_id, due_at=at)
            session.add(row)
        row.resolved_at = at
        session.flush()
        _rescore(session, customer_id)


def on_complaint_progress(session: Session, event: Event) -> None:
    d = event.data
    if d.get("step") in ("resolved", "closed"):
        at = _instant(str(d.get("at") or event.occurred_at.isoformat()))
        _resolved(session, d["complaint_id"], d["customer_id"], at)
        record_touch(session, d["customer_id"], at, "complaint", d["complaint_id"],
                     d.get("contact_id"))


def on_complaint_closed(session: Session, event: Event) -> None:
    """A complaint resolved and closed is care the customer felt: a touch."""
    d = event.data
    at = _instant(str(d.get("closed_at") or event.occurred_at.isoformat()))
    _resolved(session, d["id"], d["customer_id"], at)
    record_touch(session, d["customer_id"], at, "complaint", d.get("id"), d.get("contact_id"))


def on_invoice(session: Session, event: Event) -> None:
    d = event.data
    row = session.get(InvoiceRef, d["invoice_id"]) or InvoiceRef(id=d["invoice_id"],
                                                                 customer_id=d["customer_id"],
                                                                 amount=0, outstanding=0,
                                                                 due_date=d["due_date"],
                                                                 status="open")
    moved_from = row.customer_id if row.customer_id != d["customer_id"] else None
    for key in ("customer_id", "document_id", "currency", "status"):
        if key in d:
            setattr(row, key, d[key])
    row.amount, row.outstanding = (Decimal(str(d.get(k) or 0)) for k in ("amount",
                                                                         "outstanding"))
    row.issue_date = date.fromisoformat(str(d["issue_date"])) if d.get("issue_date") else None
    row.due_date = date.fromisoformat(str(d["due_date"]))
    session.add(row)
    session.flush()
    for customer_id in filter(None, (d["customer_id"], moved_from)):
        _rescore(session, customer_id)


def on_balance(session: Session, event: Event) -> None:
    """needs' relationship balance; the customer is rescored when it crosses zero."""
    d = event.data
    at = datetime.fromisoformat(d["at"])
    balance = Decimal(str(d["balance"]))
    row = session.get(BalanceRef, d["customer_id"])
    if row is not None and row.at > at:
        return  # an older report arriving late
    crossed = (row.balance < 0 if row is not None else False) != (balance < 0)
    if row is None:
        row = BalanceRef(customer_id=d["customer_id"], balance=balance, at=at)
        session.add(row)
    else:
        row.balance, row.at = balance, at
    session.flush()
    if crossed:
        _rescore(session, d["customer_id"])


HANDLERS: dict[EventType, EventHandler] = {
    EventType.reasons_changed: on_reasons,
    **customers.handlers,
    EventType.purchase_recorded: on_purchase,
    EventType.satisfaction_scored: on_satisfaction,
    EventType.touch_recorded: on_touch,
    EventType.complaint_opened: on_complaint_opened,
    EventType.complaint_progress: on_complaint_progress,
    EventType.complaint_closed: on_complaint_closed,
    EventType.invoice_changed: on_invoice,
    EventType.balance_changed: on_balance,
}
