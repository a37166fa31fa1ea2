"""Segmentation administration: policy, model fit, resync and personal data."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy import delete, select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager, Principal, Role, require_roles
from guanxi_shared.client import ServiceClient
from guanxi_shared.db import local_today
from guanxi_shared.errors import NotFound
from guanxi_shared.http_cache import check_if_match, set_etag

from ..events import forget_customer
from ..schemas.policy import PolicySettings
from ..schemas.reports import FitRequest, FitResult
from ..store import modelling
from ..store.reports import value_card
from ..store.resync import resync
from ..store.scoring import full_recompute, policy
from ..store.tables import CustomerRef, CustomerScore, ModelFit, Policy, ScoreSnapshot
from .reports import visible_customer

router = APIRouter(prefix="/v1")
PrivacyOfficer = Annotated[Principal, Depends(require_roles(Role.admin, Role.service))]


class ResyncResult(BaseModel):
    customers: int
    purchases: int


class ErasureResult(BaseModel):
    service: str = "segmentation"
    erased: dict[str, int]


@router.get("/policies", response_model=PolicySettings, tags=["policies"])
def get_policy(session: DbSession, _: CurrentPrincipal, response: Response) -> PolicySettings:
    row = session.get(Policy, 1)
    set_etag(response, "policy", row.version if row else 0)
    return policy(session)


@router.put("/policies", response_model=PolicySettings, tags=["policies"])
def put_policy(settings: PolicySettings, session: DbSession, _: Manager, request: Request,
               response: Response) -> PolicySettings:
    """Bins (quintiles or fixed cut points), the segment mapping, margins and at-risk rules.
    Takes effect at the next recompute."""
    row = session.get(Policy, 1)
    check_if_match(request, "policy", row.version if row else 0)
    if row is None:
        row = Policy(id=1, version=0)
    row.settings = settings.model_dump(mode="json")
    row.version += 1
    session.add(row)
    session.commit()
    set_etag(response, "policy", row.version)
    return settings


@router.post("/clv/fit", response_model=FitResult, tags=["clv"])
def fit_model(request: FitRequest, session: DbSession, _: Manager) -> dict[str, Any]:
    """Fit BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, gamma) by maximum likelihood on the
    purchases up to the cut-off; the purchases after it are the holdout check."""
    today = local_today(session)
    result = modelling.fit(session=session, cut_off=request.cut_off, time_unit=request.time_unit,
                           holdout_end=request.holdout_end or today)
    if request.apply:
        full_recompute(session=session, as_of=today)
    return result


@router.get("/clv/fit", response_model=FitResult, tags=["clv"])
def latest_fit(session: DbSession, _: CurrentPrincipal) -> dict[str, Any]:
    fit = session.scalars(select(ModelFit).order_by(ModelFit.id.desc()).limit(1)).first()
    if fit is None:
        raise NotFound("No model has been fitted yet; POST /v1/clv/fit")
    return fit.result


@router.post("/resync", response_model=ResyncResult, tags=["ops"])
def resync_from_registry(session: DbSession, request: Request, _: Manager) -> dict[str, int]:
    settings = request.app.state.settings
    client = ServiceClient(base_url=settings.registry_url, caller=settings.service_name,
                           secret=settings.internal_secret)
    try:
        return resync(session=session, client=client)
    finally:
        client.close()


@router.get("/privacy/customers/{customer_id}", tags=["personal data"])
def privacy_export(customer: Annotated[CustomerRef, Depends(visible_customer)],
                   session: DbSession, _: PrivacyOfficer) -> dict[str, Any]:
    return {"service": "segmentation", "data": value_card(session, customer)}


@router.delete("/privacy/customers/{customer_id}", response_model=ErasureResult,
               tags=["personal data"])
def privacy_erase(customer_id: str, session: DbSession, _: PrivacyOfficer) -> ErasureResult:
    erased = forget_customer(session, customer_id)
    erased["snapshots"] = session.execute(delete(ScoreSnapshot).where(
        ScoreSnapshot.customer_id == customer_id)).rowcount
    erased["scores"] = session.execute(delete(CustomerScore).where(
        CustomerScore.customer_id == customer_id)).rowcount
    session.commit()
    return ErasureResult(erased=erased)


