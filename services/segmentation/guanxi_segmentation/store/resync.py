"""Bulk resync: rebuild the read model from the registry's lists (after a restore, or a new
install that missed events). Pages are upserted as they arrive."""
from __future__ import annotations

from sqlmodel import Session

from guanxi_shared.client import ServiceClient
from guanxi_shared.db import upsert

from .retention import rebuild_periods
from .tables import CustomerRef, PurchaseFact


def resync(*, session: Session, client: ServiceClient) -> dict[str, int]:
    counts = {}
    for name, path, model in (("customers", "/v1/customers", CustomerRef),
                              ("purchases", "/v1/purchases", PurchaseFact)):
        counts[name] = 0
        for items in client.pages(path):
            upsert(session, model.__table__, [model.model_validate(i).model_dump()
                                              for i in items], key=["id"])
            counts[name] += len(items)
            session.commit()
    rebuild_periods(session)  # the retention read model, from every purchase at once
    session.commit()
    return counts
