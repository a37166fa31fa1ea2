"""Referrals: who introduced whom, as a tree and as a league of referrers with their revenue."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from guanxi_shared.auth import Principal, where_visible
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.pagination import PageParams, paginate

from ..schemas.relations import ReferralCreate, ReferralNode, ReferralRead, TopReferrer
from . import customers as customer_store
from .tables import Contact, Customer, Purchase, Referral

MAX_DEPTH = 20


def create(*, session: Session, principal: Principal, referral_in: ReferralCreate) -> Referral:
    referrer = customer_store.get_visible(session=session, principal=principal,
                                          customer_id=referral_in.referrer_customer_id)
    referred = customer_store.get_visible(session=session, principal=principal,
                                          customer_id=referral_in.referred_customer_id)
    if referrer.id == referred.id:
        raise Invalid("A customer cannot refer itself")
    if referral_in.referrer_contact_id:
        contact = session.get(Contact, referral_in.referrer_contact_id)
        if contact is None or contact.customer_id != referrer.id:
            raise Invalid("referrer_contact_id is not a contact of the referrer")
    if referrer.id in {n.customer_id for n in tree(session=session, root_id=referred.id)}:
        raise Conflict("This referral would make a cycle in the referral tree")
    values = referral_in.model_dump(exclude_none=True) | {
        "referrer_customer_id": referrer.id, "referred_customer_id": referred.id}
    referral = Referral.model_validate(values)
    session.add(referral)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"Customer {referred.id} already has a referrer") from None
    publish(session=session, event_type=EventType.referral_recorded,
            data=ReferralRead.model_validate(referral, from_attributes=True).model_dump(
                mode="json"), source="registry")
    session.commit()
    return referral


def tree(*, session: Session, root_id: str) -> list[ReferralNode]:
    """Everyone the root brought in, directly or through others (a recursive CTE)."""
    base = select(Referral.referred_customer_id.label("cid"),
                  Referral.referrer_customer_id.label("parent"),
                  Referral.referred_on.label("on"), literal(1).label("depth")) \
        .where(Referral.referrer_customer_id == root_id).cte("tree", recursive=True)
    step = select(Referral.referred_customer_id, Referral.referrer_customer_id,
                  Referral.referred_on, base.c.depth + 1) \
        .join(base, Referral.referrer_customer_id == base.c.cid).where(base.c.depth < MAX_DEPTH)
    cte = base.union(step)
    rows = session.execute(select(cte.c.cid, cte.c.parent, cte.c.on, cte.c.depth, Customer.name)
                           .join(Customer, Customer.id == cte.c.cid)
                           .order_by(cte.c.depth, cte.c.on, cte.c.cid)).all()
    return [ReferralNode(customer_id=r.cid, name=r.name, depth=r.depth, referred_by=r.parent,
                         referred_on=r.on) for r in rows]


def top_referrers(*, session: Session, principal: Principal, limit: int) -> list[TopReferrer]:
    """Referrers ranked by the revenue of the customers they referred directly."""
    revenue = (select(Purchase.customer_id, func.sum(Purchase.amount).label("total"))
               .group_by(Purchase.customer_id).subquery())
    stmt = (select(Referral.referrer_customer_id, Customer.name,
                   func.count(Referral.referred_customer_id).label("n"),
                   func.coalesce(func.sum(revenue.c.total), 0).label("revenue"))
            .join(Customer, Customer.id == Referral.referrer_customer_id)
            .outerjoin(revenue, revenue.c.customer_id == Referral.referred_customer_id)
            .group_by(Referral.referrer_customer_id, Customer.name)
            .order_by(func.coalesce(func.sum(revenue.c.total), 0).desc(),
                      Referral.referrer_customer_id)
            .limit(limit))
    stmt = where_visible(stmt, principal, Customer.owner_id, Customer.team_id)
    return [TopReferrer(customer_id=r[0], name=r[1], referred_customers=r[2],
                        referred_revenue=Decimal(r[3]).quantize(Decimal("0.01")))
            for r in session.execute(stmt)]


def list_page(*, session: Session, principal: Principal, page: PageParams,
              referrer_customer_id: str | None) -> tuple[list[Referral], str | None]:
    """Referrals of customers the caller may see, oldest first."""
    stmt = select(Referral).join(Customer, Customer.id == Referral.referred_customer_id)
    stmt = where_visible(stmt, principal, Customer.owner_id, Customer.team_id)
    if referrer_customer_id:
        stmt = stmt.where(Referral.referrer_customer_id == referrer_customer_id)
    return paginate(session, stmt, sort=Referral.created_at, key=Referral.id, page=page)
