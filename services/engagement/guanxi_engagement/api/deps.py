"""Shared route helpers: the settings, the visible customer, the ETag of what is answered."""
from __future__ import annotations

from fastapi import Request, Response

from guanxi_shared.http_cache import set_etag

from ..settings import Settings
from ..store.tables import CustomerRef


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


visible_customer = CustomerRef.visible_or_404  # (session, principal, customer_id), or 404


def tagged(response: Response, entity):
    """The entity, with its ETag on the response."""
    set_etag(response, entity.id, entity.version)
    return entity
