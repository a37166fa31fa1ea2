"""The delivery log as the caller may see it, consents (PIPL), and mass greetings."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from guanxi_shared.auth import Principal, owner_filter
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..schemas.messages import ConsentSet, MassGreeting
from .records import get_or_404
from .runs import run_mass_greeting
from .tables import Consent, ContactRef, CustomerRef, Message


def list_page(*, session: Session, principal: Principal, page: PageParams,
              filters: dict[str, Any]) -> tuple[list[Message], str | None]:
    stmt = select(Message).join(CustomerRef, CustomerRef.id == Message.customer_id)
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    stmt = where_given(stmt, (Message.customer_id, filters.get("customer_id")),
                       (Message.contact_id, filters.get("contact_id")),
                       (Message.status, filters.get("status")))
    if condition is not None:
        stmt = stmt.where(condition)
    return paginate(session, stmt, sort=Message.id, key=Message.id, page=page)


def mass_greeting(*, session: Session, principal: Principal, greeting: MassGreeting,
                  day: date, now: datetime) -> int:
    """One greeting per contact of the selected customers; a rep reaches only their own (the
    audience is narrowed to what they may see)."""
    audience = greeting.audience.model_dump(exclude_none=True)
    if not principal.sees_everything:
        visible = select(CustomerRef.id).where(
            owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id))
        audience["customer_ids"] = [c for c in session.scalars(visible)
                                    if c in audience.get("customer_ids", [c])]
    return run_mass_greeting(session=session, channel=greeting.channel, kind=greeting.kind,
                             occasion=greeting.occasion, template_id=greeting.template_id,
                             audience=audience, day=day, now=now)


def contact(*, session: Session, contact_id: str) -> ContactRef:
    return get_or_404(session, ContactRef, contact_id, "Contact")


def set_consent(*, session: Session, consent_in: ConsentSet) -> Consent:
    consent = session.get(Consent, (consent_in.contact_id, consent_in.channel)) or Consent(
        contact_id=consent_in.contact_id, channel=consent_in.channel,
        granted=consent_in.granted)
    consent.granted, consent.source = consent_in.granted, consent_in.source
    consent.updated_at = utcnow()
    session.add(consent)
    session.commit()
    session.refresh(consent)
    return consent


def consents_of(*, session: Session, contact_id: str) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.contact_id == contact_id)
                                .order_by(Consent.channel)))
