"""Duplicates: likely pairs by phone, email, credit code or similar name, and the merge."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish

from . import customers as customer_store
from . import invoices as invoice_store
from .tables import (
    MERGEABLE_CONTACT_FIELDS,
    MERGEABLE_FIELDS,
    Contact,
    Customer,
    CustomerTag,
    GroupMember,
    Invoice,
    Note,
    Purchase,
    Referral,
)


def find_duplicates(*, session: Session, principal: Principal, limit: int) -> list[dict[str, Any]]:
    """Groups of live customers sharing a phone, email, credit code or normalised name."""
    visible = owner_filter(principal, Customer.owner_id, Customer.team_id)
    groups: list[dict[str, Any]] = []
    keys = {"phone": Customer.phone, "email": Customer.email,
            "credit_code": Customer.credit_code, "similar_name": Customer.name_key}
    for reason, column in keys.items():
        stmt = (select(column, func.count(), func.min(Customer.created_at))
                .where(column.is_not(None), column != "", Customer.merged_into_id.is_(None))
                .group_by(column).having(func.count() > 1).order_by(column).limit(limit))
        if visible is not None:
            stmt = stmt.where(visible)
        values = [row[0] for row in session.execute(stmt)]
        if not values:
            continue
        members = select(column, Customer.id).where(column.in_(values),
                                                    Customer.merged_into_id.is_(None))
        if visible is not None:
            members = members.where(visible)
        by_value: dict[str, list[str]] = {}
        for value, cid in session.execute(members.order_by(Customer.created_at, Customer.id)):
            by_value.setdefault(value, []).append(cid)
        groups += [{"reason": reason, "value": v, "customer_ids": ids}
                   for v, ids in by_value.items()]
    shared = _shared_contact_phones(session, visible, limit)
    return (groups + shared)[:limit]


def _shared_contact_phones(session: Session, visible: Any, limit: int) -> list[dict[str, Any]]:
    """Different customers whose contacts share a mobile number: often the same customer."""
    stmt = (select(Contact.primary_phone, func.count(func.distinct(Contact.customer_id)))
            .join(Customer, Customer.id == Contact.customer_id)
            .where(Contact.primary_phone.is_not(None), Customer.merged_into_id.is_(None))
            .group_by(Contact.primary_phone)
            .having(func.count(func.distinct(Contact.customer_id)) > 1).limit(limit))
    if visible is not None:
        stmt = stmt.where(visible)
    phones = [r[0] for r in session.execute(stmt)]
    if not phones:
        return []
    pairs = session.execute(select(Contact.primary_phone, Contact.customer_id).distinct()
                            .where(Contact.primary_phone.in_(phones))
                            .order_by(Contact.primary_phone, Contact.customer_id))
    out: dict[str, list[str]] = {}
    for phone, cid in pairs:
        out.setdefault(phone, []).append(cid)
    return [{"reason": "contact_phone", "value": p, "customer_ids": ids} for p, ids in out.items()]


def merge(*, session: Session, principal: Principal, survivor_id: str,
          merged_id: str) -> Customer:
    """Move everything of `merged_id` onto the survivor; the merged id then redirects."""
    survivor = customer_store.get_visible(session=session, principal=principal,
                                          customer_id=survivor_id, follow_merge=False)
    merged = customer_store.get_visible(session=session, principal=principal,
                                        customer_id=merged_id, follow_merge=False)
    if survivor.id == merged.id:
        raise Invalid("A customer cannot be merged into itself")
    if survivor.merged_into_id or merged.merged_into_id:
        raise Conflict("One of these customers was already merged")
    _merge_contacts(session, survivor.id, merged.id)
    moved_invoices = list(session.scalars(select(Invoice.id).where(
        Invoice.customer_id == merged.id)))
    for table in (Purchase, Note, Invoice):
        session.execute(update(table).where(table.customer_id == merged.id)
                        .values(customer_id=survivor.id))
    invoice_store.publish_moved(session, moved_invoices)
    _merge_referrals(session, survivor.id, merged.id)
    _merge_memberships(session, survivor.id, merged.id)
    for field in MERGEABLE_FIELDS:
        if getattr(survivor, field) is None and getattr(merged, field) is not None:
            if field == "credit_code":
                code, merged.credit_code = merged.credit_code, None
                session.flush()
                survivor.credit_code = code
            else:
                setattr(survivor, field, getattr(merged, field))
    survivor.tags = sorted(set(survivor.tags) | set(merged.tags))
    survivor.custom_fields = {**merged.custom_fields, **survivor.custom_fields}
    customer_store.set_tags(session, survivor.id, survivor.tags)
    customer_store.set_tags(session, merged.id, [])
    survivor.version += 1
    merged.merged_into_id, merged.search_text, merged.version = survivor.id, "", merged.version + 1
    session.add_all([survivor, merged])
    session.flush()
    customer_store.refresh_search_text(session, [survivor.id])
    session.execute(update(Customer).where(Customer.id == merged.id).values(search_text=""))
    publish(session=session, event_type=EventType.customer_merged,
            data={"merged_id": merged.id, "into_id": survivor.id}, source="registry")
    publish(session=session, event_type=EventType.customer_updated,
            data=customer_store.event_data(session, survivor), source="registry")
    session.commit()
    return survivor


def _merge_contacts(session: Session, survivor_id: str, merged_id: str) -> None:
    """Contacts of both: the same person (phone or email) becomes one record, others move."""
    keep = {c.primary_phone or c.email: c for c in session.scalars(
        select(Contact).where(Contact.customer_id == survivor_id))}
    keep.update({c.email: c for c in keep.values() if c.email})
    for contact in session.scalars(select(Contact).where(Contact.customer_id == merged_id)):
        twin = keep.get(contact.primary_phone) or keep.get(contact.email)
        if twin is None:
            contact.customer_id = survivor_id
            continue
        for field in MERGEABLE_CONTACT_FIELDS:
            mine, theirs = getattr(twin, field), getattr(contact, field)
            if field == "phones":  # one entry per number
                numbers = {p["number"] for p in mine}
                twin.phones = mine + [p for p in theirs if p["number"] not in numbers]
            elif isinstance(mine, list):
                setattr(twin, field, list(dict.fromkeys(mine + theirs)))
            elif mine is None and theirs is not None:
                setattr(twin, field, theirs)
        twin.version += 1
        session.execute(update(Note).where(Note.contact_id == contact.id)
                        .values(contact_id=twin.id))
        session.execute(update(Referral).where(Referral.referrer_contact_id == contact.id)
                        .values(referrer_contact_id=twin.id))
        session.delete(contact)
    session.flush()


def _merge_referrals(session: Session, survivor_id: str, merged_id: str) -> None:
    both = (survivor_id, merged_id)
    session.execute(delete(Referral).where(Referral.referrer_customer_id.in_(both),
                                           Referral.referred_customer_id.in_(both)))
    already = session.scalar(select(Referral.id).where(
        Referral.referred_customer_id == survivor_id))
    if already:  # the survivor keeps its own referrer; the merged one's is dropped
        session.execute(delete(Referral).where(Referral.referred_customer_id == merged_id))
    session.execute(update(Referral).where(Referral.referred_customer_id == merged_id)
                    .values(referred_customer_id=survivor_id))
    session.execute(update(Referral).where(Referral.referrer_customer_id == merged_id)
                    .values(referrer_customer_id=survivor_id))


def _merge_memberships(session: Session, survivor_id: str, merged_id: str) -> None:
    have = set(session.scalars(select(GroupMember.group_id)
                               .where(GroupMember.customer_id == survivor_id)))
    session.execute(delete(GroupMember).where(GroupMember.customer_id == merged_id,
                                              GroupMember.group_id.in_(have)))
    session.execute(update(GroupMember).where(GroupMember.customer_id == merged_id)
                    .values(customer_id=survivor_id))
    session.execute(delete(CustomerTag).where(CustomerTag.customer_id == merged_id))
