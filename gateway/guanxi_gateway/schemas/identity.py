"""Request and response types of login, users and API keys."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from guanxi_shared.models import InputModel, Instant, UpdateModel

UserRole = Literal["admin", "manager", "rep", "analyst"]
Scope = Annotated[str, StringConstraints(pattern=r"^(\*|[a-z]+:(read|write|\*))$")]


class LoginForm(InputModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)

    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "admin",
                                                        "password": "s3cret-pass"}]})


class RefreshForm(InputModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the scheme, not a secret)
    expires_in: int = Field(description="Seconds until the access token expires")


class UserCreate(InputModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=10, max_length=256)
    role: UserRole
    team_id: str | None = Field(default=None, max_length=64)
    name: str = Field(default="", max_length=200)

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"username": "li.wei", "password": "a-long-passphrase", "role": "rep",
         "team_id": "east", "name": "李伟"}]})


class UserUpdate(UpdateModel):
    __read_model__ = "UserRead"
    __never_null__ = frozenset({"password"})

    role: UserRole | None = None
    team_id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=10, max_length=256)
    active: bool | None = None


class UserRead(BaseModel):
    id: str
    username: str
    name: str
    role: str
    team_id: str | None
    active: bool
    created_at: datetime
    version: int


class ApiKeyCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[Scope] = Field(min_length=1, max_length=50)
    expires_at: Instant | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "ERP (用友)", "scopes": ["erp:write", "registry:read"]}]})


class ApiKeyRead(BaseModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret, shown this once only")


class AuditRead(BaseModel):
    id: str
    at: datetime
    actor: str
    role: str
    ip: str
    action: str
    method: str
    path: str
    customer_id: str | None
    status: int
    request_id: str
