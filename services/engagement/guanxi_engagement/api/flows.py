"""/v1/policies/flows: how purchases, referrals, at-risk customers, MAN advice, complaints,
goals and departures turn into tasks and messages."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager
from guanxi_shared.http_cache import check_if_match

from ..schemas.flows import FlowPolicyRead, FlowPolicyUpdate
from ..store import policy as store
from ..store.flow_tables import FlowPolicy
from .deps import tagged

router = APIRouter(tags=["flows"])


@router.get("/v1/policies/flows", response_model=FlowPolicyRead)
def get_flow_policy(session: DbSession, _: CurrentPrincipal, response: Response) -> FlowPolicy:
    """What the event-driven flows do: how late a fact may arrive, how often to ask for
    introductions, when revisits and nurture tasks fall due, and the service channels."""
    return tagged(response, store.flow_policy(session))


@router.patch("/v1/policies/flows", response_model=FlowPolicyRead)
def update_flow_policy(body: FlowPolicyUpdate, session: DbSession, _: Manager,
                       request: Request, response: Response) -> FlowPolicy:
    policy = store.flow_policy(session)
    check_if_match(request, policy.id, policy.version)
    return tagged(response, store.update_flow_policy(session=session, policy=policy,
                                                     policy_in=body))
