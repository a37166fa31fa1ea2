"""Gift history per customer: the last gift, and customers gone too long without one."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlmodel import Session

from guanxi_shared.auth import Principal, owner_filter

from .tables import CustomerRef, GiftLog


def last_gift_days(session: Session, customer_ids: list[str]) -> dict[str, date]:
    """The day of each customer's last gift, one grouped query."""
    if not customer_ids:
        return {}
    return dict(session.execute(
        select(GiftLog.customer_id, func.max(GiftLog.given_on))
        .where(GiftLog.customer_id.in_(customer_ids)).group_by(GiftLog.customer_id)).all())


def overdue_gifts(*, principal: Principal, on: date, max_days_between: int,
                  include_never: bool):
    """Customers the caller may see whose last gift is more than `max_days_between` days
    before `on` (and, with include_never, those never given one): one statement."""
    last = (select(GiftLog.customer_id, func.max(GiftLog.given_on).label("last_given_on"))
            .group_by(GiftLog.customer_id).subquery())
    try:
        cutoff = on - timedelta(days=max_days_between)
    except OverflowError:
        cutoff = date.min
    overdue = last.c.last_given_on < cutoff
    stmt = (select(CustomerRef.id, CustomerRef.name, CustomerRef.owner_id,
                   last.c.last_given_on)
            .join(last, last.c.customer_id == CustomerRef.id, isouter=include_never)
            .where(CustomerRef.status != "lost",
                   or_(overdue, last.c.last_given_on.is_(None)) if include_never else overdue))
    condition = owner_filter(principal, CustomerRef.owner_id, CustomerRef.team_id)
    return stmt if condition is None else stmt.where(condition)
