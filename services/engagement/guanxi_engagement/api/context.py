"""/v1/customers/{id}/context: what a rep needs to know before calling the customer."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.db import local_today
from guanxi_shared.models import Day

from ..schemas.tasks import CustomerBrief
from ..store.tasks import customer_briefs
from .deps import settings_of, visible_customer

router = APIRouter(prefix="/v1/customers", tags=["context"])


@router.get("/{customer_id}/context", response_model=CustomerBrief)
def customer_context(customer_id: str, session: DbSession, principal: CurrentPrincipal,
                     request: Request,
                     on: Annotated[Day | None, Query(description="Upcoming occasions from "
                                                      "this day; defaults to today")] = None,
                     ) -> CustomerBrief:
    visible_customer(session, principal, customer_id)
    briefs = customer_briefs(session=session, customer_ids=[customer_id],
                             on=on or local_today(session),
                             occasion_days=settings_of(request).upcoming_occasion_days)
    return CustomerBrief.model_validate(briefs[customer_id])
