"""/v1/referrals, /v1/groups and /v1/notes: how customers connect and what we know of them."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlmodel import Session

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Principal, Writer
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.pagination import PageQuery

from ..schemas.relations import (
    GroupCreate,
    GroupMembers,
    GroupPage,
    GroupRead,
    GroupUpdate,
    NoteCreate,
    NotePage,
    NoteRead,
    NoteUpdate,
    ReferralCreate,
    ReferralPage,
    ReferralRead,
    ReferralTree,
    TopReferrer,
)
from ..store import groups as group_store
from ..store import notes as note_store
from ..store import referrals as referral_store
from ..store.tables import CustomerGroup, Note, Referral
from .deps import VisibleCustomer

router = APIRouter()


@router.post("/v1/referrals", status_code=status.HTTP_201_CREATED, response_model=ReferralRead,
             tags=["referrals"])
def create_referral(referral_in: ReferralCreate, session: DbSession,
                    principal: Writer) -> Referral:
    return referral_store.create(session=session, principal=principal, referral_in=referral_in)


@router.get("/v1/referrals", response_model=ReferralPage, tags=["referrals"])
def list_referrals(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
                   referrer_customer_id: Annotated[str | None, Query(max_length=32)] = None,
                   ) -> ReferralPage:
    rows, cursor = referral_store.list_page(session=session, principal=principal, page=page,
                                            referrer_customer_id=referrer_customer_id)
    return ReferralPage(items=[ReferralRead.model_validate(r, from_attributes=True)
                               for r in rows], next_cursor=cursor)


@router.get("/v1/referrals/top", response_model=list[TopReferrer], tags=["referrals"])
def top_referrers(session: DbSession, principal: CurrentPrincipal,
                  limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[TopReferrer]:
    """Who brought us the most revenue through the customers they referred (thank them)."""
    return referral_store.top_referrers(session=session, principal=principal, limit=limit)


@router.get("/v1/customers/{customer_id}/referrals/tree", response_model=ReferralTree,
            tags=["referrals"])
def referral_tree(customer: VisibleCustomer, session: DbSession) -> ReferralTree:
    return ReferralTree(root_customer_id=customer.id,
                        nodes=referral_store.tree(session=session, root_id=customer.id))


def existing_group(group_id: str, session: DbSession) -> CustomerGroup:
    return group_store.get(session, group_id)


Group = Annotated[CustomerGroup, Depends(existing_group)]


@router.post("/v1/groups", status_code=status.HTTP_201_CREATED, response_model=GroupRead,
             tags=["groups"])
def create_group(group_in: GroupCreate, session: DbSession, _: Writer) -> GroupRead:
    return group_store.read(session, group_store.create(session=session, group_in=group_in))


@router.get("/v1/groups", response_model=GroupPage, tags=["groups"])
def list_groups(session: DbSession, _: CurrentPrincipal, page: PageQuery) -> GroupPage:
    rows, cursor = group_store.list_page(session=session, page=page)
    return GroupPage(items=[group_store.read(session, g) for g in rows], next_cursor=cursor)


@router.get("/v1/groups/{group_id}", response_model=GroupRead, tags=["groups"])
def get_group(group: Group, session: DbSession, _: CurrentPrincipal,
              response: Response) -> GroupRead:
    set_etag(response, group.id, group.version)
    return group_store.read(session, group)


@router.patch("/v1/groups/{group_id}", response_model=GroupRead, tags=["groups"])
def update_group(group: Group, group_in: GroupUpdate, session: DbSession, request: Request,
                 response: Response, _: Writer) -> GroupRead:
    check_if_match(request, group.id, group.version)
    group = group_store.update(session=session, group=group, group_in=group_in)
    set_etag(response, group.id, group.version)
    return group_store.read(session, group)


def _change_members(group: CustomerGroup, members: GroupMembers, session: Session,
                    principal: Principal, *, add: bool) -> GroupRead:
    group_store.change_members(session=session, principal=principal, group=group,
                               customer_ids=members.customer_ids, add=add)
    return group_store.read(session, group)


@router.post("/v1/groups/{group_id}/members", response_model=GroupRead, tags=["groups"])
def add_members(group: Group, members: GroupMembers, session: DbSession,
                principal: Writer) -> GroupRead:
    return _change_members(group, members, session, principal, add=True)


@router.post("/v1/groups/{group_id}/members/remove", response_model=GroupRead, tags=["groups"])
def remove_members(group: Group, members: GroupMembers, session: DbSession,
                   principal: Writer) -> GroupRead:
    return _change_members(group, members, session, principal, add=False)


@router.post("/v1/notes", status_code=status.HTTP_201_CREATED, response_model=NoteRead,
             tags=["notes"])
def create_note(note_in: NoteCreate, session: DbSession, principal: Writer) -> Note:
    return note_store.create(session=session, principal=principal, note_in=note_in)


@router.get("/v1/notes", response_model=NotePage, tags=["notes"])
def list_notes(session: DbSession, principal: CurrentPrincipal, page: PageQuery,
               customer_id: Annotated[str | None, Query(max_length=32)] = None,
               contact_id: Annotated[str | None, Query(max_length=32)] = None) -> NotePage:
    rows, cursor = note_store.list_page(session=session, principal=principal, page=page,
                                        customer_id=customer_id, contact_id=contact_id)
    return NotePage(items=[NoteRead.model_validate(n, from_attributes=True) for n in rows],
                    next_cursor=cursor)


@router.patch("/v1/notes/{note_id}", response_model=NoteRead, tags=["notes"])
def update_note(note_id: str, note_in: NoteUpdate, session: DbSession, request: Request,
                response: Response, principal: Writer) -> Note:
    note = note_store.get_visible(session=session, principal=principal, note_id=note_id)
    check_if_match(request, note.id, note.version)
    note = note_store.update(session=session, principal=principal, note=note, body=note_in.body)
    set_etag(response, note.id, note.version)
    return note
