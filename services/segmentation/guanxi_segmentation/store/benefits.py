"""Benefit rules by tier and years of cooperation (离开障碍), edited by managers."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from guanxi_shared.errors import NotFound
from guanxi_shared.pagination import PageParams, paginate

from .loyalty_tables import BenefitRule


def page(*, session: Session, active: bool | None,
         page: PageParams) -> tuple[list[BenefitRule], str | None]:
    stmt = select(BenefitRule)
    if active is not None:
        stmt = stmt.where(BenefitRule.active == active)
    return paginate(session, stmt, sort=BenefitRule.id, key=BenefitRule.id, page=page)


def get(*, session: Session, rule_id: str) -> BenefitRule:
    rule = session.get(BenefitRule, rule_id)
    if rule is None:
        raise NotFound(f"Benefit rule {rule_id} not found")
    return rule


def add(*, session: Session, rule_in: dict[str, Any]) -> BenefitRule:
    rule = BenefitRule.model_validate(rule_in)
    session.add(rule)
    session.commit()
    session.refresh(rule)
    return rule


def update(*, session: Session, rule: BenefitRule, changes: dict[str, Any]) -> BenefitRule:
    for key, value in changes.items():
        setattr(rule, key, value)
    rule.version += 1
    session.add(rule)
    session.commit()
    session.refresh(rule)
    return rule
