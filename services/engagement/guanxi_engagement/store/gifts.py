"""Gifts (礼品): the catalogue, company taboos, checking and logging a gift, each customer's
last gift, and customers gone too long without one."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlmodel import Session

from guanxi_shared.auth import Principal, where_visible
from guanxi_shared.errors import Invalid
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..domain.gifts import GiftCheck, Recipient, Taboo, check_gift, synonyms
from ..schemas.gifts import GiftCreate, GiftGive, GiftTabooCreate, GiftTabooUpdate
from ..settings import Settings
from .policy import current_policy
from .records import add, change, get_or_404
from .tables import ContactRef, CustomerRef, Gift, GiftLog, GiftTaboo
from .touches import day_instant, publish_touch


def last_gift_days(session: Session, customer_ids: list[str]) -> dict[str, date]:
    """The day of each customer's last gift, one grouped query."""
    if not customer_ids:
        return {}
    return dict(session.execute(
        select(GiftLog.customer_id, func.max(GiftLog.given_on))
        .where(GiftLog.customer_id.in_(customer_ids)).group_by(GiftLog.customer_id)).all())


def overdue_gifts(*, principal: Principal, on: date, max_days_between: int,
                  include_never: bool):
    """Customers the caller may see whose last gift is more than `max_days_between` days
    before `on` (and, with include_never, those never given one): one statement."""
    last = (select(GiftLog.customer_id, func.max(GiftLog.given_on).label("last_given_on"))
            .group_by(GiftLog.customer_id).subquery())
    try:
        cutoff = on - timedelta(days=max_days_between)
    except OverflowError:
        cutoff = date.min
    overdue = last.c.last_given_on < cutoff
    stmt = (select(CustomerRef.id, CustomerRef.name, CustomerRef.owner_id,
                   last.c.last_given_on)
            .join(last, last.c.customer_id == CustomerRef.id, isouter=include_never)
            .where(CustomerRef.status != "lost",
                   or_(overdue, last.c.last_given_on.is_(None)) if include_never else overdue))
    return where_visible(stmt, principal, CustomerRef.owner_id, CustomerRef.team_id)


def add_gift(*, session: Session, gift_in: GiftCreate) -> Gift:
    return add(session, Gift.model_validate(gift_in.model_dump(mode="json")))


def gifts_page(*, session: Session, page: PageParams) -> tuple[list[Gift], str | None]:
    return paginate(session, select(Gift).where(Gift.active), sort=Gift.id, key=Gift.id,
                    page=page)


def get_gift(*, session: Session, gift_id: str) -> Gift:
    return get_or_404(session, Gift, gift_id, "Gift")


def add_taboo(*, session: Session, taboo_in: GiftTabooCreate) -> GiftTaboo:
    return add(session, GiftTaboo.model_validate(taboo_in.model_dump()))


def taboos_page(*, session: Session, page: PageParams, category: str | None,
                active: bool | None) -> tuple[list[GiftTaboo], str | None]:
    stmt = select(GiftTaboo)
    if category is not None:  # any word of the category: 钟表 lists the clock taboos
        stmt = stmt.where(GiftTaboo.category.in_(synonyms(category)))
    stmt = where_given(stmt, (GiftTaboo.active, active))
    return paginate(session, stmt, sort=GiftTaboo.id, key=GiftTaboo.id, page=page)


def get_taboo(*, session: Session, taboo_id: str) -> GiftTaboo:
    return get_or_404(session, GiftTaboo, taboo_id, "Taboo")


def update_taboo(*, session: Session, taboo: GiftTaboo, taboo_in: GiftTabooUpdate) -> GiftTaboo:
    return change(session, taboo, taboo_in.model_dump(exclude_unset=True))


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


def check(*, session: Session, settings: Settings, customer: CustomerRef,
          gift_in: GiftGive) -> tuple[Gift, GiftCheck]:
    """The gift and what giving it would meet: taboos for the recipient's native place and
    customs, the customer's groups and tags and the occasion, the budget for the period and
    the spacing since the last gift; and the recipient's hobbies it fits."""
    gift = get_gift(session=session, gift_id=gift_in.gift_id)
    recipient = recipient_of(session, customer.id, gift_in.contact_id)
    try:
        since = gift_in.given_on - timedelta(days=settings.gift_budget_period_days)
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
        category=gift.category, occasion=gift_in.occasion, recipient=recipient,
        groups=customer.groups, tags=customer.tags, company_taboos=company_taboos,
        cost=gift.cost, spent_in_period=Decimal(spent),
        budget_per_period=settings.gift_budget_per_customer, last_given_on=last,
        on=gift_in.given_on, min_days_between=settings.gift_min_days_between)


def give(*, session: Session, settings: Settings, customer: CustomerRef,
         gift_in: GiftGive) -> GiftLog:
    """Log a gift unless something blocks it (422); a gift given by today is a touch."""
    gift, found = check(session=session, settings=settings, customer=customer, gift_in=gift_in)
    if found.blocked:
        raise Invalid("This gift should not be given: " + "; ".join(found.blocked),
                      errors=[{"loc": ["body", "gift_id"], "field": "gift_id",
                               "type": "gift_blocked", "msg": r} for r in found.blocked])
    entry = GiftLog.model_validate({**gift_in.model_dump(mode="json"), "cost": str(gift.cost),
                                    "warnings": found.warnings})
    if (at := day_instant(session, gift_in.given_on)) is not None:  # a later date is a plan
        publish_touch(session, customer_id=entry.customer_id, contact_id=entry.contact_id,
                      kind="gift", source_id=entry.id, at=at)
    return add(session, entry)


def gift_log(*, session: Session, customer_id: str) -> list[GiftLog]:
    return list(session.scalars(select(GiftLog).where(GiftLog.customer_id == customer_id)
                                .order_by(GiftLog.given_on.desc(), GiftLog.id)))


def overdue_page(*, session: Session, principal: Principal, page: PageParams, on: date,
                 include_never: bool) -> tuple[int | None, list, str | None]:
    """(the policy's limit, a page of overdue_gifts rows, cursor); nothing without a limit."""
    limit = current_policy(session).gift_max_days_between
    if limit is None:
        return None, [], None
    rows, cursor = paginate(session, overdue_gifts(principal=principal, on=on,
                                                   max_days_between=limit,
                                                   include_never=include_never),
                            sort=CustomerRef.id, key=CustomerRef.id, page=page)
    return limit, rows, cursor
