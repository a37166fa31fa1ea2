"""Personal data: export everything held about a customer or contact, and erase it (PIPL)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish, publish_many
from guanxi_shared.models import utcnow

from ..schemas.contacts import ContactRead
from ..schemas.purchases import PurchaseRead
from ..schemas.relations import NoteRead, ReferralRead
from . import customers as customer_store
from . import invoices as invoice_store
from .tables import (
    PERSONAL_FIELDS,
    Contact,
    Customer,
    CustomerTag,
    Erasure,
    FieldChange,
    GroupMember,
    Invoice,
    Note,
    Purchase,
    Referral,
)


def _dump(model: Any, rows: Any) -> list[dict[str, Any]]:
    return [model.model_validate(r, from_attributes=True).model_dump(mode="json") for r in rows]


def export_customer(session: Session, customer: Customer) -> dict[str, Any]:
    cid = customer.id
    return {
        "customer": customer_store.event_data(session, customer),
        "contacts": _dump(ContactRead, session.scalars(
            select(Contact).where(Contact.customer_id == cid))),
        "purchases": _dump(PurchaseRead, session.scalars(
            select(Purchase).where(Purchase.customer_id == cid).order_by(Purchase.purchased_on))),
        "invoices": [invoice_store.detail(session, i).model_dump(mode="json") for i in
                     session.scalars(select(Invoice).where(Invoice.customer_id == cid)
                                     .order_by(Invoice.issue_date, Invoice.id))],
        "notes": _dump(NoteRead, session.scalars(select(Note).where(Note.customer_id == cid))),
        "referrals": _dump(ReferralRead, session.scalars(select(Referral).where(
            (Referral.referrer_customer_id == cid) | (Referral.referred_customer_id == cid)))),
        "history": [{"field": h.field, "old_value": h.old_value, "new_value": h.new_value,
                     "changed_by": h.changed_by, "at": h.created_at.isoformat()}
                    for h in session.scalars(select(FieldChange).where(
                        FieldChange.customer_id == cid).order_by(FieldChange.created_at))],
        "exported_at": utcnow().isoformat(),
    }


def export_contact(session: Session, contact: Contact) -> dict[str, Any]:
    return {"contact": _dump(ContactRead, [contact])[0],
            "notes": _dump(NoteRead, session.scalars(select(Note).where(
                Note.contact_id == contact.id))),
            "exported_at": utcnow().isoformat()}


def erase_customer(*, session: Session, customer: Customer, requested_by: str) -> dict[str, int]:
    """Remove personal data; purchases stay (anonymised by the customer's erased name)."""
    cid = customer.id
    contacts = list(session.scalars(select(Contact.id).where(Contact.customer_id == cid)))
    summary = {
        "contacts": len(contacts),
        "notes": session.execute(delete(Note).where(Note.customer_id == cid)).rowcount,
        "history": session.execute(delete(FieldChange).where(
            FieldChange.customer_id == cid)).rowcount,
        "purchases_kept_anonymised": len(list(session.scalars(
            select(Purchase.id).where(Purchase.customer_id == cid)))),
    }
    session.execute(update(Referral).where(Referral.referrer_contact_id.in_(contacts))
                    .values(referrer_contact_id=None))
    session.execute(delete(Contact).where(Contact.customer_id == cid))
    session.execute(delete(CustomerTag).where(CustomerTag.customer_id == cid))
    session.execute(delete(GroupMember).where(GroupMember.customer_id == cid))
    erased = {"name": f"已删除客户 {cid[:8]}", "name_key": "", "search_text": "", "tags": [],
              "custom_fields": {}}  # what a column that may not be empty holds instead
    for field in PERSONAL_FIELDS:
        setattr(customer, field, erased.get(field))
    customer.erased_at = utcnow()
    customer.version += 1
    session.add(customer)
    session.add(Erasure(subject_type="customer", subject_id=cid, requested_by=requested_by,
                        summary=summary))
    publish_many(session=session, event_type=EventType.contact_erased,
                 items=[{"contact_id": c, "customer_id": cid} for c in contacts],
                 source="registry")
    publish(session=session, event_type=EventType.customer_erased, data={"customer_id": cid},
            source="registry")
    session.commit()
    return summary


def erase_contact(*, session: Session, contact: Contact, requested_by: str) -> dict[str, int]:
    summary = {"contacts": 1, "notes": session.execute(
        delete(Note).where(Note.contact_id == contact.id)).rowcount}
    session.execute(update(Referral).where(Referral.referrer_contact_id == contact.id)
                    .values(referrer_contact_id=None))
    session.delete(contact)
    session.flush()
    customer_store.refresh_search_text(session, [contact.customer_id])
    session.add(Erasure(subject_type="contact", subject_id=contact.id, requested_by=requested_by,
                        summary=summary))
    publish(session=session, event_type=EventType.contact_erased,
            data={"contact_id": contact.id, "customer_id": contact.customer_id},
            source="registry")
    session.commit()
    return summary
