"""Loyalty for every customer in one statement: latest satisfaction, would-recommend, the
last 12 months' buying against the 12 before, the share of wallet and the tier (the rule is
domain/loyalty.py's, written in SQL)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, literal, select
from sqlmodel import Session

from guanxi_shared.auth import Principal, where_visible
from guanxi_shared.errors import NotFound
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..domain.loyalty import ATTITUDE_HIGH, SHARE_HIGH
from .loyalty_tables import BenefitRule, LoyaltyInput
from .tables import CustomerRef, CustomerScore, PurchaseFact, SatisfactionScore


def loyalty_query(principal: Principal, as_of: date):
    """(customer_id, owner_id, tier, satisfaction_index, would_recommend, last_12,
    previous_12, wallet_budget, attitude_score, share_of_wallet, behaviour_high, group,
    value) for every scored customer the caller may see (lost customers left out)."""
    year_ago, two_years_ago = as_of - timedelta(days=365), as_of - timedelta(days=730)
    p = PurchaseFact
    buying = (select(p.customer_id,
                     func.sum(case((and_(p.purchased_on > year_ago, p.purchased_on <= as_of),
                                   p.amount), else_=0)).label("last_12"),
                     func.sum(case((and_(p.purchased_on > two_years_ago,
                                         p.purchased_on <= year_ago), p.amount),
                                   else_=0)).label("previous_12"))
              .where(p.purchased_on > two_years_ago, p.purchased_on <= as_of)
              .group_by(p.customer_id).subquery())
    s = SatisfactionScore
    ranked = (select(s.customer_id, s.index, func.row_number().over(
        partition_by=s.customer_id, order_by=(s.scored_on.desc(), s.id.desc())).label("n"))
        .where(s.scored_on <= as_of).subquery())
    latest = select(ranked.c.customer_id, ranked.c.index).where(ranked.c.n == 1).subquery()
    sat, rec = latest.c.index, LoyaltyInput.would_recommend
    last_12 = func.coalesce(buying.c.last_12, 0)
    previous_12 = func.coalesce(buying.c.previous_12, 0)
    parts = case((sat.is_(None), 0), else_=1) + case((rec.is_(None), 0), else_=1)
    total = (func.coalesce(case((sat > 100, 100.0), else_=sat), 0.0)
             + func.coalesce(cast(rec, Float) * 10.0, 0.0))
    mean = total / cast(parts, Float)
    attitude = case((parts == 0, None), else_=mean)
    budget = LoyaltyInput.wallet_budget
    share = case((budget > 0, cast(last_12, Float) / cast(budget, Float)), else_=None)
    behaviour = and_(last_12 > 0, last_12 >= previous_12,
                     case((share.is_(None), True), else_=share >= SHARE_HIGH))
    behaviour_high = case((behaviour, True), else_=False)
    group = case((parts == 0, "unmeasured"),
                 (mean >= ATTITUDE_HIGH, case((behaviour, "loyal"), else_="latent")),
                 else_=case((behaviour, "passive"), else_="disloyal"))
    value = case((CustomerScore.tier == "invest", "high"), else_="low")
    stmt = (select(CustomerScore.customer_id, CustomerRef.owner_id, CustomerScore.tier,
                   CustomerScore.first_purchase_on, sat.label("satisfaction_index"),
                   rec.label("would_recommend"), last_12.label("last_12"),
                   previous_12.label("previous_12"), budget.label("wallet_budget"),
                   attitude.label("attitude_score"), share.label("share_of_wallet"),
                   behaviour_high.label("behaviour_high"), group.label("group"),
                   value.label("value"))
            .join(CustomerRef, CustomerRef.id == CustomerScore.customer_id)
            .outerjoin(buying, buying.c.customer_id == CustomerScore.customer_id)
            .outerjoin(latest, latest.c.customer_id == CustomerScore.customer_id)
            .outerjoin(LoyaltyInput, LoyaltyInput.customer_id == CustomerScore.customer_id)
            .where(CustomerRef.status != "lost"))
    return where_visible(stmt, principal, CustomerRef.owner_id, CustomerRef.team_id)


def matrix(session: Session, principal: Principal, as_of: date) -> list[dict[str, Any]]:
    rows = loyalty_query(principal, as_of).subquery()
    return [{"group": g, "value": v, "customers": n} for g, v, n in session.execute(
        select(rows.c.group, rows.c.value, func.count()).group_by(rows.c.group, rows.c.value)
        .order_by(rows.c.group, rows.c.value))]


def tenure_years(first_purchase_on: date | None, as_of: date) -> int:
    if first_purchase_on is None:
        return 0
    years = as_of.year - first_purchase_on.year
    return years - ((as_of.month, as_of.day) < (first_purchase_on.month,
                                                 first_purchase_on.day))


def benefits(session: Session, tier: str | None, years: int) -> list[BenefitRule]:
    """The active rules a customer of this tier and tenure has earned."""
    stmt = select(BenefitRule).where(BenefitRule.active, BenefitRule.min_years <= years)
    stmt = stmt.where((BenefitRule.tier.is_(None)) | (BenefitRule.tier == literal(tier)))
    return list(session.scalars(stmt.order_by(BenefitRule.kind, BenefitRule.min_years,
                                              BenefitRule.id)))


def customers_page(*, session: Session, principal: Principal, as_of: date, group: str | None,
                   value: str | None, page: PageParams) -> tuple[list[Any], str | None]:
    """The customers of one cell of the matrix (or of a row or column when one is None)."""
    rows = loyalty_query(principal, as_of).subquery()
    stmt = where_given(select(rows), (rows.c.group, group), (rows.c.value, value))
    return paginate(session, stmt, sort=rows.c.customer_id, key=rows.c.customer_id, page=page)


def card(*, session: Session, principal: Principal, customer_id: str, as_of: date) -> Any:
    """One visible customer's loyalty row; 404 when unknown, hidden or not scored yet."""
    CustomerRef.visible_or_404(session, principal, customer_id)
    row = session.execute(loyalty_query(principal, as_of).where(
        CustomerRef.id == customer_id)).first()
    if row is None:
        raise NotFound(f"Customer {customer_id} has no purchases scored yet")
    return row


def inputs_version(*, session: Session, principal: Principal, customer_id: str) -> int | None:
    """The version of a visible customer's answers (None: none recorded), for If-Match."""
    CustomerRef.visible_or_404(session, principal, customer_id)
    current = session.get(LoyaltyInput, customer_id)
    return current.version if current else None


def record_inputs(*, session: Session, customer_id: str, would_recommend: int | None,
                  wallet_budget: Decimal | None, recorded_by: str) -> int:
    """Replace the customer's answers; returns their new version."""
    current = session.get(LoyaltyInput, customer_id) or LoyaltyInput(customer_id=customer_id,
                                                                     version=0)
    current.would_recommend, current.wallet_budget = would_recommend, wallet_budget
    current.recorded_by = recorded_by
    current.version += 1
    session.add(current)
    session.commit()
    return current.version
