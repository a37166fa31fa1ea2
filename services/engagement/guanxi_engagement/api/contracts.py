"""/v1/contracts: contracts' end dates and renewals (续费)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import Writer
from guanxi_shared.http_cache import check_if_match

from ..schemas.contracts import ContractCreate, ContractRead, ContractRenewal
from ..store import contracts as store
from ..store.tables import Contract
from .deps import CustomerInQuery, tagged, visible_customer

router = APIRouter(tags=["gifts"])


@router.post("/v1/contracts", response_model=ContractRead, status_code=201)
def add_contract(body: ContractCreate, session: DbSession, principal: Writer,
                 response: Response) -> Contract:
    visible_customer(session, principal, body.customer_id)
    return tagged(response, store.create(session=session, contract_in=body))


@router.get("/v1/contracts", response_model=list[ContractRead])
def list_contracts(session: DbSession, customer: CustomerInQuery) -> list[Contract]:
    return store.of_customer(session=session, customer_id=customer.id)


@router.post("/v1/contracts/{contract_id}/renewal", response_model=ContractRead)
def record_renewal(contract_id: str, body: ContractRenewal, session: DbSession,
                   principal: Writer, request: Request, response: Response) -> Contract:
    """Renewed or not, and why: feeds the renewal report (due N, renewed M, reasons)."""
    contract = store.get(session=session, contract_id=contract_id)
    visible_customer(session, principal, contract.customer_id)
    check_if_match(request, contract.id, contract.version)
    return tagged(response, store.record_renewal(session=session, contract=contract,
                                                 renewal_in=body))
