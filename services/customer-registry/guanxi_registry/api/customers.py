"""/v1/customers: create, read, update and list customers."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.pagination import PageQuery

from ..schemas.customers import (
    CustomerCreate,
    CustomerPage,
    CustomerRead,
    CustomerStatus,
    CustomerUpdate,
)
from ..store import customers as store
from ..store.tables import Customer

router = APIRouter(prefix="/v1/customers", tags=["customers"])


def visible_customer(customer_id: str, session: DbSession,
                     principal: CurrentPrincipal) -> Customer:
    return store.get_visible(session=session, principal=principal, customer_id=customer_id)


VisibleCustomer = Annotated[Customer, Depends(visible_customer)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CustomerRead)
def create_customer(customer_in: CustomerCreate, session: DbSession, principal: Writer,
                    response: Response) -> Customer:
    customer = store.create(session=session, principal=principal, customer_in=customer_in)
    set_etag(response, customer.id, customer.version)
    response.headers["Location"] = f"/v1/customers/{customer.id}"
    return customer


@router.get("", response_model=CustomerPage)
def list_customers(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                   status: Annotated[CustomerStatus | None, Query()] = None) -> CustomerPage:
    rows, cursor = store.list_page(session=session, principal=principal, page=page,
                                   status=status)
    return CustomerPage(items=[CustomerRead.model_validate(r, from_attributes=True)
                               for r in rows], next_cursor=cursor)


@router.get("/{customer_id}", response_model=CustomerRead)
def get_customer(customer: VisibleCustomer, response: Response) -> Customer:
    set_etag(response, customer.id, customer.version)
    return customer


@router.patch("/{customer_id}", response_model=CustomerRead)
def update_customer(customer: VisibleCustomer, customer_in: CustomerUpdate, session: DbSession,
                    request: Request, response: Response, _: Writer) -> Customer:
    check_if_match(request, customer.id, customer.version)
    customer = store.update(session=session, customer=customer, customer_in=customer_in)
    set_etag(response, customer.id, customer.version)
    return customer


