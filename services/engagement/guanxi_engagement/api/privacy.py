"""/v1/privacy/customers/{id}: what engagement holds about a customer, exported or erased."""
from __future__ import annotations

from fastapi import APIRouter

from guanxi_shared.app import DbSession
from guanxi_shared.auth import ServiceCaller

from ..store.privacy import export_customer
from ..store.read_model import customers

router = APIRouter(prefix="/v1/privacy", tags=["operations"])


@router.get("/customers/{customer_id}")
def export_personal_data(customer_id: str, session: DbSession, _: ServiceCaller) -> dict:
    return {"service": "engagement", "customer_id": customer_id,
            "data": export_customer(session=session, customer_id=customer_id)}


@router.delete("/customers/{customer_id}")
def erase_personal_data(customer_id: str, session: DbSession, _: ServiceCaller) -> dict:
    return {"service": "engagement",
            "erased": customers.erase_now(session=session, customer_id=customer_id)}
