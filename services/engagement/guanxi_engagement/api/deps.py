"""Shared route helpers: the settings, the visible customer, the ETag of what is answered."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.http_cache import set_etag

from ..settings import Settings
from ..store.tables import CustomerRef


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


visible_customer = CustomerRef.visible_or_404  # (session, principal, customer_id), or 404


def customer_in_query(session: DbSession, principal: CurrentPrincipal,
                      customer_id: Annotated[str, Query(max_length=32)]) -> CustomerRef:
    """The customer a list is asked for (`?customer_id=`), when the caller may see it."""
    return visible_customer(session, principal, customer_id)


CustomerInQuery = Annotated[CustomerRef, Depends(customer_in_query)]


def tagged(response: Response, entity):
    """The entity, with its ETag on the response."""
    set_etag(response, entity.id, entity.version)
    return entity
