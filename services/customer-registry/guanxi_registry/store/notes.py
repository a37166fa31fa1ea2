"""Notes and comments on customers and contacts, kept as sanitised HTML or Markdown."""
from __future__ import annotations

import nh3
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.errors import Forbidden, Invalid
from guanxi_shared.pagination import PageParams, paginate

from ..schemas.relations import NoteCreate
from . import customers as customer_store
from .tables import Contact, Note


def sanitise(body: str) -> str:
    """Keep formatting, drop scripts, event handlers, styles and javascript: links."""
    return nh3.clean(body)


def create(*, session: Session, principal: Principal, note_in: NoteCreate) -> Note:
    customer = customer_store.get_visible(session=session, principal=principal,
                                          customer_id=note_in.customer_id)
    if note_in.contact_id:
        contact = session.get(Contact, note_in.contact_id)
        if contact is None or contact.customer_id != customer.id:
            raise Invalid("contact_id is not a contact of this customer")
    note = Note.model_validate(note_in.model_dump() | {
        "customer_id": customer.id, "author_id": principal.sub,
        "body": sanitise(note_in.body)})
    session.add(note)
    session.flush()
    customer_store.refresh_search_text(session, [customer.id])
    session.commit()
    return note


def get_visible(*, session: Session, principal: Principal, note_id: str) -> Note:
    return customer_store.get_visible_row(session=session, principal=principal, table=Note,
                                           row_id=note_id, what="Note")


def update(*, session: Session, principal: Principal, note: Note, body: str) -> Note:
    if note.author_id != principal.sub and principal.role != "admin":
        raise Forbidden("Only the author or an admin may edit a note")
    note.body = sanitise(body)
    note.version += 1
    session.add(note)
    session.flush()
    customer_store.refresh_search_text(session, [note.customer_id])
    session.commit()
    return note


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None, contact_id: str | None) -> tuple[list[Note], str | None]:
    stmt = customer_store.select_visible(Note, principal)
    if customer_id:
        stmt = stmt.where(Note.customer_id == customer_id)
    if contact_id:
        stmt = stmt.where(Note.contact_id == contact_id)
    return paginate(session, stmt, sort=Note.created_at, key=Note.id, page=page,
                    descending=True)
