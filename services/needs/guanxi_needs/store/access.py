"""Who sees what: objects hang off a customer and follow its owner (or their own assignee)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, cast, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session

from guanxi_shared.auth import Principal, Role, owner_filter
from guanxi_shared.errors import NotFound

from .tables import CustomerRef

Member = Callable[[str], Any]  # user id -> SQL condition "this user works on the object"


def in_json_list(session: Session, column: Any, value: str) -> Any:
    """SQL condition: the JSON array in `column` holds `value`."""
    if session.get_bind().dialect.name == "sqlite":
        items = func.json_each(column).table_valued("value")
        return select(items.c.value).where(items.c.value == value).exists()
    return cast(column, JSONB).contains([value])


def visible_condition(principal: Principal, *, member_of: Member | None = None,
                      pool_condition: Any = None) -> Any:
    """SQL condition over a statement joined to CustomerRef (None: no limit).

    A rep also sees what they work on (assigned, owner, support team), and pool
    opportunities of their team.
    """
    base = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    if base is None:
        return None
    extra = []
    if principal.role == Role.rep and member_of is not None:
        extra.append(member_of(principal.sub))
    if pool_condition is not None and principal.team_id:
        extra.append(and_(pool_condition, CustomerRef.team_id == principal.team_id))
    return or_(base, *extra) if extra else base


visible_customer = CustomerRef.visible_or_404  # the customer, or 404 if unknown or hidden


def get_visible(*, session: Session, principal: Principal, model: Any, object_id: str,
                label: str, member_of: Member | None = None, pool_condition: Any = None) -> Any:
    """One object hanging off a customer, or 404 when missing or not visible."""
    stmt = (select(model).join(CustomerRef, CustomerRef.id == model.customer_id)
            .where(model.id == object_id))
    cond = visible_condition(principal, member_of=member_of, pool_condition=pool_condition)
    if cond is not None:
        stmt = stmt.where(cond)
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound(f"{label} {object_id} not found")
    return found


def scoped(stmt: Any, principal: Principal, model: Any, **kw: Any) -> Any:
    """Join a list statement to CustomerRef and limit it to what the principal may see."""
    stmt = stmt.join(CustomerRef, CustomerRef.id == model.customer_id)
    cond = visible_condition(principal, **kw)
    return stmt if cond is None else stmt.where(cond)


def apply_changes(obj: Any, changes: dict[str, Any]) -> None:
    """Set the given fields and bump the version that feeds the ETag."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.version += 1
