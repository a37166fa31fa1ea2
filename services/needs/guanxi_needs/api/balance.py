"""/v1/customers/{id}/balance, /v1/balances and /v1/balance-policy: the relationship balance."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import Admin, CurrentPrincipal
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.pagination import PageQuery

from ..domain.balance import WITHDRAWALS, BalanceKind
from ..schemas.balance import (
    BalancePage,
    BalanceRead,
    BalanceSummary,
    EntryPage,
    EntryRead,
    PolicyRead,
    PolicyUpdate,
)
from ..store import balance as store
from ..store.tables import BalancePolicy
from .deps import IdFilter, IdPath

router = APIRouter(prefix="/v1", tags=["relationship balance"])
POLICY_TAG = "balance-policy"


@router.get("/customers/{customer_id}/balance", response_model=BalanceRead)
def customer_balance(customer_id: IdPath, session: DbSession,
                     principal: CurrentPrincipal) -> BalanceRead:
    """The balance (情感银行) with its totals and last entries, for the value card."""
    return BalanceRead.model_validate(store.read(session=session, principal=principal,
                                                 customer_id=customer_id), from_attributes=True)


@router.get("/customers/{customer_id}/balance/history", response_model=EntryPage)
def balance_history(customer_id: IdPath, session: DbSession, principal: CurrentPrincipal,
                    page: PageQuery, kind: BalanceKind | None = None) -> EntryPage:
    """Every deposit and withdrawal, newest first, with the balance after it."""
    rows, cursor = store.history_page(session=session, principal=principal,
                                      customer_id=customer_id, page=page, kind=kind)
    return EntryPage(items=[EntryRead.model_validate(r) for r in rows], next_cursor=cursor)


@router.get("/balances", response_model=BalancePage)
def list_balances(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                  overdrawn: Annotated[bool | None, Query(
                      description="true: only balances below zero")] = None,
                  owner_id: IdFilter = None) -> BalancePage:
    """Balances the caller may see, lowest first."""
    rows, cursor = store.balances_page(session=session, principal=principal, page=page,
                                       overdrawn=overdrawn, owner_id=owner_id)
    return BalancePage(items=[BalanceSummary.model_validate(r) for r in rows],
                       next_cursor=cursor)


def _policy(found: BalancePolicy, response: Response) -> PolicyRead:
    set_etag(response, POLICY_TAG, found.version)
    return PolicyRead(weights=store.weights_of(found), withdrawals=sorted(WITHDRAWALS),
                      updated_by=found.updated_by,
                      updated_at=found.updated_at if found.updated_by else None,
                      version=found.version)


@router.get("/balance-policy", response_model=PolicyRead)
def read_policy(session: DbSession, principal: CurrentPrincipal,
                response: Response) -> PolicyRead:
    return _policy(store.policy(session), response)


@router.patch("/balance-policy", response_model=PolicyRead)
def change_policy(body: PolicyUpdate, session: DbSession, principal: Admin, request: Request,
                  response: Response) -> PolicyRead:
    """Set weights (magnitudes; the kind decides deposit or withdrawal). They apply from now
    on: past entries keep their points."""
    check_if_match(request, POLICY_TAG, store.policy(session).version)
    changes = body.weights.model_dump(exclude_unset=True)
    return _policy(store.set_weights(session=session, principal=principal, changes=changes),
                   response)
