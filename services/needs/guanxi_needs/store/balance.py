"""The relationship balance (情感银行): entries, the running balance, the company's weights.

Every entry names the fact it comes from (`source_key`, unique): the same touch delivered
twice, a job run twice, or a complaint resolved and then reported as a touch count once.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate

from ..domain.balance import DEFAULT_WEIGHTS, BalanceKind, signed_points
from .access import apply_changes, scoped, visible_customer
from .tables import BalanceEntry, BalancePolicy, CustomerRef, RelationshipBalance

ZERO = Decimal("0.00")


def policy(session: Session) -> BalancePolicy:
    """The company's weights; the defaults until an admin changes one."""
    found = session.get(BalancePolicy, "company")
    if found is None:
        found = BalancePolicy(weights={k.value: str(v) for k, v in DEFAULT_WEIGHTS.items()})
    return found


def weights_of(found: BalancePolicy) -> dict[str, Decimal]:
    return {k.value: Decimal(str(found.weights.get(k.value, DEFAULT_WEIGHTS[k]))).quantize(ZERO)
            for k in BalanceKind}


def set_weights(*, session: Session, principal: Principal,
                changes: dict[str, Decimal]) -> BalancePolicy:
    """New weights apply to what happens from now on; past entries keep their points."""
    found = policy(session)
    weights = {k: str(v) for k, v in weights_of(found).items()}
    weights.update({k: str(v) for k, v in changes.items()})
    if session.get(BalancePolicy, "company") is None:
        session.add(found)  # the built-in defaults were version 1
        found.weights, found.updated_by, found.version = weights, principal.sub, 2
    else:
        apply_changes(found, {"weights": weights, "updated_by": principal.sub})
    session.commit()
    return found


def record(session: Session, *, customer_id: str, kind: BalanceKind, source_key: str,
           occurred_at: datetime, note: str | None = None) -> bool:
    """Deposit or withdraw once per fact, inside the caller's transaction; True if recorded."""
    if session.scalar(select(BalanceEntry.id).where(BalanceEntry.source_key == source_key)):
        return False
    points = signed_points(kind, weights_of(policy(session))).quantize(ZERO)
    now = utcnow()
    _open_account(session, customer_id, now)
    stmt = select(RelationshipBalance).where(RelationshipBalance.customer_id == customer_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    try:
        with session.begin_nested():
            account = session.scalars(stmt).one()
            account.balance = account.balance + points
            account.deposits = account.deposits + max(points, ZERO)
            account.withdrawals = account.withdrawals - min(points, ZERO)
            account.entries += 1
            account.last_change_at = now
            session.add(BalanceEntry(customer_id=customer_id, kind=kind.value, points=points,
                                     balance_after=account.balance, source_key=source_key,
                                     note=(note or "")[:500] or None, occurred_at=occurred_at))
    except IntegrityError:  # the same fact raced in from another transaction
        return False
    if points:
        publish(session=session, event_type=EventType.balance_changed, source="needs", data={
            "customer_id": customer_id, "balance": str(account.balance),
            "at": now.isoformat()})
    return True


def _open_account(session: Session, customer_id: str, now: datetime) -> None:
    """Create the customer's account at zero unless it exists (race-free on both databases)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(RelationshipBalance).values(
        customer_id=customer_id, balance=ZERO, deposits=ZERO, withdrawals=ZERO, entries=0,
        last_change_at=now, created_at=now, updated_at=now).on_conflict_do_nothing(
        index_elements=["customer_id"]))


def read(*, session: Session, principal: Principal, customer_id: str) -> dict[str, Any]:
    visible_customer(session=session, principal=principal, customer_id=customer_id)
    account = session.get(RelationshipBalance, customer_id)
    recent = list(session.scalars(select(BalanceEntry).where(
        BalanceEntry.customer_id == customer_id).order_by(BalanceEntry.id.desc()).limit(5)))
    if account is None:
        return {"customer_id": customer_id, "balance": ZERO, "deposits": ZERO,
                "withdrawals": ZERO, "entries": 0, "last_change_at": None, "overdrawn": False,
                "recent": recent}
    return {**account.model_dump(), "overdrawn": account.balance < 0, "recent": recent}


def history_page(*, session: Session, principal: Principal, customer_id: str,
                 page: PageParams, kind: BalanceKind | None) -> tuple[list[BalanceEntry],
                                                                    str | None]:
    visible_customer(session=session, principal=principal, customer_id=customer_id)
    stmt = select(BalanceEntry).where(BalanceEntry.customer_id == customer_id)
    if kind is not None:
        stmt = stmt.where(BalanceEntry.kind == kind.value)
    return paginate(session, stmt, sort=BalanceEntry.id, key=BalanceEntry.id, page=page,
                    descending=True)


def balances_page(*, session: Session, principal: Principal, page: PageParams,
                  overdrawn: bool | None, owner_id: str | None,
                  ) -> tuple[list[RelationshipBalance], str | None]:
    """Balances the caller may see, lowest first: the relationships closest to bankruptcy."""
    stmt = scoped(select(RelationshipBalance), principal, RelationshipBalance)
    if overdrawn is not None:
        stmt = stmt.where(RelationshipBalance.balance < 0 if overdrawn
                          else RelationshipBalance.balance >= 0)
    if owner_id is not None:
        stmt = stmt.where(CustomerRef.owner_id == owner_id)
    return paginate(session, stmt, sort=RelationshipBalance.balance,
                    key=RelationshipBalance.customer_id, page=page)


def repoint(session: Session, merged_id: str, into_id: str) -> None:
    """A merge: entries move to the survivor, whose totals are summed again from them."""
    session.execute(update(BalanceEntry).where(BalanceEntry.customer_id == merged_id)
                    .values(customer_id=into_id))
    merged = session.get(RelationshipBalance, merged_id)
    if merged is None:
        return
    session.delete(merged)
    session.flush()
    p = BalanceEntry.points
    total, deposits, withdrawals, count = session.execute(select(
        func.coalesce(func.sum(p), 0), func.coalesce(func.sum(case((p > 0, p), else_=0)), 0),
        func.coalesce(func.sum(case((p < 0, -p), else_=0)), 0), func.count())
        .where(BalanceEntry.customer_id == into_id)).one()
    now = utcnow()
    account = session.get(RelationshipBalance, into_id)
    if account is None:
        account = RelationshipBalance(customer_id=into_id, last_change_at=now, balance=ZERO,
                                      deposits=ZERO, withdrawals=ZERO)
        session.add(account)
    account.balance, account.deposits = Decimal(total).quantize(ZERO), Decimal(deposits)
    account.withdrawals, account.entries = Decimal(withdrawals), count
    account.last_change_at = now
    publish(session=session, event_type=EventType.balance_changed, source="needs", data={
        "customer_id": into_id, "balance": str(account.balance), "at": now.isoformat()})
