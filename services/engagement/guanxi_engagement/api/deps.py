"""Shared route helpers: the settings, the visible customer, the ETag of what is answered."""
from __future__ import annotations

from fastapi import Request, Response
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.errors import NotFound
from guanxi_shared.http_cache import set_etag

from ..settings import Settings
from ..store.tables import CustomerRef


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def visible_customer(session: Session, principal: Principal, customer_id: str) -> CustomerRef:
    """The customer from the read model when the caller may see it; otherwise 404."""
    customer = session.get(CustomerRef, customer_id)
    if customer is None or not principal.can_see(owner_id=customer.owner_id,
                                                 team_id=customer.team_id):
        raise NotFound(f"Customer {customer_id} not found")
    return customer


def tagged(response: Response, entity):
    """The entity, with its ETag on the response."""
    set_etag(response, entity.id, entity.version)
    return entity
