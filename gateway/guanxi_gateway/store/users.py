"""Users and their refresh tokens (刷新令牌): queries and writes."""
from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select, update
from sqlmodel import Session

from guanxi_shared.db import get_or_404
from guanxi_shared.errors import Conflict, Unauthorized
from guanxi_shared.models import utcnow

from ..domain.tokens import new_secret, secret_hash
from .tables import RefreshToken, User

hasher = PasswordHasher()
# Verifying against this keeps a login for an unknown name as slow as a wrong password.
_DUMMY_HASH = hasher.hash("guanxi-no-such-user")


def create_user(*, session: Session, username: str, password: str, role: str,
                team_id: str | None, name: str = "") -> User:
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"A user named '{username}' already exists")
    user = User(username=username, password_hash=hasher.hash(password), role=role,
                team_id=team_id, name=name)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def bootstrap_admin(*, session: Session, password: str) -> None:
    """The first admin, 'admin', when the gateway has no user yet."""
    if password and session.scalar(select(User.id).limit(1)) is None:
        create_user(session=session, username="admin", password=password, role="admin",
                    team_id=None, name="Administrator")


def check_password(*, session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except VerificationError:
        user = None
    if user is None or not user.active:
        raise Unauthorized("Wrong user name or password")
    return user


def get_user(*, session: Session, user_id: str) -> User:
    return get_or_404(session, User, user_id, "User")


def update_user(*, session: Session, user: User, changes: dict) -> User:
    """Any change of access (role, team, password, active) also ends the user's sessions."""
    password = changes.pop("password", None)
    if password is not None:
        user.password_hash = hasher.hash(password)
    for name, value in changes.items():
        setattr(user, name, value)
    user.version += 1
    user.token_generation += 1
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def issue_refresh(*, session: Session, user_id: str, ttl: int) -> str:
    secret = new_secret("gxr")
    session.add(RefreshToken(user_id=user_id, token_hash=secret_hash(secret),
                             expires_at=utcnow() + timedelta(seconds=ttl)))
    session.commit()
    return secret


def rotate_refresh(*, session: Session, secret: str, ttl: int) -> tuple[User, str]:
    """Spend a refresh token for a new one; reusing a spent token revokes the whole session
    family (the user's generation), since it means the token was stolen."""
    row = session.scalar(select(RefreshToken).where(
        RefreshToken.token_hash == secret_hash(secret)))
    if row is None or row.expires_at <= utcnow():
        raise Unauthorized("The refresh token is not valid")
    user = session.get(User, row.user_id)
    if row.revoked_at is not None or user is None or not user.active:
        if user is not None:
            revoke_sessions(session=session, user_id=user.id)
        raise Unauthorized("The refresh token is not valid")
    row.revoked_at = utcnow()
    session.add(row)
    return user, issue_refresh(session=session, user_id=user.id, ttl=ttl)


def revoke_sessions(*, session: Session, user_id: str) -> None:
    """Logout everywhere: refresh tokens revoked, access tokens of older generations refused."""
    session.execute(update(RefreshToken).where(RefreshToken.user_id == user_id,
                                               RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))
    session.execute(update(User).where(User.id == user_id)
                    .values(token_generation=User.token_generation + 1))
    session.commit()


def token_states(*, session: Session) -> list[tuple]:
    """(id, generation, active, role, team_id, name) of every user: the revocation cache."""
    return list(session.execute(select(User.id, User.token_generation, User.active, User.role,
                                       User.team_id, User.name)).all())
