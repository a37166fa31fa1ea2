"""Opportunities: MAN qualification, ownership with a protection period, won and lost."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from guanxi_shared.auth import Principal, Role
from guanxi_shared.db import local_today
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..domain.man import ADVICE, recommend
from ..domain.opportunity_rules import CLOSED, PROBABILITY, Stage, in_pool, protection_until
from ..schemas.opportunities import (
    ActivityCreate,
    OpportunityClose,
    OpportunityCreate,
    OpportunityRead,
    OpportunityUpdate,
)
from . import needs as need_store
from .access import apply_changes, get_visible, in_json_list, scoped, visible_customer
from .tables import ContactRef, Opportunity, OpportunityActivity

CLOSED_STAGES = [s.value for s in CLOSED]


def pool_condition(now: datetime) -> Any:
    """SQL twin of `in_pool`: open, and without an owner or idle past its protection."""
    return and_(Opportunity.stage.not_in(CLOSED_STAGES),
                or_(Opportunity.owner_id.is_(None), Opportunity.protected_until <= now))


def visibility_rules(session: Session, now: datetime) -> dict[str, Any]:
    """Besides the customer's owner and team, the opportunity's owner and support team see it."""
    def member_of(user_id: str) -> Any:
        return or_(Opportunity.owner_id == user_id,
                   in_json_list(session, Opportunity.support_team, user_id))

    return {"member_of": member_of, "pool_condition": pool_condition(now)}


def to_read(opp: Opportunity, now: datetime | None = None) -> OpportunityRead:
    """The API view; an idle opportunity is shown in the pool even before the job runs."""
    pooled = in_pool(owner_id=opp.owner_id, stage=Stage(opp.stage),
                     protected_until=opp.protected_until, now=now or utcnow())
    action = recommend(money=opp.money, authority=opp.authority, need=opp.need)
    return OpportunityRead.model_validate({
        **opp.model_dump(), "owner_id": None if pooled else opp.owner_id, "in_pool": pooled,
        "recommended_action": action, "advice": ADVICE[action]})


def _touch(session: Session, opp: Opportunity, *, by: str, kind: str,
           note: str | None = None) -> None:
    """Record a follow-up: it renews the owner's protection period."""
    now = utcnow()
    opp.last_activity_at = now
    opp.protected_until = protection_until(now, opp.protection_days)
    session.add(OpportunityActivity(opportunity_id=opp.id, kind=kind, note=note, by=by, at=now))


def _check_contacts(session: Session, customer_id: str, route: list[dict[str, Any]],
                    decision_maker_id: str | None) -> None:
    """Contacts the registry has told us about must belong to this customer."""
    ids = {step["contact_id"] for step in route} | ({decision_maker_id} - {None})
    if not ids:
        return
    strangers = sorted(session.scalars(select(ContactRef.id).where(
        ContactRef.id.in_(ids), ContactRef.customer_id != customer_id)))
    if strangers:
        raise Invalid(f"Contacts of another customer in the decision route: "
                      f"{', '.join(strangers)}")


def create(*, session: Session, principal: Principal, opp_in: OpportunityCreate,
           protection_days: int) -> Opportunity:
    customer_id = opp_in.customer_id
    if opp_in.need_id is not None:
        need = need_store.get(session=session, principal=principal, need_id=opp_in.need_id)
        if customer_id not in (None, need.customer_id):
            raise Invalid("The need belongs to another customer")
        customer_id = need.customer_id
    if customer_id is None:
        raise Invalid("Give customer_id, or need_id for an opportunity raised from a need")
    if opp_in.stage in CLOSED:
        raise Invalid("A new opportunity is open; close it with /won or /lost")
    customer = visible_customer(session=session, principal=principal, customer_id=customer_id)
    _check_contacts(session, customer_id, [s.model_dump() for s in opp_in.decision_route],
                    opp_in.decision_maker_id)
    owner = opp_in.owner_id or (principal.sub if principal.role == Role.rep else customer.owner_id)
    days = opp_in.protection_days or protection_days
    now = utcnow()
    opp = Opportunity.model_validate({
        **opp_in.model_dump(mode="json"), "customer_id": customer_id, "owner_id": owner,
        "protection_days": days, "last_activity_at": now,
        "protected_until": protection_until(now, days),
        "probability": PROBABILITY[opp_in.stage], "budget": opp_in.budget,
        "expected_amount": opp_in.expected_amount})
    session.add(opp)
    session.flush()
    session.add(OpportunityActivity(opportunity_id=opp.id, kind="created", by=principal.sub))
    _publish_qualified(session, opp)
    session.commit()
    return opp


def _publish_qualified(session: Session, opp: Opportunity) -> None:
    """opportunity.qualified: the MAN answers and their advice, for engagement's follow-up
    tasks; published on create and whenever an answer changes."""
    action = recommend(money=opp.money, authority=opp.authority, need=opp.need)
    publish(session=session, event_type=EventType.opportunity_qualified, source="needs", data={
        "id": opp.id, "customer_id": opp.customer_id, "owner_id": opp.owner_id,
        "title": opp.title, "stage": opp.stage, "money": opp.money,
        "authority": opp.authority, "need": opp.need, "recommended_action": action.value,
        "advice": ADVICE[action]})


def get(*, session: Session, principal: Principal, opportunity_id: str) -> Opportunity:
    return get_visible(session=session, principal=principal, model=Opportunity,
                       object_id=opportunity_id, label="Opportunity", **visibility_rules(session, utcnow()))


def _require_open(opp: Opportunity) -> None:
    if opp.stage in CLOSED_STAGES:
        raise Conflict(f"The opportunity is already {opp.stage}; it cannot change")


def update_one(*, session: Session, principal: Principal, opp: Opportunity,
               opp_in: OpportunityUpdate) -> Opportunity:
    _require_open(opp)
    changes = opp_in.model_dump(exclude_unset=True)
    _check_contacts(session, opp.customer_id, changes.get("decision_route") or [],
                    changes.get("decision_maker_id"))
    if opp_in.stage is not None:
        if opp_in.stage in CLOSED:
            raise Conflict("Close an opportunity with /won or /lost, which need a reason")
        changes["probability"] = PROBABILITY[opp_in.stage]
    answers = (opp.money, opp.authority, opp.need)
    apply_changes(opp, changes)
    _touch(session, opp, by=principal.sub, kind="updated", note=", ".join(sorted(changes)))
    if (opp.money, opp.authority, opp.need) != answers:
        _publish_qualified(session, opp)
    session.commit()
    return opp


def add_activity(*, session: Session, principal: Principal, opp: Opportunity,
                 activity: ActivityCreate) -> Opportunity:
    _require_open(opp)
    _touch(session, opp, by=principal.sub, kind=activity.kind, note=activity.note)
    opp.version += 1
    session.commit()
    return opp


def claim(*, session: Session, principal: Principal, opp: Opportunity) -> Opportunity:
    """Take an opportunity from the pool (公海); a protected one stays with its owner."""
    if not in_pool(owner_id=opp.owner_id, stage=Stage(opp.stage),
                   protected_until=opp.protected_until, now=utcnow()):
        raise Conflict(f"The opportunity is protected for its owner until "
                       f"{opp.protected_until.isoformat()}")
    apply_changes(opp, {"owner_id": principal.sub})
    _touch(session, opp, by=principal.sub, kind="claimed")
    session.commit()
    return opp


def close(*, session: Session, principal: Principal, opp: Opportunity, outcome: Stage,
          close_in: OpportunityClose) -> Opportunity:
    """Won or lost with a reason; a win becomes a purchase in the registry (one event)."""
    _require_open(opp)
    closed_on = close_in.closed_on or local_today(session)
    amount = close_in.amount if close_in.amount is not None else opp.expected_amount
    apply_changes(opp, {"stage": outcome.value, "probability": PROBABILITY[outcome],
                        "closed_on": closed_on, "outcome_reason": close_in.reason,
                        "expected_amount": amount})
    session.add(OpportunityActivity(opportunity_id=opp.id, kind=outcome.value,
                                    note=close_in.reason, by=principal.sub))
    if outcome == Stage.won:
        publish(session=session, event_type=EventType.opportunity_won, source="needs", data={
            "id": opp.id, "customer_id": opp.customer_id, "amount": str(Decimal(amount)),
            "currency": opp.currency, "won_on": closed_on.isoformat(), "title": opp.title})
    else:
        publish(session=session, event_type=EventType.opportunity_lost, source="needs", data={
            "id": opp.id, "customer_id": opp.customer_id, "reason": close_in.reason})
    session.commit()
    return opp


def list_page(*, session: Session, principal: Principal, page: PageParams,
              customer_id: str | None, stage: Stage | None, owner_id: str | None,
              pool: bool | None, need_id: str | None) -> tuple[list[Opportunity], str | None]:
    now = utcnow()
    stmt = scoped(select(Opportunity), principal, Opportunity, **visibility_rules(session, now))
    stmt = where_given(stmt, (Opportunity.customer_id, customer_id),
                       (Opportunity.stage, stage), (Opportunity.owner_id, owner_id),
                       (Opportunity.need_id, need_id))
    if pool is not None:
        stmt = stmt.where(pool_condition(now) if pool else ~pool_condition(now))
    return paginate(session, stmt, sort=Opportunity.created_at, key=Opportunity.id, page=page,
                    descending=True)


def stale_page(*, session: Session, principal: Principal, page: PageParams, days: int,
               now: datetime) -> tuple[list[Opportunity], str | None]:
    """Open opportunities with no activity for `days` days, the longest idle first."""
    cutoff = now - timedelta(days=days)
    stmt = scoped(select(Opportunity), principal, Opportunity, **visibility_rules(session, now)).where(
        Opportunity.stage.not_in(CLOSED_STAGES), Opportunity.last_activity_at < cutoff)
    return paginate(session, stmt, sort=Opportunity.last_activity_at, key=Opportunity.id,
                    page=page)


def release_expired(*, session: Session, now: datetime) -> int:
    """The periodic job: idle opportunities past protection lose their owner (back to pool)."""
    result = session.execute(
        update(Opportunity)
        .where(Opportunity.stage.not_in(CLOSED_STAGES), Opportunity.owner_id.is_not(None),
               Opportunity.protected_until <= now)
        .values(owner_id=None, version=Opportunity.version + 1, updated_at=now))
    session.commit()
    return result.rowcount or 0

