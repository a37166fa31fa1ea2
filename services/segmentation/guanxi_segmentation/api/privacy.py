"""/v1/privacy/customers/{id}: what segmentation holds about a customer, exported or erased."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from guanxi_shared.app import DbSession
from guanxi_shared.auth import Principal, Role, require_roles

from ..store import privacy as store
from ..store.read_model import customers
from .deps import VisibleCustomer

router = APIRouter(prefix="/v1/privacy", tags=["personal data"])
PrivacyOfficer = Annotated[Principal, Depends(require_roles(Role.admin, Role.service))]


class ErasureResult(BaseModel):
    service: str = "segmentation"
    erased: dict[str, int]


@router.get("/customers/{customer_id}")
def privacy_export(customer: VisibleCustomer, session: DbSession,
                   _: PrivacyOfficer) -> dict[str, Any]:
    return {"service": "segmentation", "data": store.export(session=session, customer=customer)}


@router.delete("/customers/{customer_id}", response_model=ErasureResult)
def privacy_erase(customer_id: str, session: DbSession, _: PrivacyOfficer) -> ErasureResult:
    return ErasureResult(erased=customers.erase_now(session=session, customer_id=customer_id))
