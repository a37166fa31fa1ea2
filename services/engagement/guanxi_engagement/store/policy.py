"""The company's policies, one row each: respect (quiet hours, caps, working-day shift, gift
spacing) and the event-driven flows' (late facts, referral asks, revisit and nurture days)."""
from __future__ import annotations

from sqlmodel import Session

from guanxi_shared.errors import Invalid

from ..schemas.flows import FlowPolicyUpdate
from ..schemas.messages import PolicyUpdate
from .flow_tables import FlowPolicy
from .records import change
from .tables import Policy


def current_policy(session: Session) -> Policy:
    return session.get(Policy, "default") or Policy()


def flow_policy(session: Session) -> FlowPolicy:
    return session.get(FlowPolicy, "default") or FlowPolicy()


def update_policy(*, session: Session, policy: Policy, policy_in: PolicyUpdate) -> Policy:
    return change(session, policy, policy_in.model_dump(exclude_unset=True))


def update_flow_policy(*, session: Session, policy: FlowPolicy,
                       policy_in: FlowPolicyUpdate) -> FlowPolicy:
    channels = policy_in.service_channels
    if channels is not None and len(set(channels)) != len(channels):
        raise Invalid("service_channels lists a channel twice", errors=[{
            "loc": ["body", "service_channels"], "field": "service_channels",
            "type": "value_error", "msg": "a channel is listed twice"}])
    return change(session, policy, policy_in.model_dump(exclude_unset=True))
