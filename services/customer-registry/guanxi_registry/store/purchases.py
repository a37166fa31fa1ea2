"""Recording purchases, one or thousands at a time, idempotent on the ERP's external reference."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from guanxi_shared.auth import Principal, where_visible
from guanxi_shared.errors import NotFound
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish_many
from guanxi_shared.models import new_id, utcnow
from guanxi_shared.pagination import PageParams, paginate

from ..schemas.purchases import BulkItemResult, PurchaseBulkResult, PurchaseCreate, PurchaseRead
from . import customers as customer_store
from .tables import Customer, Purchase, Referral


def event_data(purchase: Purchase) -> dict[str, Any]:
    return PurchaseRead.model_validate(purchase, from_attributes=True).model_dump(mode="json")


def record(*, session: Session, principal: Principal,
           purchase_in: PurchaseCreate) -> tuple[Purchase, bool]:
    """Returns (purchase, created); a known external_ref returns the stored purchase."""
    result = record_many(session=session, principal=principal, purchases_in=[purchase_in])
    item = result.items[0]
    if item.outcome == "rejected":
        raise NotFound(item.reason or "Customer not found")
    return session.get(Purchase, item.id), item.outcome == "created"  # type: ignore[return-value]


def record_many(*, session: Session, principal: Principal,
                purchases_in: list[PurchaseCreate]) -> PurchaseBulkResult:
    """Set-based: one query for the customers, one for known refs, one insert, one outbox write."""
    ids = {p.customer_id for p in purchases_in}
    stmt = select(Customer.id, Customer.merged_into_id).where(Customer.id.in_(ids))
    stmt = where_visible(stmt, principal, Customer.owner_id, Customer.team_id)
    customers = {cid: merged or cid for cid, merged in session.execute(stmt)}
    refs = [p.external_ref for p in purchases_in if p.external_ref]
    known = dict(session.execute(select(Purchase.external_ref, Purchase.id)
                                 .where(Purchase.external_ref.in_(refs))).tuples().all()) if refs else {}
    now = utcnow()
    rows, items, seen_refs = [], [], dict(known)
    for index, p in enumerate(purchases_in):
        if p.customer_id not in customers:
            items.append(BulkItemResult(index=index, outcome="rejected",
                                        reason=f"Customer {p.customer_id} not found"))
            continue
        if p.external_ref and p.external_ref in seen_refs:
            items.append(BulkItemResult(index=index, outcome="existing",
                                        id=seen_refs[p.external_ref]))
            continue
        row = {**p.model_dump(mode="json"), "id": new_id(),
               "customer_id": customers[p.customer_id], "purchased_on": p.purchased_on,
               "amount": p.amount, "created_at": now, "updated_at": now, "version": 1}
        rows.append(row)
        if p.external_ref:
            seen_refs[p.external_ref] = row["id"]
        items.append(BulkItemResult(index=index, outcome="created", id=row["id"]))
    if rows:
        try:
            with session.begin_nested():
                session.execute(Purchase.__table__.insert(), rows)
        except IntegrityError:  # an external_ref raced in from another request: redo
            session.rollback()
            return record_many(session=session, principal=principal, purchases_in=purchases_in)
        referrers = referrers_of(session, {r["customer_id"] for r in rows})
        publish_many(session=session, event_type=EventType.purchase_recorded,
                     items=[_event(r, referrers.get(r["customer_id"])) for r in rows],
                     source="registry")
    session.commit()
    counts = {o: sum(1 for i in items if i.outcome == o) for o in ("created", "existing",
                                                                  "rejected")}
    return PurchaseBulkResult(**counts, items=items)


def referrers_of(session: Session, customer_ids: set[str]) -> dict[str, str]:
    """Who referred each of these customers, for purchase.recorded (one query)."""
    return dict(session.execute(select(Referral.referred_customer_id,
                                       Referral.referrer_customer_id)
                                .where(Referral.referred_customer_id.in_(customer_ids)))
                .tuples().all()) if customer_ids else {}


def _event(row: dict[str, Any], referrer_customer_id: str | None) -> dict[str, Any]:
    return {**{k: row[k] for k in ("id", "customer_id", "currency", "channel", "lines",
                                   "external_ref")},
            "referrer_customer_id": referrer_customer_id,
            "purchased_on": row["purchased_on"].isoformat(), "amount": str(row["amount"]),
            "created_at": row["created_at"].isoformat(),
            "updated_at": row["updated_at"].isoformat()}


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None = None, updated_since: datetime | None = None,
              purchased_from: date | None = None, purchased_to: date | None = None,
              ) -> tuple[list[Purchase], str | None]:
    stmt = customer_store.select_visible(Purchase, principal)
    if customer_id:
        stmt = stmt.where(Purchase.customer_id == customer_id)
    if purchased_from:
        stmt = stmt.where(Purchase.purchased_on >= purchased_from)
    if purchased_to:
        stmt = stmt.where(Purchase.purchased_on < purchased_to)
    if updated_since:
        stmt = stmt.where(Purchase.updated_at >= updated_since)
        return paginate(session, stmt, sort=Purchase.updated_at, key=Purchase.id, page=page)
    return paginate(session, stmt, sort=Purchase.created_at, key=Purchase.id, page=page)
