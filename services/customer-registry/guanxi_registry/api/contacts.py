"""/v1/customers/{id}/contacts and /v1/contacts: the people at each customer."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.models import Instant
from guanxi_shared.pagination import PageQuery

from ..schemas.contacts import ContactCreate, ContactPage, ContactRead, ContactUpdate, DealRole
from ..store import contacts as store
from ..store.tables import Contact
from .deps import VisibleContact, VisibleCustomer

router = APIRouter(tags=["contacts"])


@router.post("/v1/customers/{customer_id}/contacts", status_code=status.HTTP_201_CREATED,
             response_model=ContactRead)
def create_contact(customer: VisibleCustomer, contact_in: ContactCreate, session: DbSession,
                   _: Writer, response: Response) -> Contact:
    contact = store.create(session=session, customer=customer, contact_in=contact_in)
    set_etag(response, contact.id, contact.version)
    response.headers["Location"] = f"/v1/contacts/{contact.id}"
    return contact


@router.get("/v1/customers/{customer_id}/contacts", response_model=ContactPage)
def list_customer_contacts(customer: VisibleCustomer, session: DbSession,
                           principal: CurrentPrincipal, page: PageQuery,
                           include_departed: bool = True) -> ContactPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   customer_id=customer.id, include_departed=include_departed)
    return ContactPage(items=[ContactRead.model_validate(r, from_attributes=True) for r in rows],
                       next_cursor=cursor)


@router.get("/v1/contacts", response_model=ContactPage)
def list_contacts(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                  customer_id: Annotated[str | None, Query(max_length=32)] = None,
                  role: DealRole | None = None,
                  updated_since: Instant | None = None) -> ContactPage:
    """Every visible contact; `updated_since` pages in change order (for resync)."""
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   customer_id=customer_id, role=role,
                                   updated_since=updated_since)
    return ContactPage(items=[ContactRead.model_validate(r, from_attributes=True) for r in rows],
                       next_cursor=cursor)


@router.get("/v1/contacts/{contact_id}", response_model=ContactRead)
def get_contact(contact: VisibleContact, response: Response) -> Contact:
    set_etag(response, contact.id, contact.version)
    return contact


@router.patch("/v1/contacts/{contact_id}", response_model=ContactRead)
def update_contact(contact: VisibleContact, contact_in: ContactUpdate, session: DbSession,
                   request: Request, response: Response, _: Writer) -> Contact:
    """Also records departure: `left_on`, `went_to` (去向) and the new customer it joined."""
    check_if_match(request, contact.id, contact.version)
    contact = store.update(session=session, contact=contact, contact_in=contact_in)
    set_etag(response, contact.id, contact.version)
    return contact
