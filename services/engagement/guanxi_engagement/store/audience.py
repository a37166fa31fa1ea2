"""Audiences (目标客户): customers selected by segment, tier, group, tag, owner or id."""
from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import Session

from .sql import json_has
from .tables import CustomerRef


def audience_filter(session: Session, audience: dict):
    """SQL condition on customer_ref; an empty audience means every active customer."""
    c = CustomerRef.__table__.c
    conds = [c.status != "lost"]
    for field, column in (("segments", c.segment), ("tiers", c.tier),
                          ("owner_ids", c.owner_id), ("customer_ids", c.id)):
        if audience.get(field) is not None:
            conds.append(column.in_(audience[field]))
    for field, column in (("groups", c.groups), ("tags", c.tags)):
        if audience.get(field) is not None:
            conds.append(or_(*(json_has(session, column, v) for v in audience[field])))
    return and_(*conds)
