"""Bulk resync: rebuild the read model from the registry's lists (after a restore, or a new
install that missed events). Pages are upserted as they arrive."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session

from guanxi_shared.client import ServiceClient
from guanxi_shared.errors import BadGateway

from .tables import CustomerRef, PurchaseFact


def pages(client: ServiceClient, path: str) -> Any:
    cursor = None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        resp = client.get(path, params=params)
        if not resp.is_success:
            raise BadGateway(f"The registry answered {resp.status_code} to {path}")
        body = resp.json()
        yield body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return


def resync(*, session: Session, client: ServiceClient) -> dict[str, int]:
    counts = {"customers": 0, "purchases": 0}
    for items in pages(client, "/v1/customers"):
        for item in items:
            session.merge(CustomerRef.model_validate(item))
        counts["customers"] += len(items)
        session.commit()
    for items in pages(client, "/v1/purchases"):
        for item in items:
            session.merge(PurchaseFact.model_validate(item))
        counts["purchases"] += len(items)
        session.commit()
    return counts
