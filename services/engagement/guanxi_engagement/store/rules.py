"""Rules (关怀规则): what to do, for whom, when, through which channel."""
from __future__ import annotations

from sqlmodel import Session, select

from guanxi_shared.errors import Invalid
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..schemas.rules import RuleCreate, RuleUpdate
from .records import add, change, get_or_404
from .tables import Rule
from .triggers import rule_problem


def create(*, session: Session, rule_in: RuleCreate) -> Rule:
    return add(session, Rule.model_validate(rule_in.model_dump(mode="json", exclude_none=True)))


def get(*, session: Session, rule_id: str) -> Rule:
    return get_or_404(session, Rule, rule_id, "Rule")


def list_page(*, session: Session, page: PageParams, trigger: str | None,
              active: bool | None) -> tuple[list[Rule], str | None]:
    stmt = where_given(select(Rule), (Rule.trigger, trigger or None), (Rule.active, active))
    return paginate(session, stmt, sort=Rule.id, key=Rule.id, page=page)


def update(*, session: Session, rule: Rule, rule_in: RuleUpdate) -> Rule:
    """The fields sent; those the rule's trigger needs cannot be cleared, nor set amiss."""
    changes = rule_in.model_dump(exclude_unset=True)
    if problem := rule_problem(rule.trigger, changes, fields=set(changes)):
        field, msg = problem
        raise Invalid(msg, errors=[{"loc": ["body", field], "field": field,
                                    "type": "value_error", "msg": msg}])
    return change(session, rule, changes)
