"""Personal data held about one customer: export and erase (docs/events.md)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from .tables import (
    BalanceEntry,
    CareStep,
    Commitment,
    Complaint,
    ComplaintLog,
    ContactRef,
    CustomerRef,
    Expectation,
    ExpectationCheck,
    LaunchCall,
    LaunchEvidence,
    Need,
    NeedHistory,
    Opportunity,
    OpportunityActivity,
    PurchaseLineRef,
    RelationshipBalance,
)

# child table, its parent key column, parent table
_CHILDREN = [(NeedHistory, NeedHistory.need_id, Need),
             (OpportunityActivity, OpportunityActivity.opportunity_id, Opportunity),
             (ExpectationCheck, ExpectationCheck.expectation_id, Expectation),
             (ComplaintLog, ComplaintLog.complaint_id, Complaint)]
_PARENTS = {"needs": Need, "opportunities": Opportunity, "expectations": Expectation,
            "complaints": Complaint, "contacts": ContactRef, "purchase_lines": PurchaseLineRef,
            "launch_calls": LaunchCall, "launch_reasons": LaunchEvidence,
            "commitments": Commitment, "balance_entries": BalanceEntry,
            "balance": RelationshipBalance, "care_steps": CareStep}


def export(*, session: Session, customer_id: str) -> dict[str, list[dict[str, Any]]]:
    return {name: [row.model_dump(mode="json") for row in session.scalars(
        select(model).where(model.customer_id == customer_id))]
        for name, model in _PARENTS.items()}


def erase(*, session: Session, customer_id: str) -> dict[str, int]:
    """Delete everything about the customer, children first; counts per kind."""
    counts: dict[str, int] = {}
    for child, parent_key, parent in _CHILDREN:
        owned = select(parent.id).where(parent.customer_id == customer_id)
        session.execute(delete(child).where(parent_key.in_(owned)))
    for name, model in _PARENTS.items():
        counts[name] = session.execute(
            delete(model).where(model.customer_id == customer_id)).rowcount or 0
    session.execute(delete(CustomerRef).where(CustomerRef.id == customer_id))
    return counts
