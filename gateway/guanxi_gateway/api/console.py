"""/console/: the web console (a small single-page app) and its cookie-based sign-in.

The console calls the public /api/v1 endpoints with a short-lived access token it keeps in
memory only. The refresh token lives in an HttpOnly, SameSite=Strict cookie scoped to
/console/auth, so no script (ours or another site's) can read it, and the browser sends it only
to the three endpoints below. They are the JSON /api/v1/auth flow with the refresh token moved
into that cookie; a request from another origin is refused.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import FileResponse
from pydantic import BaseModel

from guanxi_shared.app import DbSession
from guanxi_shared.errors import Forbidden, NotFound, Unauthorized

from ..schemas.identity import LoginForm, RefreshForm, TokenPair
from ..store import users
from . import auth as auth_api
from .deps import Auth, ClientIp

STATIC = Path(__file__).resolve().parent.parent / "console"
COOKIE = "guanxi_console_refresh"
COOKIE_PATH = "/console/auth"
# No inline script and no inline <style> anywhere; only this origin's files and API. Style
# attributes are allowed (style-src-attr): ECharts sizes and places its canvas, tooltip and
# labels with them, and a style attribute cannot run code.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")

router = APIRouter(include_in_schema=False)


class ConsoleUser(BaseModel):
    id: str
    name: str
    role: Literal["admin", "manager", "rep", "analyst"]
    team_id: str | None


class ConsoleSession(BaseModel):
    access_token: str
    expires_in: int
    user: ConsoleUser


def same_origin(request: Request) -> None:
    """The cookie is SameSite=Strict; this also refuses other ports and schemes of the host
    (same-site for the browser, another origin here)."""
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if origin is not None and origin.split("://", 1)[-1] != host:
        raise Forbidden("The console's sign-in answers only pages of its own origin")
    if request.headers.get("x-guanxi-console") != "1":
        raise Forbidden("Missing the X-Guanxi-Console header")


def cookie_header(request: Request, value: str, max_age: int) -> str:
    secure = "; Secure" if request.app.state.settings.behind_https else ""
    return (f"{COOKIE}={value}; Max-Age={max_age}; Path={COOKIE_PATH}; HttpOnly; "
            f"SameSite=Strict{secure}")


def answer(pair: TokenPair, auth: Auth, request: Request, response: Response) -> ConsoleSession:
    principal = auth(pair.access_token)
    response.headers["Set-Cookie"] = cookie_header(
        request, pair.refresh_token, auth.settings.refresh_token_ttl_seconds)
    response.headers["Cache-Control"] = "no-store"
    return ConsoleSession(access_token=pair.access_token, expires_in=pair.expires_in,
                          user=ConsoleUser(id=principal.sub, name=principal.name,
                                           role=principal.role.value,
                                           team_id=principal.team_id))


def signed_out(request: Request, detail: str) -> Unauthorized:
    return Unauthorized(detail, headers={"WWW-Authenticate": "Bearer",
                                         "Set-Cookie": cookie_header(request, "", 0)})


def cookie_secret(request: Request) -> str | None:
    secret = request.cookies.get(COOKIE)
    return secret if secret and 10 <= len(secret) <= 200 else None


@router.post("/console/auth/login")
def console_login(form: LoginForm, session: DbSession, auth: Auth, ip: ClientIp,
                  request: Request, response: Response) -> ConsoleSession:
    same_origin(request)
    pair = auth_api.login(form, session, auth, ip, request)
    return answer(pair, auth, request, response)


@router.post("/console/auth/refresh", response_model=None)
def console_refresh(session: DbSession, auth: Auth, request: Request,
                    response: Response) -> ConsoleSession | Response:
    """A new access token for the session in the cookie; 204 when there is no session at all
    (a page's first load: nothing failed), 401 when the cookie's session is over."""
    same_origin(request)
    secret = cookie_secret(request)
    if secret is None:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    try:
        pair = auth_api.refresh(RefreshForm(refresh_token=secret), session, auth)
    except Unauthorized as exc:
        raise signed_out(request, exc.detail) from None
    return answer(pair, auth, request, response)


@router.post("/console/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def console_logout(session: DbSession, auth: Auth, request: Request, response: Response) -> None:
    """Signs this user out everywhere, like /api/v1/auth/logout, and drops the cookie."""
    same_origin(request)
    secret = cookie_secret(request)
    if secret is not None:
        try:
            user, _ = users.rotate_refresh(session=session, secret=secret, ttl=1)
        except Unauthorized:
            user = None
        if user is not None:
            users.revoke_sessions(session=session, user_id=user.id)
            auth.reload_users()
    response.headers["Set-Cookie"] = cookie_header(request, "", 0)


def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


@router.get("/console")
def console_root() -> Response:
    return Response(status_code=307, headers={"Location": "/console/"})


@router.get("/console/")
def console_index() -> FileResponse:
    return page()


ASSET_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".png": "image/png", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8"}


@router.get("/console/{folder}/{name}")
def console_asset(folder: Literal["js", "css", "vendor", "img"], name: str) -> FileResponse:
    """The console's files; a name with a path in it, or any other file, is a 404."""
    path = STATIC / folder / name
    kind = ASSET_TYPES.get(path.suffix)
    if "/" in name or "\\" in name or name.startswith(".") or kind is None or not path.is_file():
        raise NotFound("No such file")
    cache = "public, max-age=86400" if folder == "vendor" else "no-cache"
    return FileResponse(path, media_type=kind, headers={"Cache-Control": cache})
