"""/api/v1/customers/{id}/360: everything about one customer from the four services (客户全景)."""
from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from guanxi_shared.auth import Principal, require_scope
from guanxi_shared.errors import BadGateway, NotFound

from ..upstream import gather

router = APIRouter(prefix="/api/v1/customers", tags=["customer 360"])
# An API key needs registry:read; people see what their role lets them see in each service.
Reader = Annotated[Principal, Depends(require_scope("registry:read"))]

# Each part of the view: (service, path template, query).
PARTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "customer": ("registry", "/v1/customers/{id}", {}),
    "contacts": ("registry", "/v1/customers/{id}/contacts", {"limit": 50}),
    "recent_purchases": ("registry", "/v1/purchases", {"customer_id": "{id}", "limit": 10}),
    "value": ("segmentation", "/v1/customers/{id}/value", {}),
    "segment": ("segmentation", "/v1/customers/{id}", {}),
    "loyalty": ("segmentation", "/v1/loyalty/customers/{id}", {}),
    "open_needs": ("needs", "/v1/needs/unmet", {"customer_id": "{id}", "limit": 20}),
    "opportunities": ("needs", "/v1/opportunities", {"customer_id": "{id}", "limit": 20}),
    "suggestions": ("needs", "/v1/customers/{id}/suggestions", {}),
    "relationship_balance": ("needs", "/v1/customers/{id}/balance", {}),
    "open_promises": ("needs", "/v1/commitments", {"customer_id": "{id}", "status": "open",
                                                   "limit": 20}),
    "care_steps": ("needs", "/v1/care-steps", {"customer_id": "{id}", "status": "open",
                                               "limit": 20}),
    "next_tasks": ("engagement", "/v1/tasks", {"customer_id": "{id}", "limit": 20}),
    "recent_touches": ("engagement", "/v1/messages", {"customer_id": "{id}", "limit": 10}),
    "occasions": ("engagement", "/v1/occasions", {"customer_id": "{id}", "limit": 20}),
}


class Customer360(BaseModel):
    customer_id: str
    partial: bool = Field(description="True when some service did not answer in time")
    unavailable: list[str] = Field(description="Parts missing from this answer")
    parts: dict[str, Any] = Field(description="Each part as its service returned it; a part "
                                              "the service does not hold for this customer is null")


def _filled(template: dict[str, Any], customer_id: str) -> dict[str, Any]:
    return {k: v.format(id=customer_id) if isinstance(v, str) else v for k, v in template.items()}


@router.get("/{customer_id}/360", summary="Customer 360: one call, four services, in parallel")
async def customer_360(customer_id: Annotated[str, Path(max_length=64)], request: Request,
                       principal: Reader) -> Customer360:
    in_path = quote(customer_id, safe="")  # an odd id is a 404 from the registry, not a 500
    found, parts, unavailable = await gather(request, principal, {
        name: (service, path.format(id=in_path), _filled(query, customer_id))
        for name, (service, path, query) in PARTS.items()})
    if found["customer"].status == 404:
        raise NotFound(f"Customer {customer_id} not found")
    if not found["customer"].ok:
        raise BadGateway("The registry could not give the customer's record")
    request.app.state.audit.request(request, principal, action="read",
                                    customer_id=customer_id, status=200)
    return Customer360(customer_id=customer_id, partial=bool(unavailable),
                       unavailable=unavailable, parts=parts)
