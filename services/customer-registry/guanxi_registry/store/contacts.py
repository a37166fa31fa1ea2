"""Contact queries and writes; a contact is visible to whoever may see its customer."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.errors import Conflict, NotFound
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.pagination import PageParams, paginate

from ..schemas.contacts import ContactCreate, ContactRead, ContactUpdate
from . import customers as customer_store
from .tables import Contact, Customer


def derived_fields(values: dict[str, Any]) -> dict[str, Any]:
    """primary_phone (mobile first) and birthday_month, kept in columns for search and filters."""
    phones = values.get("phones") or []
    mobiles = [p["number"] for p in phones if p.get("kind") == "mobile"]
    values["primary_phone"] = (mobiles or [p["number"] for p in phones] or [None])[0]
    if values.get("birthday_calendar") == "lunar":
        values["birthday_month"] = values.get("lunar_birthday_month")
    elif values.get("birthday"):
        values["birthday_month"] = values["birthday"].month
        values.setdefault("birthday_calendar", "solar")
    else:
        values["birthday_month"] = None
    return values


def event_data(contact: Contact) -> dict[str, Any]:
    return ContactRead.model_validate(contact, from_attributes=True).model_dump(mode="json")


def get_visible(*, session: Session, principal: Principal, contact_id: str) -> Contact:
    return customer_store.get_visible_row(session=session, principal=principal, table=Contact,
                                           row_id=contact_id, what="Contact")


def create(*, session: Session, customer: Customer, contact_in: ContactCreate) -> Contact:
    values = derived_fields(contact_in.model_dump(exclude_none=True))
    return _save(session, Contact.model_validate({**values, "customer_id": customer.id}))


def update(*, session: Session, contact: Contact, contact_in: ContactUpdate) -> Contact:
    if contact.name.startswith("已删除"):
        raise Conflict("This contact's personal data was erased; it cannot be edited")
    changes = contact_in.model_dump(exclude_unset=True)
    current = ContactRead.model_validate(contact, from_attributes=True).model_dump()
    merged = derived_fields({**current, **changes})
    if changes.get("new_customer_id") and not session.get(Customer, changes["new_customer_id"]):
        raise NotFound(f"Customer {changes['new_customer_id']} not found")
    for field in [*changes, "primary_phone", "birthday_month", "birthday_calendar"]:
        setattr(contact, field, merged.get(field))
    contact.version += 1
    return _save(session, contact)


def _save(session: Session, contact: Contact) -> Contact:
    """Write the contact, refresh its customer's search text and announce contact.changed."""
    session.add(contact)
    session.flush()
    customer_store.refresh_search_text(session, [contact.customer_id])
    publish(session=session, event_type=EventType.contact_changed, data=event_data(contact),
            source="registry")
    session.commit()
    return contact


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None = None, updated_since: datetime | None = None,
              role: str | None = None, include_departed: bool = True,
              ) -> tuple[list[Contact], str | None]:
    stmt = customer_store.select_visible(Contact, principal)
    if customer_id:
        stmt = stmt.where(Contact.customer_id == customer_id)
    if role:
        stmt = stmt.where(Contact.role == role)
    if not include_departed:
        stmt = stmt.where(Contact.left_on.is_(None))
    if updated_since:
        stmt = stmt.where(Contact.updated_at >= updated_since)
        return paginate(session, stmt, sort=Contact.updated_at, key=Contact.id, page=page)
    return paginate(session, stmt, sort=Contact.created_at, key=Contact.id, page=page)
