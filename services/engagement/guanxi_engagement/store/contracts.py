"""Contracts (续费): their end dates for renewal reminders, and each renewal's outcome."""
from __future__ import annotations

from sqlmodel import Session, select

from guanxi_shared.errors import Conflict

from ..schemas.contracts import ContractCreate, ContractRenewal
from .records import add, change, get_or_404
from .renewal_report import check_reason_code
from .tables import Contract


def create(*, session: Session, contract_in: ContractCreate) -> Contract:
    return add(session, Contract.model_validate(contract_in.model_dump(mode="json")))


def of_customer(*, session: Session, customer_id: str) -> list[Contract]:
    return list(session.scalars(select(Contract).where(Contract.customer_id == customer_id)
                                .order_by(Contract.ends_on, Contract.id)))


def get(*, session: Session, contract_id: str) -> Contract:
    return get_or_404(session, Contract, contract_id, "Contract")


def record_renewal(*, session: Session, contract: Contract,
                   renewal_in: ContractRenewal) -> Contract:
    """Renewed or not, and why (a code of the company's reasons list), once."""
    if contract.renewal != "pending":
        raise Conflict(f"Contract {contract.id} renewal is already recorded")
    check_reason_code(session, renewal_in.reason_code)
    return change(session, contract, renewal_in.model_dump(exclude_unset=True))
