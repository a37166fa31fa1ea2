"""The registry read model: customers and contacts, upserted a page (or one event) at a time."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session

from guanxi_shared.client import ServiceClient
from guanxi_shared.db import upsert
from guanxi_shared.models import utcnow

from .tables import ContactRef, CustomerRef

_CUSTOMER_FIELDS = ("id", "name", "status", "owner_id", "team_id")
_CONTACT_FIELDS = ("id", "customer_id", "name", "role")


def _upsert(session: Session, model: Any, fields: tuple[str, ...],
            items: list[dict[str, Any]]) -> None:
    """Only the registry's fields are written, so the segment segmentation reports is kept."""
    now = utcnow()
    upsert(session, model.__table__, [{f: item.get(f) for f in fields} | {
        "created_at": now, "updated_at": now} for item in items], key=["id"])


def upsert_customers(session: Session, items: list[dict[str, Any]]) -> None:
    _upsert(session, CustomerRef, _CUSTOMER_FIELDS,
            [i | {"name": i.get("name") or ""} for i in items])


def upsert_contacts(session: Session, items: list[dict[str, Any]]) -> None:
    _upsert(session, ContactRef, _CONTACT_FIELDS,
            [i | {"name": i.get("name") or ""} for i in items])


def resync(*, session: Session, client: ServiceClient) -> dict[str, int]:
    """Rebuild the read model from the registry's lists (after a restore or missed events)."""
    counts = {"customers": 0, "contacts": 0}
    for name, path, save in (("customers", "/v1/customers", upsert_customers),
                             ("contacts", "/v1/contacts", upsert_contacts)):
        for items in client.pages(path):
            save(session, items)
            counts[name] += len(items)
            session.commit()
    return counts
