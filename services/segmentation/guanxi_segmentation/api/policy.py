"""/v1/policies: the company's scoring policy (bins, segment mapping, margins, at-risk rules)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager
from guanxi_shared.http_cache import check_if_match, set_etag

from ..schemas.policy import PolicySettings
from ..store import policy as store
from ..store.scoring import policy

router = APIRouter(prefix="/v1", tags=["policies"])


@router.get("/policies", response_model=PolicySettings)
def get_policy(session: DbSession, _: CurrentPrincipal, response: Response) -> PolicySettings:
    set_etag(response, "policy", store.version(session))
    return policy(session)


@router.put("/policies", response_model=PolicySettings)
def put_policy(settings: PolicySettings, session: DbSession, _: Manager, request: Request,
               response: Response) -> PolicySettings:
    """Bins (quintiles or fixed cut points), the segment mapping, margins and at-risk rules.
    Takes effect at the next recompute."""
    check_if_match(request, "policy", store.version(session))
    set_etag(response, "policy", store.replace(session=session, settings=settings))
    return settings
