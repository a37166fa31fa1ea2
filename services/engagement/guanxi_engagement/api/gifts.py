"""/v1/gifts and /v1/contracts: the gift catalogue, taboos and log (礼品), contracts and
renewals (续费)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func
from sqlmodel import Session, select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Principal, Writer
from guanxi_shared.db import local_today
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.http_cache import set_etag
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery, paginate

from ..domain.gifts import (
    GiftCheck,
    Recipient,
    Taboo,
    check_gift,
    gift_overdue,
    synonyms,
)
from ..schemas.messages import (
    ContractCreate,
    ContractRead,
    ContractRenewal,
    GiftCheckRead,
    GiftCreate,
    GiftGive,
    GiftLogRead,
    GiftOverduePage,
    GiftOverdueRead,
    GiftPage,
    GiftRead,
    GiftTabooCreate,
    GiftTabooPage,
    GiftTabooRead,
    GiftTabooUpdate,
)
from ..settings import Settings
from ..store.delivery import current_policy
from ..store.gifts import overdue_gifts
from ..store.renewal_report import check_reason_code
from ..store.tables import ContactRef, Contract, CustomerRef, Gift, GiftLog, GiftTaboo
from ..store.touches import day_instant, publish_touch
from .deps import created, get_or_404, save_update, settings_of, visible_customer

router = APIRouter(tags=["gifts"])


@router.post("/v1/gifts", response_model=GiftRead, status_code=201)
def add_gift(body: GiftCreate, session: DbSession, _: Writer, response: Response) -> Gift:
    return created(session, Gift.model_validate(body.model_dump(mode="json")), response)


@router.get("/v1/gifts", response_model=GiftPage)
def list_gifts(session: DbSession, _: CurrentPrincipal, page: PageQuery) -> GiftPage:
    rows, cursor = paginate(session, select(Gift).where(Gift.active), sort=Gift.id,
                            key=Gift.id, page=page)
    return GiftPage(items=[GiftRead.model_validate(g, from_attributes=True) for g in rows],
                    next_cursor=cursor)


@router.post("/v1/gifts/taboos", response_model=GiftTabooRead, status_code=201)
def add_taboo(body: GiftTabooCreate, session: DbSession, _: Manager,
              response: Response) -> GiftTaboo:
    """A company taboo on top of the common ones (clocks, pears, umbrellas, knives, apples
    for the sick from Shanghai, pork and alcohol for 清真 customs), for everyone or scoped by
    the recipient's native place or ethnicity, the customer's group (分组) or tag."""
    return created(session, GiftTaboo.model_validate(body.model_dump()), response)


@router.get("/v1/gifts/taboos", response_model=GiftTabooPage)
def list_taboos(session: DbSession, _: CurrentPrincipal, page: PageQuery,
                category: Annotated[str | None, Query(max_length=32)] = None,
                active: bool | None = None) -> GiftTabooPage:
    stmt = select(GiftTaboo)
    if category is not None:  # any word of the category: 钟表 lists the clock taboos
        words = synonyms(category)
        stmt = stmt.where(GiftTaboo.category.in_(words))
    if active is not None:
        stmt = stmt.where(GiftTaboo.active == active)
    rows, cursor = paginate(session, stmt, sort=GiftTaboo.id, key=GiftTaboo.id, page=page)
    return GiftTabooPage(items=[GiftTabooRead.model_validate(t, from_attributes=True)
                                for t in rows], next_cursor=cursor)


@router.get("/v1/gifts/taboos/{taboo_id}", response_model=GiftTabooRead)
def get_taboo(taboo_id: str, session: DbSession, _: CurrentPrincipal,
              response: Response) -> GiftTaboo:
    taboo = get_or_404(session, GiftTaboo, taboo_id, "Taboo")
    set_etag(response, taboo.id, taboo.version)
    return taboo


@router.patch("/v1/gifts/taboos/{taboo_id}", response_model=GiftTabooRead)
def update_taboo(taboo_id: str, body: GiftTabooUpdate, session: DbSession, _: Manager,
                 request: Request, response: Response) -> GiftTaboo:
    """Change a company taboo, or retire it with active=false."""
    return save_update(session, get_or_404(session, GiftTaboo, taboo_id, "Taboo"), body,
                       request, response)


def recipient_of(session: Session, customer_id: str, contact_id: str | None
                 ) -> Recipient | None:
    """The contact receiving the gift, who must be one of the customer's."""
    if contact_id is None:
        return None
    contact = session.get(ContactRef, contact_id)
    if contact is None or contact.customer_id != customer_id:
        msg = f"contact {contact_id} is not a contact of customer {customer_id}"
        raise Invalid(msg, errors=[{"loc": ["body", "contact_id"], "field": "contact_id",
                                    "type": "value_error", "msg": msg}])
    return Recipient(native_place=contact.native_place, ethnicity=contact.ethnicity,
                     hobbies=tuple(contact.hobbies or ()))


def _check(session: Session, settings: Settings, principal: Principal,
           body: GiftGive) -> tuple[Gift, GiftCheck]:
    """The gift and what giving it would meet: taboos for the recipient's native place and
    customs, the customer's groups and tags and the occasion, the budget for the period and
    the spacing since the last gift; and the recipient's hobbies it fits."""
    customer = visible_customer(session, principal, body.customer_id)
    gift = get_or_404(session, Gift, body.gift_id, "Gift")
    recipient = recipient_of(session, customer.id, body.contact_id)
    try:
        since = body.given_on - timedelta(days=settings.gift_budget_period_days)
    except OverflowError:
        since = date.min
    spent, last = session.execute(
        select(func.coalesce(func.sum(GiftLog.cost), 0), func.max(GiftLog.given_on))
        .where(GiftLog.customer_id == customer.id, GiftLog.given_on > since)).one()
    company_taboos = [  # a few rows; categories compare normalised (钟表 is clock)
        Taboo(category=t.category, reason=t.reason, block=t.block, occasion=t.occasion,
              regions=tuple(t.regions), groups=tuple(t.groups), tags=tuple(t.tags),
              ethnicities=tuple(t.ethnicities or ()))
        for t in session.scalars(select(GiftTaboo).where(GiftTaboo.active))]
    return gift, check_gift(
        category=gift.category, occasion=body.occasion, recipient=recipient,
        groups=customer.groups, tags=customer.tags, company_taboos=company_taboos,
        cost=gift.cost, spent_in_period=Decimal(spent),
        budget_per_period=settings.gift_budget_per_customer, last_given_on=last,
        on=body.given_on, min_days_between=settings.gift_min_days_between)


@router.get("/v1/gifts/overdue", response_model=GiftOverduePage)
def overdue_gifts_list(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                       on: Annotated[Day | None, Query(
                           description="Measured from this day; defaults to today")] = None,
                       include_never: Annotated[bool, Query(
                           description="Also customers never given a gift")] = False,
                       ) -> GiftOverduePage:
    """Customers given no gift for longer than the policy's gift_max_days_between (the
    other side of 'given too often'), the caller's own customers only; empty when the policy
    sets no limit."""
    limit = current_policy(session).gift_max_days_between
    if limit is None:
        return GiftOverduePage(items=[], next_cursor=None)
    on = on or local_today(session)
    rows, cursor = paginate(session, overdue_gifts(principal=principal, on=on,
                                                   max_days_between=limit,
                                                   include_never=include_never),
                            sort=CustomerRef.id, key=CustomerRef.id, page=page)
    items = []
    for cid, name, owner, last in rows:
        reason = gift_overdue(last_given_on=last, on=on, max_days_between=limit) or \
            f"never given a gift (policy: one at least every {limit} days)"
        items.append(GiftOverdueRead(customer_id=cid, name=name, owner_id=owner,
                                     last_given_on=last,
                                     days_since=(on - last).days if last else None,
                                     reason=reason))
    return GiftOverduePage(items=items, next_cursor=cursor)


@router.post("/v1/gifts/check", response_model=GiftCheckRead)
def check_planned_gift(body: GiftGive, session: DbSession, principal: CurrentPrincipal,
                       request: Request) -> GiftCheckRead:
    """What logging this gift would meet, without logging it: for planning a gift."""
    _, check = _check(session, settings_of(request), principal, body)
    return GiftCheckRead(blocked=check.blocked, warnings=check.warnings, fits=check.fits)


@router.post("/v1/gifts/log", response_model=GiftLogRead, status_code=201)
def give_gift(body: GiftGive, session: DbSession, principal: Writer, request: Request,
              response: Response) -> GiftLog:
    """Log a gift; taboos for the recipient's native place and customs, the customer's
    groups and tags and the occasion, budget and spacing block it (422) or come back as
    warnings."""
    gift, check = _check(session, settings_of(request), principal, body)
    if check.blocked:
        raise Invalid("This gift should not be given: " + "; ".join(check.blocked),
                      errors=[{"loc": ["body", "gift_id"], "field": "gift_id",
                               "type": "gift_blocked", "msg": r} for r in check.blocked])
    entry = GiftLog.model_validate({**body.model_dump(mode="json"), "cost": str(gift.cost),
                                    "warnings": check.warnings})
    if (at := day_instant(session, body.given_on)) is not None:  # a later date is a plan
        publish_touch(session, customer_id=entry.customer_id, contact_id=entry.contact_id,
                      kind="gift", source_id=entry.id, at=at)
    return created(session, entry, response)


@router.get("/v1/gifts/log", response_model=list[GiftLogRead])
def gift_log(session: DbSession, principal: CurrentPrincipal,
             customer_id: Annotated[str, Query(max_length=32)]) -> list[GiftLog]:
    visible_customer(session, principal, customer_id)
    return list(session.scalars(select(GiftLog).where(GiftLog.customer_id == customer_id)
                                .order_by(GiftLog.given_on.desc(), GiftLog.id)))


@router.post("/v1/contracts", response_model=ContractRead, status_code=201)
def add_contract(body: ContractCreate, session: DbSession, principal: Writer,
                 response: Response) -> Contract:
    visible_customer(session, principal, body.customer_id)
    return created(session, Contract.model_validate(body.model_dump(mode="json")), response)


@router.get("/v1/contracts", response_model=list[ContractRead])
def list_contracts(session: DbSession, principal: CurrentPrincipal,
                   customer_id: Annotated[str, Query(max_length=32)]) -> list[Contract]:
    visible_customer(session, principal, customer_id)
    return list(session.scalars(select(Contract).where(Contract.customer_id == customer_id)
                                .order_by(Contract.ends_on, Contract.id)))


@router.post("/v1/contracts/{contract_id}/renewal", response_model=ContractRead)
def record_renewal(contract_id: str, body: ContractRenewal, session: DbSession,
                   principal: Writer, request: Request, response: Response) -> Contract:
    """Renewed or not, and why: feeds the renewal report (due N, renewed M, reasons)."""
    contract = get_or_404(session, Contract, contract_id, "Contract")
    visible_customer(session, principal, contract.customer_id)
    if contract.renewal != "pending":
        raise Conflict(f"Contract {contract_id} renewal is already recorded")
    check_reason_code(session, body.reason_code)
    return save_update(session, contract, body, request, response)
