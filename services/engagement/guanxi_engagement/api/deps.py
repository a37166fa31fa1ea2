"""Shared route helpers: loading visible objects, versioned updates, the settings."""
from __future__ import annotations

from fastapi import Request, Response
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.errors import NotFound
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.models import InputModel

from ..settings import Settings
from ..store.tables import CustomerRef


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def get_or_404(session: Session, model, entity_id: str, what: str):
    entity = session.get(model, entity_id)
    if entity is None:
        raise NotFound(f"{what} {entity_id} not found")
    return entity


def first_or_404(session: Session, stmt, what: str, entity_id: str):
    """The first row of a statement already limited to what the caller may see, or 404."""
    entity = session.scalars(stmt).first()
    if entity is None:
        raise NotFound(f"{what} {entity_id} not found")
    return entity


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


def save_update(session: Session, entity, payload: InputModel, request: Request,
                response: Response):
    """Apply the fields sent, honouring If-Match, bump the version, and set the new ETag."""
    check_if_match(request, entity.id, entity.version)
    for key, value in payload.model_dump(exclude_unset=True).items():
        setattr(entity, key, value)
    entity.version += 1
    session.add(entity)
    session.commit()
    session.refresh(entity)
    set_etag(response, entity.id, entity.version)
    return entity


def created(session: Session, entity, response: Response):
    session.add(entity)
    session.commit()
    session.refresh(entity)
    response.status_code = 201
    if hasattr(entity, "version"):
        set_etag(response, entity.id, entity.version)
    return entity
