"""/api/v1/users: admins manage who may log in, with which role and team."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy import select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import AdminOrManager, Role
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.pagination import Page, PageQuery, paginate

from ..schemas.identity import UserCreate, UserRead, UserUpdate
from ..store import users
from ..store.tables import User
from .deps import Admin, Auth

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a user")
def create_user(body: UserCreate, session: DbSession, _: Admin, auth: Auth) -> UserRead:
    user = users.create_user(session=session, username=body.username, password=body.password,
                             role=body.role, team_id=body.team_id, name=body.name)
    auth.reload_users()
    return UserRead.model_validate(user, from_attributes=True)


@router.get("", summary="List users (a manager: the users of their own team)")
def list_users(session: DbSession, principal: AdminOrManager, page: PageQuery,
               role: Annotated[str | None, Query(max_length=20)] = None,
               team_id: Annotated[str | None, Query(max_length=64)] = None) -> Page[UserRead]:
    stmt = select(User)
    if principal.role == Role.manager:  # who their team's customers belong to, by name
        stmt = stmt.where(User.team_id == principal.team_id)
    if role:
        stmt = stmt.where(User.role == role)
    if team_id:
        stmt = stmt.where(User.team_id == team_id)
    rows, cursor = paginate(session, stmt, sort=User.username, key=User.id, page=page)
    return Page(items=[UserRead.model_validate(u, from_attributes=True) for u in rows],
                next_cursor=cursor)


@router.get("/{user_id}", summary="One user")
def get_user(user_id: str, session: DbSession, _: Admin, response: Response) -> UserRead:
    user = users.get_user(session=session, user_id=user_id)
    set_etag(response, user.id, user.version)
    return UserRead.model_validate(user, from_attributes=True)


@router.patch("/{user_id}", summary="Change role, team, name, password or deactivate")
def update_user(user_id: str, body: UserUpdate, session: DbSession, _: Admin, auth: Auth,
                request: Request, response: Response) -> UserRead:
    user = users.get_user(session=session, user_id=user_id)
    check_if_match(request, user.id, user.version)
    changes = body.model_dump(exclude_unset=True)
    users.update_user(session=session, user=user, changes=changes)
    auth.reload_users()
    set_etag(response, user.id, user.version)
    return UserRead.model_validate(user, from_attributes=True)
