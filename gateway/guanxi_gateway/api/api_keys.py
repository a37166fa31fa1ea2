"""/api/v1/api-keys: keys for integrations (ERP, ticketing), shown once, with scopes."""
from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from guanxi_shared.app import DbSession
from guanxi_shared.pagination import Page, PageQuery, paginate

from ..schemas.identity import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from ..store import api_keys
from ..store.tables import ApiKey
from .deps import Admin, Auth

router = APIRouter(prefix="/api/v1/api-keys", tags=["api keys"])


def read(key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead.model_validate({**key.model_dump(), "scopes": key.scopes.split()})


@router.post("", status_code=status.HTTP_201_CREATED,
             summary="Create an API key; the secret is in this answer only")
def create_key(body: ApiKeyCreate, session: DbSession, admin: Admin) -> ApiKeyCreated:
    key, secret = api_keys.create_api_key(session=session, name=body.name, scopes=body.scopes,
                                          expires_at=body.expires_at, created_by=admin.sub)
    return ApiKeyCreated(**read(key).model_dump(), key=secret)


@router.get("", summary="List API keys (never their secrets)")
def list_keys(session: DbSession, _: Admin, page: PageQuery) -> Page[ApiKeyRead]:
    rows, cursor = paginate(session, select(ApiKey), sort=ApiKey.created_at, key=ApiKey.id,
                            page=page)
    return Page(items=[read(k) for k in rows], next_cursor=cursor)


@router.delete("/{key_id}", summary="Revoke an API key at once")
def revoke_key(key_id: str, session: DbSession, _: Admin, auth: Auth) -> ApiKeyRead:
    key = api_keys.revoke_api_key(session=session, key_id=key_id)
    auth.forget_keys()
    return read(key)
