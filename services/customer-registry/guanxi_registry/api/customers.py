"""/v1/customers: create, read, update, list and search customers; their history."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.errors import Conflict
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.models import Instant
from guanxi_shared.pagination import PageQuery

from ..schemas.customers import (
    CustomerCreate,
    CustomerKind,
    CustomerPage,
    CustomerRead,
    CustomerStatus,
    CustomerUpdate,
    FieldChangeRead,
)
from ..store import customers as store
from ..store.tables import FieldChange
from .deps import VisibleCustomer

router = APIRouter(prefix="/v1/customers", tags=["customers"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CustomerRead)
def create_customer(customer_in: CustomerCreate, session: DbSession, principal: Writer,
                    response: Response) -> CustomerRead:
    customer = store.create(session=session, principal=principal, customer_in=customer_in)
    set_etag(response, customer.id, customer.version)
    response.headers["Location"] = f"/v1/customers/{customer.id}"
    return store.read_model(customer)


@router.get("", response_model=CustomerPage)
def list_customers(
    session: DbSession, principal: CurrentPrincipal, page: PageQuery,
    q: Annotated[str | None, Query(min_length=1, max_length=100,
                                   description="Full-text: names, phones, emails, "
                                               "addresses, notes")] = None,
    owner_id: Annotated[str | None, Query(max_length=64)] = None,
    team_id: Annotated[str | None, Query(max_length=64)] = None,
    group_id: Annotated[str | None, Query(max_length=32)] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    status: CustomerStatus | None = None,
    kind: CustomerKind | None = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    industry: Annotated[str | None, Query(max_length=100)] = None,
    created_from: Instant | None = None, created_to: Instant | None = None,
    updated_from: Instant | None = None, updated_to: Instant | None = None,
    birthday_month: Annotated[int | None, Query(ge=1, le=12,
                                                description="A contact's birthday month")] = None,
    sort: Literal["created_at", "updated_at", "name"] = "created_at",
    order: Literal["asc", "desc"] = "asc",
) -> CustomerPage:
    rows, cursor = store.list_page(
        session=session, principal=principal, page=page, q=q, owner_id=owner_id,
        team_id=team_id, group_id=group_id, tag=tag, status=status, kind=kind, region=region,
        industry=industry, created_from=created_from, created_to=created_to,
        updated_from=updated_from, updated_to=updated_to, birthday_month=birthday_month,
        sort=sort, descending=order == "desc")
    groups = store.group_ids_of(session, [r.id for r in rows])
    return CustomerPage(items=[store.read_model(r, groups.get(r.id)) for r in rows],
                        next_cursor=cursor)


@router.get("/{customer_id}", response_model=CustomerRead,
            responses={308: {"description": "Merged into another customer: see Location"}})
def get_customer(customer_id: str, customer: VisibleCustomer, session: DbSession,
                 response: Response) -> CustomerRead | RedirectResponse:
    if customer.id != customer_id:
        return RedirectResponse(f"/v1/customers/{customer.id}", status_code=308)
    set_etag(response, customer.id, customer.version)
    return store.read_model(customer, store.group_ids_of(session, [customer.id]).get(customer.id))


@router.patch("/{customer_id}", response_model=CustomerRead)
def update_customer(customer_id: str, customer: VisibleCustomer, customer_in: CustomerUpdate,
                    session: DbSession, request: Request, response: Response,
                    principal: Writer) -> CustomerRead:
    if customer.id != customer_id:
        raise Conflict(f"Customer {customer_id} was merged into {customer.id}; update that one")
    check_if_match(request, customer.id, customer.version)
    customer = store.update(session=session, principal=principal, customer=customer,
                            customer_in=customer_in)
    set_etag(response, customer.id, customer.version)
    return store.read_model(customer, store.group_ids_of(session, [customer.id]).get(customer.id))


@router.get("/{customer_id}/history", response_model=list[FieldChangeRead])
def customer_history(customer: VisibleCustomer, session: DbSession) -> list[FieldChange]:
    """How scale, headcount, prosperity index, owner and status changed over time."""
    return store.history(session=session, customer_id=customer.id)
