"""/v1/rules: what to do, for whom, when, through which channel."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager
from guanxi_shared.http_cache import check_if_match
from guanxi_shared.pagination import PageQuery

from ..schemas.rules import RuleCreate, RulePage, RuleRead, RuleUpdate
from ..store import rules as store
from ..store.tables import Rule
from .deps import tagged

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.post("", response_model=RuleRead, status_code=201)
def create_rule(body: RuleCreate, session: DbSession, _: Manager, response: Response) -> Rule:
    return tagged(response, store.create(session=session, rule_in=body))


@router.get("", response_model=RulePage)
def list_rules(session: DbSession, _: CurrentPrincipal, page: PageQuery,
               trigger: Annotated[str | None, Query(max_length=32)] = None,
               active: bool | None = None) -> RulePage:
    rows, cursor = store.list_page(session=session, page=page, trigger=trigger, active=active)
    return RulePage(items=[RuleRead.model_validate(r, from_attributes=True) for r in rows],
                    next_cursor=cursor)


@router.get("/{rule_id}", response_model=RuleRead)
def get_rule(rule_id: str, session: DbSession, _: CurrentPrincipal, response: Response) -> Rule:
    return tagged(response, store.get(session=session, rule_id=rule_id))


@router.patch("/{rule_id}", response_model=RuleRead)
def update_rule(rule_id: str, body: RuleUpdate, session: DbSession, _: Manager,
                request: Request, response: Response) -> Rule:
    rule = store.get(session=session, rule_id=rule_id)
    check_if_match(request, rule.id, rule.version)
    return tagged(response, store.update(session=session, rule=rule, rule_in=body))
