"""/v1/privacy/customers/{id}: export or erase what needs holds about a customer."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter

from guanxi_shared.app import DbSession
from guanxi_shared.auth import ServiceCaller

from ..store import privacy as store
from ..store.read_model import customers

router = APIRouter(prefix="/v1/privacy", tags=["privacy"])
audit = logging.getLogger("guanxi.audit")


@router.get("/customers/{customer_id}")
def export_customer(customer_id: str, session: DbSession, caller: ServiceCaller,
                    ) -> dict[str, Any]:
    return {"service": "needs", "customer_id": customer_id,
            "data": store.export(session=session, customer_id=customer_id)}


@router.delete("/customers/{customer_id}")
def erase_customer(customer_id: str, session: DbSession, caller: ServiceCaller,
                   ) -> dict[str, Any]:
    erased = customers.erase_now(session=session, customer_id=customer_id)
    audit.info("customer data erased", extra={"customer_id": customer_id, "by": caller.sub,
                                              "erased": erased})
    return {"service": "needs", "erased": erased}
