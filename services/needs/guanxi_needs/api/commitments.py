"""/v1/commitments: promises to contacts, the agenda of open ones, overdue flags for managers."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.db import local_today
from guanxi_shared.http_cache import tagged
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery

from ..domain.commitments import CommitmentOrigin, CommitmentStatus
from ..schemas import commitments as schemas
from ..store import commitments as store
from ..store.tables import Commitment
from .deps import CommitmentChange, IdFilter, VisibleCommitment

router = APIRouter(prefix="/v1/commitments", tags=["commitments"])


def _read(session: DbSession, commitment: Commitment, response: Response) -> schemas.CommitmentRead:
    return store.to_read(tagged(response, commitment), local_today(session))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.CommitmentRead)
def make_promise(commitment_in: schemas.CommitmentCreate, session: DbSession, principal: Writer,
                 response: Response) -> schemas.CommitmentRead:
    """Record a promise made to a contact on a visit, a complaint or a call (少承诺多做事)."""
    return _read(session, store.create(session=session, principal=principal,
                                       commitment_in=commitment_in), response)


@router.get("", response_model=schemas.CommitmentPage)
def list_promises(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                  customer_id: IdFilter = None, status: CommitmentStatus | None = None,
                  made_by: IdFilter = None, origin: CommitmentOrigin | None = None,
                  owner_id: Annotated[str | None, Query(
                      max_length=64, description="The customer's owner (the agenda's rep)")
                  ] = None,
                  overdue: Annotated[bool | None, Query(
                      description="true: open past their due date (what managers chase)")] = None,
                  due_from: Day | None = None,
                  due_to: Annotated[Day | None, Query(
                      description="The agenda: status=open&due_to=<end of the week>")] = None,
                  ) -> schemas.CommitmentPage:
    """Soonest due first; a rep sees their customers' promises and those they made."""
    rows, cursor = store.list_page(session=session, principal=principal, page=page, filters={
        "customer_id": customer_id, "status": status.value if status else None,
        "made_by": made_by, "origin": origin.value if origin else None, "overdue": overdue,
        "owner_id": owner_id,
        "due_from": due_from, "due_to": due_to})
    today = local_today(session)
    return schemas.CommitmentPage(items=[store.to_read(r, today) for r in rows], next_cursor=cursor)


@router.get("/{commitment_id}", response_model=schemas.CommitmentRead)
def read_promise(commitment: VisibleCommitment, session: DbSession,
                 response: Response) -> schemas.CommitmentRead:
    return _read(session, commitment, response)


@router.patch("/{commitment_id}", response_model=schemas.CommitmentRead)
def edit_promise(commitment_in: schemas.CommitmentUpdate,
                 change: CommitmentChange) -> schemas.CommitmentRead:
    edited = store.update_promise(session=change.session, commitment=change.checked(),
                                  commitment_in=commitment_in)
    return _read(change.session, edited, change.response)


@router.post("/{commitment_id}/keep", response_model=schemas.CommitmentRead)
def keep_promise(body: schemas.CommitmentKeep, change: CommitmentChange) -> schemas.CommitmentRead:
    """Done: kept on time, or late (a late one stays flagged and its withdrawal stands)."""
    kept = store.keep(session=change.session, commitment=change.checked(), kept_on=body.kept_on,
                      note=body.note)
    return _read(change.session, kept, change.response)


@router.post("/{commitment_id}/cancel", response_model=schemas.CommitmentRead)
def cancel_promise(body: schemas.CommitmentCancel,
                   change: CommitmentChange) -> schemas.CommitmentRead:
    """Withdrawn by agreement before it fell due; past its due date it is broken instead."""
    cancelled = store.cancel(session=change.session, commitment=change.checked(),
                             reason=body.reason)
    return _read(change.session, cancelled, change.response)
