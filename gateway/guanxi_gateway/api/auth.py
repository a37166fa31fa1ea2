"""/api/v1/auth: password login (登录), token refresh and logout."""
from __future__ import annotations

import time

from fastapi import APIRouter, Request, status

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal
from guanxi_shared.errors import Invalid, TooManyRequests, Unauthorized

from ..domain.rate_limit import retry_after_header
from ..domain.tokens import mint_access
from ..identity import Authenticator
from ..schemas.identity import LoginForm, RefreshForm, TokenPair
from ..store import users
from .deps import Auth, ClientIp

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def token_pair(*, auth: Authenticator, user_id: str, refresh_token: str) -> TokenPair:
    ttl = auth.settings.access_token_ttl_seconds
    auth.reload_users()
    access = mint_access(key=auth.key, user_id=user_id,
                         generation=auth.generation_of(user_id), ttl=ttl)
    return TokenPair(access_token=access, refresh_token=refresh_token, expires_in=ttl)


@router.post("/token", summary="Log in with a user name and password", openapi_extra={
    "security": []})
def login(form: LoginForm, session: DbSession, auth: Auth, ip: ClientIp,
          request: Request) -> TokenPair:
    throttle = request.app.state.login_throttle
    account = form.username.lower()
    wait = throttle.wait(account, ip, time.monotonic())
    if wait:
        raise TooManyRequests("Too many failed logins; try again later",
                              headers={"Retry-After": retry_after_header(wait)})
    try:
        user = users.check_password(session=session, username=form.username,
                                    password=form.password)
    except Unauthorized:
        throttle.failed(account, ip, time.monotonic())
        raise
    throttle.succeeded(account)
    refresh_token = users.issue_refresh(session=session, user_id=user.id,
                                        ttl=auth.settings.refresh_token_ttl_seconds)
    return token_pair(auth=auth, user_id=user.id, refresh_token=refresh_token)


@router.post("/refresh", summary="Trade a refresh token for a new pair (rotation)",
             openapi_extra={"security": []})
def refresh(form: RefreshForm, session: DbSession, auth: Auth) -> TokenPair:
    try:
        user, new_refresh = users.rotate_refresh(session=session, secret=form.refresh_token,
                                                 ttl=auth.settings.refresh_token_ttl_seconds)
    except Unauthorized:
        auth.reload_users()  # a reused token may have just revoked the user's sessions
        raise
    return token_pair(auth=auth, user_id=user.id, refresh_token=new_refresh)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT,
             summary="Log out everywhere: revoke this user's access and refresh tokens")
def logout(principal: CurrentPrincipal, session: DbSession, auth: Auth) -> None:
    if principal.sub not in auth.known_users():
        raise Invalid("Only a user's access token can log out; revoke API keys instead")
    users.revoke_sessions(session=session, user_id=principal.sub)
    auth.reload_users()
