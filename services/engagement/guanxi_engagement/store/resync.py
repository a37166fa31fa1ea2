"""Bulk resync: rebuild the read model from the registry's paged lists."""
from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from guanxi_shared.client import ServiceClient

from ..events import contact_row, customer_row, purchase_row, save
from .tables import ContactRef, CustomerRef, PurchaseFact

SOURCES: list[tuple[str, str, type, Callable[[dict], dict]]] = [
    ("customers", "/v1/customers", CustomerRef, customer_row),
    ("contacts", "/v1/contacts", ContactRef, contact_row),
    ("purchases", "/v1/purchases", PurchaseFact, purchase_row),
]


def resync(*, session: Session, client: ServiceClient) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, path, model, to_row in SOURCES:
        counts[name] = 0
        for items in client.pages(path):
            save(session, model, [to_row(item) for item in items])
            counts[name] += len(items)
        session.commit()
    return counts
