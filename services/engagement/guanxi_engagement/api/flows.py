"""/v1/policies/flows: how purchases, referrals, at-risk customers, MAN advice, complaints,
goals and departures turn into tasks and messages."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager
from guanxi_shared.errors import Invalid
from guanxi_shared.http_cache import set_etag

from ..schemas.flows import FlowPolicyRead, FlowPolicyUpdate
from ..store.flow_tables import FlowPolicy
from ..store.flows import flow_policy
from .deps import save_update

router = APIRouter(tags=["flows"])


@router.get("/v1/policies/flows", response_model=FlowPolicyRead)
def get_flow_policy(session: DbSession, _: CurrentPrincipal, response: Response) -> FlowPolicy:
    """What the event-driven flows do: how late a fact may arrive, how often to ask for
    introductions, when revisits and nurture tasks fall due, and the service channels."""
    policy = flow_policy(session)
    set_etag(response, policy.id, policy.version)
    return policy


@router.patch("/v1/policies/flows", response_model=FlowPolicyRead)
def update_flow_policy(body: FlowPolicyUpdate, session: DbSession, _: Manager,
                       request: Request, response: Response) -> FlowPolicy:
    if body.service_channels is not None and len(set(body.service_channels)) != len(
            body.service_channels):
        raise Invalid("service_channels lists a channel twice", errors=[{
            "loc": ["body", "service_channels"], "field": "service_channels",
            "type": "value_error", "msg": "a channel is listed twice"}])
    return save_update(session, flow_policy(session), body, request, response)
