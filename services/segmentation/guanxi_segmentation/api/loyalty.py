"""/v1/loyalty: attitude plus behaviour crossed with value (客户忠诚度), and the benefits
customers earn by tier and years of cooperation (离开障碍), for reps and the ERP."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Writer, visible_or_404
from guanxi_shared.db import local_today
from guanxi_shared.errors import NotFound
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.pagination import PageQuery, paginate

from ..domain.loyalty import GROUPS
from ..schemas.loyalty import (
    BenefitRuleCreate,
    BenefitRulePage,
    BenefitRuleRead,
    BenefitRuleUpdate,
    Group,
    LoyaltyCard,
    LoyaltyInputBody,
    LoyaltyPage,
    LoyaltyRead,
    MatrixCell,
)
from ..store import loyalty
from ..store.loyalty_tables import BenefitRule, LoyaltyInput
from ..store.tables import CustomerRef

router = APIRouter(prefix="/v1/loyalty", tags=["loyalty"])


def _shape(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    data["behaviour_high"] = bool(data["behaviour_high"])
    if data["attitude_score"] is not None:
        data["attitude_score"] = round(float(data["attitude_score"]), 1)
    data["advice"] = GROUPS[data["group"]]
    return data


@router.get("/matrix", response_model=list[MatrixCell])
def loyalty_matrix(session: DbSession, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """Customers per loyalty group (loyal, passive 被动忠诚, latent, disloyal, unmeasured) and
    value (high: the invest tier), the caller's customers only."""
    return loyalty.matrix(session, principal, local_today(session))


@router.get("/customers", response_model=LoyaltyPage)
def loyalty_list(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                 group: Group | None = None,
                 value: Annotated[str | None, Query(pattern="^(high|low)$")] = None
                 ) -> LoyaltyPage:
    """The customers of one cell of the matrix, e.g. group=passive&value=high: valuable
    customers who buy but would leave."""
    rows = loyalty.loyalty_query(principal, local_today(session)).subquery()
    stmt = select(rows)
    if group is not None:
        stmt = stmt.where(rows.c.group == group)
    if value is not None:
        stmt = stmt.where(rows.c.value == value)
    found, cursor = paginate(session, stmt, sort=rows.c.customer_id, key=rows.c.customer_id,
                             page=page)
    return LoyaltyPage(items=[LoyaltyRead.model_validate(_shape(r)) for r in found],
                       next_cursor=cursor)


@router.get("/customers/{customer_id}", response_model=LoyaltyCard)
def loyalty_card(customer_id: str, session: DbSession, principal: CurrentPrincipal
                 ) -> dict[str, Any]:
    """One customer's attitude, behaviour, value, group, and the benefits they have earned by
    tier and years of cooperation."""
    visible_or_404(principal, session.get(CustomerRef, customer_id), "Customer", customer_id)
    today = local_today(session)
    row = session.execute(loyalty.loyalty_query(principal, today).where(
        CustomerRef.id == customer_id)).first()
    if row is None:
        raise NotFound(f"Customer {customer_id} has no purchases scored yet")
    data = _shape(row)
    years = loyalty.tenure_years(data["first_purchase_on"], today)
    return {**data, "tenure_years": years, "benefits": [
        BenefitRuleRead.model_validate(b, from_attributes=True)
        for b in loyalty.benefits(session, data["tier"], years)]}


@router.put("/customers/{customer_id}/inputs", response_model=LoyaltyInputBody)
def record_inputs(customer_id: str, body: LoyaltyInputBody, session: DbSession,
                  principal: Writer, request: Request, response: Response) -> Any:
    """Record would-recommend (0-10) and the customer's total budget (share of wallet)."""
    visible_or_404(principal, session.get(CustomerRef, customer_id), "Customer", customer_id)
    current = session.get(LoyaltyInput, customer_id)
    if current is None:
        current = LoyaltyInput(customer_id=customer_id, version=0)
    else:
        check_if_match(request, customer_id, current.version)
    current.would_recommend = body.would_recommend
    current.wallet_budget = body.wallet_budget
    current.recorded_by = principal.sub
    current.version += 1
    session.add(current)
    session.commit()
    set_etag(response, customer_id, current.version)
    return body


@router.get("/benefits", response_model=BenefitRulePage)
def list_benefits(session: DbSession, _: CurrentPrincipal, page: PageQuery,
                  active: bool | None = None) -> BenefitRulePage:
    stmt = select(BenefitRule)
    if active is not None:
        stmt = stmt.where(BenefitRule.active == active)
    rows, cursor = paginate(session, stmt, sort=BenefitRule.id, key=BenefitRule.id, page=page)
    return BenefitRulePage(items=[BenefitRuleRead.model_validate(b, from_attributes=True)
                                  for b in rows], next_cursor=cursor)


@router.post("/benefits", response_model=BenefitRuleRead, status_code=201)
def add_benefit(body: BenefitRuleCreate, session: DbSession, _: Manager,
                response: Response) -> BenefitRule:
    """A benefit by tier and years of cooperation: a quantity discount, gifts, longer
    credit, support that grows with the years (managers)."""
    rule = BenefitRule.model_validate(body.model_dump())
    session.add(rule)
    session.commit()
    session.refresh(rule)
    set_etag(response, rule.id, rule.version)
    return rule


@router.patch("/benefits/{rule_id}", response_model=BenefitRuleRead)
def update_benefit(rule_id: str, body: BenefitRuleUpdate, session: DbSession, _: Manager,
                   request: Request, response: Response) -> BenefitRule:
    rule = session.get(BenefitRule, rule_id)
    if rule is None:
        raise NotFound(f"Benefit rule {rule_id} not found")
    check_if_match(request, rule.id, rule.version)
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(rule, key, value)
    rule.version += 1
    session.add(rule)
    session.commit()
    session.refresh(rule)
    set_etag(response, rule.id, rule.version)
    return rule
