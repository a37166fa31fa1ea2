"""/v1/products and /v1/launches: the catalogue with USP and FFAB, launches and call lists."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import (
    AdminOrManager,
    CurrentPrincipal,
    Writer,
)
from guanxi_shared.http_cache import check_if_match, set_etag, tagged
from guanxi_shared.pagination import PageQuery

from ..domain.products import Lifecycle
from ..domain.selling import CallStatus
from ..schemas import products as schemas
from ..store import products as store
from ..store import selling
from ..store.tables import Product
from .deps import IdPath, RowIdFilter

router = APIRouter(prefix="/v1/products", tags=["products"])
launches = APIRouter(prefix="/v1/launches", tags=["products"])
customers = APIRouter(prefix="/v1/customers", tags=["products"])
# The catalogue is company policy: managers and admins keep it, everyone reads it.


def product_of(product_id: IdPath, session: DbSession, principal: CurrentPrincipal) -> Product:
    return store.get(session=session, product_id=product_id)


KnownProduct = Annotated[Product, Depends(product_of)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.ProductRead)
def add_product(product_in: schemas.ProductCreate, session: DbSession, principal: AdminOrManager,
                response: Response) -> schemas.ProductRead:
    return store.to_read(tagged(response, store.create(session=session, product_in=product_in)))


@router.get("", response_model=schemas.ProductPage)
def list_products(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                  line: Annotated[str | None, Query(max_length=100)] = None,
                  lifecycle: Lifecycle | None = None,
                  q: Annotated[str | None, Query(min_length=1, max_length=100,
                                                 description="Part of the name or line")] = None,
                  ) -> schemas.ProductPage:
    rows, cursor = store.list_page(session=session, page=page, line=line, lifecycle=lifecycle,
                                   q=q)
    return schemas.ProductPage(items=[store.to_read(r) for r in rows], next_cursor=cursor)


@router.get("/{product_id}", response_model=schemas.ProductRead)
def read_product(product: KnownProduct, response: Response) -> schemas.ProductRead:
    return store.to_read(tagged(response, product))


@router.patch("/{product_id}", response_model=schemas.ProductRead)
def edit_product(product_in: schemas.ProductUpdate, product: KnownProduct, session: DbSession,
                 principal: AdminOrManager, request: Request,
                 response: Response) -> schemas.ProductRead:
    """Lifecycle moves new -> current -> retired (and back on sale from retired)."""
    check_if_match(request, product.id, product.version)
    product = store.update(session=session, product=product, product_in=product_in)
    return store.to_read(tagged(response, product))


@router.post("/{product_id}/launches", status_code=status.HTTP_201_CREATED,
             response_model=schemas.LaunchRead)
def launch_product(launch_in: schemas.LaunchCreate, product: KnownProduct, session: DbSession,
                   principal: AdminOrManager) -> schemas.LaunchRead:
    """A launch or upgrade (宣传式): computes the ranked call list of customers whose open needs
    or purchases fit the product; each owner reads theirs from the launch's calls."""
    launch = selling.launch(session=session, principal=principal, product=product,
                            launch_in=launch_in)
    return schemas.LaunchRead.model_validate(launch)


@launches.get("", response_model=schemas.LaunchPage)
def list_launches(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                  product_id: RowIdFilter = None) -> schemas.LaunchPage:
    rows, cursor = selling.launches_page(session=session, page=page, product_id=product_id)
    return schemas.LaunchPage(items=[schemas.LaunchRead.model_validate(r) for r in rows],
                              next_cursor=cursor)


@launches.get("/{launch_id}", response_model=schemas.LaunchRead)
def read_launch(launch_id: IdPath, session: DbSession,
                principal: CurrentPrincipal) -> schemas.LaunchRead:
    found = selling.get_launch(session=session, launch_id=launch_id)
    return schemas.LaunchRead.model_validate(found)


@launches.get("/{launch_id}/calls", response_model=schemas.CallPage)
def call_list(launch_id: IdPath, session: DbSession, principal: CurrentPrincipal,
              page: PageQuery,
              owner_id: Annotated[str | None, Query(max_length=64,
                                                    description="One owner's customers")] = None,
              status: CallStatus | None = None) -> schemas.CallPage:
    """Best fit first, each with why; a rep sees only their own customers."""
    found = selling.get_launch(session=session, launch_id=launch_id)
    items, cursor = selling.calls_page(session=session, principal=principal, launch=found,
                                       page=page, owner_id=owner_id,
                                       status=status.value if status else None)
    return schemas.CallPage(items=items, next_cursor=cursor)


@launches.get("/{launch_id}/calls/{customer_id}", response_model=schemas.CallRead)
def read_call(launch_id: IdPath, customer_id: IdPath, session: DbSession,
              principal: CurrentPrincipal, response: Response) -> schemas.CallRead:
    call, name, owner = selling.get_call(session=session, principal=principal,
                                         launch_id=launch_id, customer_id=customer_id)
    set_etag(response, f"{call.launch_id}.{call.customer_id}", call.version)
    return selling.call_read(session=session, call=call, name=name, owner_id=owner)


@launches.patch("/{launch_id}/calls/{customer_id}", response_model=schemas.CallRead)
def record_call(outcome: schemas.CallOutcome, launch_id: IdPath, customer_id: IdPath,
                session: DbSession, principal: Writer, request: Request,
                response: Response) -> schemas.CallRead:
    """What came of the call: called, interested, not interested (or back to to_call)."""
    call, name, owner = selling.get_call(session=session, principal=principal,
                                         launch_id=launch_id, customer_id=customer_id)
    tag = f"{call.launch_id}.{call.customer_id}"
    check_if_match(request, tag, call.version)
    selling.record_outcome(session=session, principal=principal, call=call, outcome=outcome)
    set_etag(response, tag, call.version)
    return selling.call_read(session=session, call=call, name=name, owner_id=owner)


@customers.get("/{customer_id}/suggestions", response_model=schemas.SuggestionList)
def suggestions(customer_id: IdPath, session: DbSession,
                principal: CurrentPrincipal) -> schemas.SuggestionList:
    """What to offer this customer next (正相关, 后端销售), for the customer's context."""
    return schemas.SuggestionList(customer_id=customer_id, items=selling.suggestions(
        session=session, principal=principal, customer_id=customer_id))
