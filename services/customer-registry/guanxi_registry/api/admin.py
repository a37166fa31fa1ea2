"""/v1/duplicates, /v1/custom-fields and personal-data export/erasure."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Principal, Role, Writer, require_roles

from ..schemas.admin import (
    CustomFieldCreate,
    CustomFieldRead,
    DuplicateGroup,
    ErasureResult,
    MergeRequest,
)
from ..schemas.customers import CustomerRead
from ..store import customers as customer_store
from ..store import merging, privacy
from ..store.tables import CustomFieldDef
from .deps import VisibleContact, VisibleCustomer

router = APIRouter()
personal_data = APIRouter(tags=["personal data"])
PrivacyOfficer = Annotated[Principal, Depends(require_roles(Role.admin, Role.service))]


@router.get("/v1/duplicates", response_model=list[DuplicateGroup], tags=["duplicates"])
def list_duplicates(session: DbSession, principal: CurrentPrincipal,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    """Likely duplicates: same phone, email or credit code, similar names, shared contacts."""
    return merging.find_duplicates(session=session, principal=principal, limit=limit)


@router.post("/v1/duplicates/merge", response_model=CustomerRead, tags=["duplicates"])
def merge_customers(merge_in: MergeRequest, session: DbSession, principal: Writer) -> CustomerRead:
    """Keeps every contact (the same person once), purchase, note and referral; the merged id
    then answers 308 to the survivor."""
    survivor = merging.merge(session=session, principal=principal,
                             survivor_id=merge_in.survivor_id, merged_id=merge_in.merged_id)
    return customer_store.read_model(survivor)


@router.post("/v1/custom-fields", status_code=status.HTTP_201_CREATED,
             response_model=CustomFieldRead, tags=["custom fields"],
             dependencies=[Depends(require_roles(Role.admin, Role.manager))])
def create_custom_field(field_in: CustomFieldCreate, session: DbSession) -> CustomFieldDef:
    """A typed field every customer can carry, added without a migration."""
    return customer_store.add_custom_field(session=session, field_in=field_in)


@router.get("/v1/custom-fields", response_model=list[CustomFieldRead], tags=["custom fields"])
def list_custom_fields(session: DbSession, _: CurrentPrincipal) -> list[CustomFieldDef]:
    return customer_store.custom_fields(session=session)


@personal_data.get("/v1/customers/{customer_id}/export")
def export_customer(customer: VisibleCustomer, session: DbSession) -> dict[str, Any]:
    """Everything held about the customer, its contacts, purchases, notes and referrals."""
    return privacy.export_customer(session, customer)


@personal_data.get("/v1/contacts/{contact_id}/export")
def export_contact(contact: VisibleContact, session: DbSession) -> dict[str, Any]:
    return privacy.export_contact(session, contact)


@personal_data.get("/v1/privacy/customers/{customer_id}")
def privacy_export(customer: VisibleCustomer, session: DbSession,
                   _: PrivacyOfficer) -> dict[str, Any]:
    return {"service": "registry", "data": privacy.export_customer(session, customer)}


@personal_data.delete("/v1/privacy/customers/{customer_id}", response_model=ErasureResult)
def privacy_erase(customer: VisibleCustomer, session: DbSession,
                  principal: PrivacyOfficer) -> ErasureResult:
    """Erases personal data (purchases stay, anonymised); announced as customer.erased."""
    return ErasureResult(erased=privacy.erase_customer(session=session, customer=customer,
                                                       requested_by=principal.sub))


@personal_data.delete("/v1/privacy/contacts/{contact_id}", response_model=ErasureResult)
def privacy_erase_contact(contact: VisibleContact, session: DbSession,
                          principal: PrivacyOfficer) -> ErasureResult:
    return ErasureResult(erased=privacy.erase_contact(session=session, contact=contact,
                                                      requested_by=principal.sub))
