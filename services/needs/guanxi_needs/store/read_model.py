"""Needs' read model of the registry: customers (the shared kit, plus the segment
segmentation reports) and contacts with their role in deals."""
from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from guanxi_shared.customer_ref import CustomerReadModel, RegistryList
from guanxi_shared.db import upsert
from guanxi_shared.models import utcnow

from . import balance, privacy
from .selling import repoint_customer
from .tables import (
    CareStep,
    Commitment,
    Complaint,
    ContactRef,
    CustomerRef,
    Expectation,
    Need,
    Opportunity,
)

_CONTACT_FIELDS = ("id", "customer_id", "name", "role")
_REPOINTED = (Need, Opportunity, Expectation, Complaint, ContactRef, Commitment, CareStep)


def upsert_contacts(session: Session, items: list[dict[str, Any]]) -> None:
    now = utcnow()
    upsert(session, ContactRef.__table__, [{f: item.get(f) for f in _CONTACT_FIELDS} | {
        "name": item.get("name") or "", "created_at": now, "updated_at": now}
        for item in items], key=["id"])


def merge(*, session: Session, merged_id: str, into_id: str) -> None:
    """Everything about the merged customer moves to the survivor."""
    for model in _REPOINTED:
        session.execute(update(model).where(model.customer_id == merged_id)
                        .values(customer_id=into_id))
    repoint_customer(session, merged_id, into_id)
    balance.repoint(session, merged_id, into_id)


customers = CustomerReadModel(
    table=CustomerRef, merge=merge, erase=privacy.erase,
    lists=(RegistryList("contacts", "/v1/contacts", upsert_contacts),))
