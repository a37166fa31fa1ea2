"""/v1/reasons: the company's churn and non-renewal reasons (流失原因), controllable or not."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Role, require_roles

from ..schemas.reasons import ReasonCreate, ReasonRead, ReasonUpdate
from ..store import reasons as store
from ..store.tables import Reason

router = APIRouter(prefix="/v1/reasons", tags=["reasons"])
Admin = Depends(require_roles(Role.admin))


@router.get("", response_model=list[ReasonRead])
def list_reasons(session: DbSession, _: CurrentPrincipal,
                 include_retired: Annotated[bool, Query(description="Also the retired ones, "
                                                        "which old records still name")] = False,
                 ) -> list[Reason]:
    """What a lost customer or a contract not renewed may be recorded with, in list order."""
    return store.list_all(session, include_retired)


@router.post("", response_model=ReasonRead, status_code=status.HTTP_201_CREATED,
             dependencies=[Admin])
def add_reason(reason_in: ReasonCreate, session: DbSession, response: Response) -> Reason:
    reason = store.create(session=session, reason_in=reason_in)
    response.headers["Location"] = f"/v1/reasons/{reason.code}"
    return reason


@router.get("/{code}", response_model=ReasonRead)
def get_reason(code: str, session: DbSession, _: CurrentPrincipal) -> Reason:
    return store.get(session, code)


@router.patch("/{code}", response_model=ReasonRead, dependencies=[Admin])
def change_reason(code: str, reason_in: ReasonUpdate, session: DbSession) -> Reason:
    """Rename, mark controllable or not, retire (`retired: true`) or bring back."""
    return store.update(session=session, reason=store.get(session, code), reason_in=reason_in)


@router.delete("/{code}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Admin])
def delete_reason(code: str, session: DbSession) -> Response:
    """Only a reason never used (a typo just added); a used one is a 409: retire it."""
    store.delete(session=session, reason=store.get(session, code))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
