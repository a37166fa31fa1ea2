"""Who is calling: the internal token the gateway mints, and the role rules every service applies.

Clients never talk to services with their own credentials. The gateway checks the user's
password token or API key, then forwards a short-lived HS256 token signed with the suite's
`GUANXI_INTERNAL_SECRET` that names the principal. Services trust only that token, so a
service reached directly without it answers 401.
"""
from __future__ import annotations

import time
from enum import StrEnum
from typing import Annotated, TypeVar

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy import Select
from starlette.concurrency import run_in_threadpool

from .errors import Forbidden, NotFound, Unauthorized

ISSUER = "guanxi-gateway"
AUDIENCE = "guanxi-services"
TOKEN_TTL_SECONDS = 300
SelectT = TypeVar("SelectT", bound=Select)


class Role(StrEnum):
    admin = "admin"
    manager = "manager"      # sees their team's customers
    rep = "rep"              # sees their own customers and what hangs off them
    analyst = "analyst"      # reads everything, writes nothing
    integration = "integration"  # API keys for ERP/ticketing, limited by scopes
    service = "service"      # one service calling another


class Principal(BaseModel):
    sub: str
    role: Role
    team_id: str | None = None
    scopes: list[str] = []
    name: str = ""

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.admin, Role.analyst, Role.service, Role.integration)

    @property
    def can_write(self) -> bool:
        return self.role != Role.analyst

    def can_see(self, *, owner_id: str | None, team_id: str | None) -> bool:
        """The ownership rule for one object; `owner_filter` is the same rule for lists."""
        if self.sees_everything:
            return True
        if self.role == Role.manager:
            return team_id is not None and team_id == self.team_id
        return owner_id is not None and owner_id == self.sub

    def has_scope(self, scope: str) -> bool:
        if self.role != Role.integration:
            return True
        resource = scope.split(":", 1)[0]
        return scope in self.scopes or f"{resource}:*" in self.scopes or "*" in self.scopes


def mint_token(principal: Principal, secret: str, ttl: int = TOKEN_TTL_SECONDS) -> str:
    now = int(time.time())
    claims = {**principal.model_dump(mode="json"), "iss": ISSUER, "aud": AUDIENCE,
              "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm="HS256")


def service_token(service_name: str, secret: str) -> str:
    return mint_token(Principal(sub=f"service:{service_name}", role=Role.service), secret)


def decode_token(token: str, secret: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The credential has expired") from None
    except jwt.PyJWTError:
        raise Unauthorized("The credential is not valid") from None
    return Principal.model_validate(claims)


def authenticate(app_state, token: str) -> Principal:
    """Services accept the internal token; the gateway installs its own `authenticator`."""
    custom = getattr(app_state, "authenticator", None)
    if custom is not None:
        return custom(token)
    return decode_token(token, app_state.settings.internal_secret)


async def authenticate_on_loop(app_state, token: str) -> Principal:
    """`authenticate` without the round trip to a worker thread that a sync dependency costs:
    checking an internal token is CPU only, and the gateway's authenticator answers from memory
    unless it must ask its database, which alone is sent to a worker thread."""
    custom = getattr(app_state, "authenticator", None)
    if custom is None:
        return decode_token(token, app_state.settings.internal_secret)
    principal = custom.from_memory(token)
    if principal is None:
        principal = await run_in_threadpool(custom, token)
    return principal


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    return token.strip()


async def current_principal(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = await authenticate_on_loop(request.app.state, bearer(request))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_write(principal: CurrentPrincipal) -> Principal:
    if not principal.can_write:
        raise Forbidden("This role may read but not change data")
    return principal


def require_scope(scope: str):
    """Dependency factory: integrations need the scope; people are limited by role instead."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_scope(scope):
            raise Forbidden(f"This API key lacks the '{scope}' scope")
        if scope.endswith(":write") and not principal.can_write:
            raise Forbidden("This role may read but not change data")
        return principal

    return check


def require_roles(*roles: Role):
    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"This operation needs one of the roles: {', '.join(roles)}")
        return principal

    return check


Writer = Annotated[Principal, Depends(require_write)]
ServiceCaller = Annotated[Principal, Depends(require_roles(Role.service, Role.admin))]
# company-wide lists people keep by hand: users, products, experience maps
AdminOrManager = Annotated[Principal, Depends(require_roles(Role.admin, Role.manager))]
# what only an admin changes: the balance weights, the visit checklist, the calendar
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
# company-wide settings and reports: rules, templates, policies, segment reports
Manager = Annotated[Principal, Depends(require_roles(Role.admin, Role.manager, Role.service))]


def visible_or_404(principal: Principal, obj, what: str, ident: str):
    """`obj` (anything with owner_id and team_id) if the principal may see it; otherwise, and
    when it does not exist, the same 404, so that a hidden object cannot be told from none."""
    if obj is None or not principal.can_see(owner_id=obj.owner_id, team_id=obj.team_id):
        raise NotFound(f"{what} {ident} not found")
    return obj


def owner_filter(principal: Principal, owner_col, team_col):
    """SQL condition limiting a list to what the principal may see (None: no limit)."""
    if principal.sees_everything:
        return None
    if principal.role == Role.manager:
        return team_col == principal.team_id
    return owner_col == principal.sub


def where_visible(stmt: SelectT, principal: Principal, owner_col, team_col) -> SelectT:
    """`stmt` limited to what the principal may see (`owner_filter` as its where clause)."""
    visible = owner_filter(principal, owner_col, team_col)
    return stmt if visible is None else stmt.where(visible)
