"""API keys for integrations (接口密钥): shown once, stored as a hash."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from guanxi_shared.db import get_or_404
from guanxi_shared.models import utcnow

from ..domain.tokens import new_secret, secret_hash
from .tables import ApiKey


def create_api_key(*, session: Session, name: str, scopes: list[str],
                   expires_at: datetime | None, created_by: str) -> tuple[ApiKey, str]:
    secret = new_secret("gxk")
    key = ApiKey(name=name, prefix=secret[:10], key_hash=secret_hash(secret),
                 scopes=" ".join(sorted(set(scopes))), expires_at=expires_at,
                 created_by=created_by)
    session.add(key)
    session.commit()
    session.refresh(key)
    return key, secret


def find_live_key(*, session: Session, secret: str) -> ApiKey | None:
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == secret_hash(secret)))
    if key is None or key.revoked_at is not None:
        return None
    if key.expires_at is not None and key.expires_at <= utcnow():
        return None
    return key


def revoke_api_key(*, session: Session, key_id: str) -> ApiKey:
    key = get_or_404(session, ApiKey, key_id, "API key")
    key.revoked_at = key.revoked_at or utcnow()
    session.add(key)
    session.commit()
    session.refresh(key)
    return key


def touch_keys(*, session: Session, key_ids: set[str], at: datetime) -> None:
    """Record last use, once per refresh interval rather than once per request."""
    if key_ids:
        session.execute(update(ApiKey).where(ApiKey.id.in_(key_ids)).values(last_used_at=at))
        session.commit()


def revoked_key_hashes(*, session: Session) -> set[str]:
    now = utcnow()
    rows = session.scalars(select(ApiKey.key_hash).where(
        (ApiKey.revoked_at.is_not(None)) | (ApiKey.expires_at <= now)))
    return set(rows)
