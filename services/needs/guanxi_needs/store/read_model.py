"""The registry read model: customers and contacts, upserted a page (or one event) at a time."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import Session

from guanxi_shared.client import ServiceClient
from guanxi_shared.errors import BadGateway
from guanxi_shared.models import utcnow

from .tables import ContactRef, CustomerRef

_CUSTOMER_FIELDS = ("id", "name", "status", "owner_id", "team_id")
_CONTACT_FIELDS = ("id", "customer_id", "name", "role")


def _upsert(session: Session, model: Any, fields: tuple[str, ...],
            items: list[dict[str, Any]]) -> None:
    """One query for the known ids, one executemany insert, one bulk update by primary key.

    Only the registry's fields are written, so the segment segmentation reports is kept.
    """
    if not items:
        return
    now = utcnow()
    rows = {item["id"]: {f: item.get(f) for f in fields} | {"updated_at": now}
            for item in items}
    known = set(session.scalars(select(model.id).where(model.id.in_(rows))))
    fresh = [row | {"created_at": now} for rid, row in rows.items() if rid not in known]
    if fresh:
        session.execute(insert(model), fresh)
    if known:
        session.execute(update(model), [rows[rid] for rid in known])


def upsert_customers(session: Session, items: list[dict[str, Any]]) -> None:
    _upsert(session, CustomerRef, _CUSTOMER_FIELDS,
            [i | {"name": i.get("name") or ""} for i in items])


def upsert_contacts(session: Session, items: list[dict[str, Any]]) -> None:
    _upsert(session, ContactRef, _CONTACT_FIELDS,
            [i | {"name": i.get("name") or ""} for i in items])


def _pages(client: ServiceClient, path: str) -> Iterator[list[dict[str, Any]]]:
    cursor = None
    while True:
        resp = client.get(path, params={"limit": 500} | ({"cursor": cursor} if cursor else {}))
        if not resp.is_success:
            raise BadGateway(f"The registry answered {resp.status_code} to {path}")
        body = resp.json()
        yield body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return


def resync(*, session: Session, client: ServiceClient) -> dict[str, int]:
    """Rebuild the read model from the registry's lists (after a restore or missed events)."""
    counts = {"customers": 0, "contacts": 0}
    for name, path, upsert in (("customers", "/v1/customers", upsert_customers),
                               ("contacts", "/v1/contacts", upsert_contacts)):
        for items in _pages(client, path):
            upsert(session, items)
            counts[name] += len(items)
            session.commit()
    return counts
