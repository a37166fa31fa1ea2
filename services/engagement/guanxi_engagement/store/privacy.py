"""Personal data held about a customer (PIPL): export and erase."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from . import tables
from .event_tables import EventInvitation
from .flow_tables import ReferralRef, RiskEpisode
from .tables import Consent, ContactRef

BY_CUSTOMER = {
    "customers": (tables.CustomerRef, "id"), "contacts": (ContactRef, "customer_id"),
    "purchases": (tables.PurchaseFact, "customer_id"), "needs": (tables.OpenNeed, "customer_id"),
    "tasks": (tables.Task, "customer_id"), "messages": (tables.Message, "customer_id"),
    "visits": (tables.Visit, "customer_id"), "gifts": (tables.GiftLog, "customer_id"),
    "contracts": (tables.Contract, "customer_id"), "occasions": (tables.Occasion, "customer_id"),
    "referrals": (ReferralRef, "referred_customer_id"),
    "risk_episodes": (RiskEpisode, "customer_id"),
    "event_invitations": (EventInvitation, "customer_id")}


def _contact_ids(session: Session, customer_id: str):
    return select(ContactRef.id).where(ContactRef.customer_id == customer_id)


def export_customer(*, session: Session, customer_id: str) -> dict[str, list[dict[str, Any]]]:
    data = {name: [row.model_dump(mode="json") for row in session.scalars(
        select(model).where(getattr(model, column) == customer_id))]
        for name, (model, column) in BY_CUSTOMER.items()}
    data["consents"] = [row.model_dump(mode="json") for row in session.scalars(
        select(Consent).where(Consent.contact_id.in_(_contact_ids(session, customer_id))))]
    return data


def erase_customer(*, session: Session, customer_id: str) -> dict[str, int]:
    erased = {"consents": session.execute(delete(Consent).where(
        Consent.contact_id.in_(_contact_ids(session, customer_id)))).rowcount}
    for name, (model, column) in reversed(BY_CUSTOMER.items()):
        erased[name] = session.execute(
            delete(model).where(getattr(model, column) == customer_id)).rowcount
    return erased
