"""/api/v1/webhooks: subscriptions, their delivery log, and replay of a delivery."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import Principal, require_scope
from guanxi_shared.errors import Invalid
from guanxi_shared.pagination import Page, PageQuery, paginate

from ..domain.tokens import new_secret
from ..schemas.webhooks import DeliveryRead, WebhookCreate, WebhookCreated, WebhookRead
from ..store import webhooks as store
from ..store.tables import WebhookDelivery, WebhookSubscription
from ..webhooks import EVENT_TYPES
from .deps import Admin

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
WebhookReader = Annotated[Principal, Depends(require_scope("webhooks:read"))]


def read(sub: WebhookSubscription) -> WebhookRead:
    return WebhookRead.model_validate({**sub.model_dump(), "event_types": sub.event_types.split()})


@router.post("", status_code=status.HTTP_201_CREATED, summary="Subscribe a URL to event types")
def subscribe(body: WebhookCreate, session: DbSession, admin: Admin) -> WebhookCreated:
    unknown = sorted(set(body.event_types) - {*EVENT_TYPES, "*"})
    if unknown:
        raise Invalid(f"Unknown event types: {', '.join(unknown)}")
    secret = new_secret("whsec")
    sub = WebhookSubscription(url=str(body.url), event_types=" ".join(sorted(body.event_types)),
                              secret=secret, created_by=admin.sub)
    session.add(sub)
    session.commit()
    session.refresh(sub)
    return WebhookCreated(**read(sub).model_dump(), secret=secret)


@router.get("", summary="List subscriptions")
def list_subscriptions(session: DbSession, _: WebhookReader,
                       page: PageQuery) -> Page[WebhookRead]:
    rows, cursor = paginate(session, select(WebhookSubscription),
                            sort=WebhookSubscription.created_at, key=WebhookSubscription.id,
                            page=page)
    return Page(items=[read(s) for s in rows], next_cursor=cursor)


@router.delete("/{subscription_id}", summary="Stop a subscription (its log is kept)")
def unsubscribe(subscription_id: str, session: DbSession, _: Admin) -> WebhookRead:
    sub = store.get_subscription(session=session, subscription_id=subscription_id)
    sub.active = False
    session.add(sub)
    session.commit()
    session.refresh(sub)
    return read(sub)


@router.get("/{subscription_id}/deliveries", summary="The delivery log, newest first")
def deliveries(subscription_id: str, session: DbSession, _: WebhookReader, page: PageQuery,
               status: Literal["pending", "delivered", "failed"] | None = None,
               ) -> Page[DeliveryRead]:
    store.get_subscription(session=session, subscription_id=subscription_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    rows, cursor = paginate(session, stmt, sort=WebhookDelivery.created_at,
                            key=WebhookDelivery.id, page=page, descending=True)
    return Page(items=[DeliveryRead.model_validate(d, from_attributes=True) for d in rows],
                next_cursor=cursor)


@router.post("/deliveries/{delivery_id}/replay", status_code=status.HTTP_202_ACCEPTED,
             summary="Send a delivery's body again")
def replay(delivery_id: str, session: DbSession, _: Admin) -> DeliveryRead:
    again = store.replay(session=session, delivery_id=delivery_id)
    return DeliveryRead.model_validate(again, from_attributes=True)
