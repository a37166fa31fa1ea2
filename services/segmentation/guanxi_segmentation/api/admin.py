"""Segmentation administration: model fit and resync."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager
from guanxi_shared.client import ServiceClient
from guanxi_shared.db import local_today

from ..schemas.reports import FitRequest, FitResult
from ..store import modelling
from ..store.read_model import customers
from ..store.scoring import full_recompute

router = APIRouter(prefix="/v1")


class ResyncResult(BaseModel):
    customers: int
    purchases: int


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
    return modelling.latest_fit(session)


@router.post("/resync", response_model=ResyncResult, tags=["ops"])
def resync_from_registry(session: DbSession, request: Request, _: Manager) -> dict[str, int]:
    settings = request.app.state.settings
    client = ServiceClient(base_url=settings.registry_url, caller=settings.service_name,
                           secret=settings.internal_secret)
    try:
        return customers.resync(session=session, client=client)
    finally:
        client.close()
