"""/v1/resync: rebuild the customer and contact read model from the registry."""
from __future__ import annotations

from fastapi import APIRouter

from guanxi_shared.app import DbSession
from guanxi_shared.auth import ServiceCaller
from guanxi_shared.client import ServiceClient

from ..store.read_model import customers
from .deps import AppSettings

router = APIRouter(prefix="/v1", tags=["ops"])


@router.post("/resync")
def resync_from_registry(session: DbSession, settings: AppSettings,
                         caller: ServiceCaller) -> dict[str, int]:
    client = ServiceClient(base_url=settings.registry_url, caller=settings.service_name,
                           secret=settings.internal_secret,
                           timeout=settings.http_timeout_seconds)
    try:
        return customers.resync(session=session, client=client)
    finally:
        client.close()
