"""/v1/rules: what to do, for whom, when, through which channel."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager
from guanxi_shared.errors import Invalid
from guanxi_shared.http_cache import set_etag
from guanxi_shared.pagination import PageQuery, paginate

from ..schemas.rules import (
    RuleCreate,
    RulePage,
    RuleRead,
    RuleUpdate,
    check_life_event_occasion,
)
from ..store.tables import Rule
from .deps import created, get_or_404, save_update

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.post("", response_model=RuleRead, status_code=201)
def create_rule(body: RuleCreate, session: DbSession, _: Manager, response: Response) -> Rule:
    return created(session, Rule.model_validate(body.model_dump(mode="json", exclude_none=True)), response)


@router.get("", response_model=RulePage)
def list_rules(session: DbSession, _: CurrentPrincipal, page: PageQuery,
               trigger: Annotated[str | None, Query(max_length=32)] = None,
               active: bool | None = None) -> RulePage:
    stmt = select(Rule)
    if trigger:
        stmt = stmt.where(Rule.trigger == trigger)
    if active is not None:
        stmt = stmt.where(Rule.active == active)
    rows, cursor = paginate(session, stmt, sort=Rule.id, key=Rule.id, page=page)
    return RulePage(items=[RuleRead.model_validate(r, from_attributes=True) for r in rows],
                    next_cursor=cursor)


@router.get("/{rule_id}", response_model=RuleRead)
def get_rule(rule_id: str, session: DbSession, _: CurrentPrincipal, response: Response) -> Rule:
    rule = get_or_404(session, Rule, rule_id, "Rule")
    set_etag(response, rule.id, rule.version)
    return rule


@router.patch("/{rule_id}", response_model=RuleRead)
def update_rule(rule_id: str, body: RuleUpdate, session: DbSession, _: Manager,
                request: Request, response: Response) -> Rule:
    rule = get_or_404(session, Rule, rule_id, "Rule")
    if rule.trigger == "life_event" and "occasion" in body.model_fields_set:
        try:
            check_life_event_occasion(body.occasion)
        except ValueError as exc:
            raise Invalid(str(exc), errors=[{"loc": ["body", "occasion"], "field": "occasion",
                                             "type": "value_error", "msg": str(exc)}]) from None
    return save_update(session, rule, body, request, response)
