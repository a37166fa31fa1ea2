"""/v1/gifts: the gift catalogue, taboos, checks and log (礼品)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Writer
from guanxi_shared.db import local_today
from guanxi_shared.http_cache import check_if_match
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery

from ..domain.gifts import gift_overdue
from ..schemas import gifts as schemas
from ..store import gifts as store
from ..store.tables import Gift, GiftLog, GiftTaboo
from .deps import CustomerInQuery, settings_of, tagged, visible_customer

router = APIRouter(tags=["gifts"])


@router.post("/v1/gifts", response_model=schemas.GiftRead, status_code=201)
def add_gift(body: schemas.GiftCreate, session: DbSession, _: Writer, response: Response) -> Gift:
    return tagged(response, store.add_gift(session=session, gift_in=body))


@router.get("/v1/gifts", response_model=schemas.GiftPage)
def list_gifts(session: DbSession, _: CurrentPrincipal, page: PageQuery) -> schemas.GiftPage:
    rows, cursor = store.gifts_page(session=session, page=page)
    return schemas.GiftPage(items=[schemas.GiftRead.model_validate(g, from_attributes=True)
                                   for g in rows],
                    next_cursor=cursor)


@router.post("/v1/gifts/taboos", response_model=schemas.GiftTabooRead, status_code=201)
def add_taboo(body: schemas.GiftTabooCreate, session: DbSession, _: Manager,
              response: Response) -> GiftTaboo:
    """A company taboo on top of the common ones (clocks, pears, umbrellas, knives, apples
    for the sick from Shanghai, pork and alcohol for 清真 customs), for everyone or scoped by
    the recipient's native place or ethnicity, the customer's group (分组) or tag."""
    return tagged(response, store.add_taboo(session=session, taboo_in=body))


@router.get("/v1/gifts/taboos", response_model=schemas.GiftTabooPage)
def list_taboos(session: DbSession, _: CurrentPrincipal, page: PageQuery,
                category: Annotated[str | None, Query(max_length=32)] = None,
                active: bool | None = None) -> schemas.GiftTabooPage:
    rows, cursor = store.taboos_page(session=session, page=page, category=category,
                                     active=active)
    return schemas.GiftTabooPage(items=[
        schemas.GiftTabooRead.model_validate(t, from_attributes=True) for t in rows],
        next_cursor=cursor)


@router.get("/v1/gifts/taboos/{taboo_id}", response_model=schemas.GiftTabooRead)
def get_taboo(taboo_id: str, session: DbSession, _: CurrentPrincipal,
              response: Response) -> GiftTaboo:
    return tagged(response, store.get_taboo(session=session, taboo_id=taboo_id))


@router.patch("/v1/gifts/taboos/{taboo_id}", response_model=schemas.GiftTabooRead)
def update_taboo(taboo_id: str, body: schemas.GiftTabooUpdate, session: DbSession, _: Manager,
                 request: Request, response: Response) -> GiftTaboo:
    """Change a company taboo, or retire it with active=false."""
    taboo = store.get_taboo(session=session, taboo_id=taboo_id)
    check_if_match(request, taboo.id, taboo.version)
    return tagged(response, store.update_taboo(session=session, taboo=taboo, taboo_in=body))


@router.get("/v1/gifts/overdue", response_model=schemas.GiftOverduePage)
def overdue_gifts_list(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                       on: Annotated[Day | None, Query(
                           description="Measured from this day; defaults to today")] = None,
                       include_never: Annotated[bool, Query(
                           description="Also customers never given a gift")] = False,
                       ) -> schemas.GiftOverduePage:
    """Customers given no gift for longer than the policy's gift_max_days_between (the
    other side of 'given too often'), the caller's own customers only; empty when the policy
    sets no limit."""
    on = on or local_today(session)
    limit, rows, cursor = store.overdue_page(session=session, principal=principal, page=page,
                                             on=on, include_never=include_never)
    items = []
    for cid, name, owner, last in rows:
        reason = gift_overdue(last_given_on=last, on=on, max_days_between=limit) or \
            f"never given a gift (policy: one at least every {limit} days)"
        items.append(schemas.GiftOverdueRead(customer_id=cid, name=name, owner_id=owner,
                                             last_given_on=last,
                                             days_since=(on - last).days if last else None,
                                             reason=reason))
    return schemas.GiftOverduePage(items=items, next_cursor=cursor)


@router.post("/v1/gifts/check", response_model=schemas.GiftCheckRead)
def check_planned_gift(body: schemas.GiftGive, session: DbSession, principal: CurrentPrincipal,
                       request: Request) -> schemas.GiftCheckRead:
    """What logging this gift would meet, without logging it: for planning a gift."""
    customer = visible_customer(session, principal, body.customer_id)
    _, check = store.check(session=session, settings=settings_of(request), customer=customer,
                           gift_in=body)
    return schemas.GiftCheckRead(blocked=check.blocked, warnings=check.warnings, fits=check.fits)


@router.post("/v1/gifts/log", response_model=schemas.GiftLogRead, status_code=201)
def give_gift(body: schemas.GiftGive, session: DbSession, principal: Writer, request: Request,
              response: Response) -> GiftLog:
    """Log a gift; taboos for the recipient's native place and customs, the customer's
    groups and tags and the occasion, budget and spacing block it (422) or come back as
    warnings."""
    customer = visible_customer(session, principal, body.customer_id)
    return store.give(session=session, settings=settings_of(request), customer=customer,
                      gift_in=body)


@router.get("/v1/gifts/log", response_model=list[schemas.GiftLogRead])
def gift_log(session: DbSession, customer: CustomerInQuery) -> list[GiftLog]:
    return store.gift_log(session=session, customer_id=customer.id)
