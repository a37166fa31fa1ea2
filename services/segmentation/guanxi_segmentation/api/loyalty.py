"""/v1/loyalty: attitude plus behaviour crossed with value (客户忠诚度), and the benefits
customers earn by tier and years of cooperation (离开障碍), for reps and the ERP."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Writer
from guanxi_shared.db import local_today
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.pagination import PageQuery

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
from ..store import benefits, loyalty
from ..store.loyalty_tables import BenefitRule

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
    found, cursor = loyalty.customers_page(session=session, principal=principal,
                                           as_of=local_today(session), group=group,
                                           value=value, page=page)
    return LoyaltyPage(items=[LoyaltyRead.model_validate(_shape(r)) for r in found],
                       next_cursor=cursor)


@router.get("/customers/{customer_id}", response_model=LoyaltyCard)
def loyalty_card(customer_id: str, session: DbSession, principal: CurrentPrincipal
                 ) -> dict[str, Any]:
    """One customer's attitude, behaviour, value, group, and the benefits they have earned by
    tier and years of cooperation."""
    today = local_today(session)
    data = _shape(loyalty.card(session=session, principal=principal, customer_id=customer_id,
                               as_of=today))
    years = loyalty.tenure_years(data["first_purchase_on"], today)
    return {**data, "tenure_years": years, "benefits": [
        BenefitRuleRead.model_validate(b, from_attributes=True)
        for b in loyalty.benefits(session, data["tier"], years)]}


@router.put("/customers/{customer_id}/inputs", response_model=LoyaltyInputBody)
def record_inputs(customer_id: str, body: LoyaltyInputBody, session: DbSession,
                  principal: Writer, request: Request, response: Response) -> Any:
    """Record would-recommend (0-10) and the customer's total budget (share of wallet)."""
    version = loyalty.inputs_version(session=session, principal=principal,
                                     customer_id=customer_id)
    if version is not None:
        check_if_match(request, customer_id, version)
    set_etag(response, customer_id, loyalty.record_inputs(
        session=session, customer_id=customer_id, would_recommend=body.would_recommend,
        wallet_budget=body.wallet_budget, recorded_by=principal.sub))
    return body


@router.get("/benefits", response_model=BenefitRulePage)
def list_benefits(session: DbSession, _: CurrentPrincipal, page: PageQuery,
                  active: bool | None = None) -> BenefitRulePage:
    rows, cursor = benefits.page(session=session, active=active, page=page)
    return BenefitRulePage(items=[BenefitRuleRead.model_validate(b, from_attributes=True)
                                  for b in rows], next_cursor=cursor)


@router.post("/benefits", response_model=BenefitRuleRead, status_code=201)
def add_benefit(body: BenefitRuleCreate, session: DbSession, _: Manager,
                response: Response) -> BenefitRule:
    """A benefit by tier and years of cooperation: a quantity discount, gifts, longer
    credit, support that grows with the years (managers)."""
    rule = benefits.add(session=session, rule_in=body.model_dump())
    set_etag(response, rule.id, rule.version)
    return rule


@router.patch("/benefits/{rule_id}", response_model=BenefitRuleRead)
def update_benefit(rule_id: str, body: BenefitRuleUpdate, session: DbSession, _: Manager,
                   request: Request, response: Response) -> BenefitRule:
    rule = benefits.get(session=session, rule_id=rule_id)
    check_if_match(request, rule.id, rule.version)
    rule = benefits.update(session=session, rule=rule,
                           changes=body.model_dump(exclude_unset=True))
    set_etag(response, rule.id, rule.version)
    return rule
