"""What clients may write and what they read back, for customers."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from guanxi_shared.models import InputModel
from guanxi_shared.pagination import Page
from pydantic import BaseModel, EmailStr, Field

CustomerKind = Literal["company", "person"]
CustomerStatus = Literal["prospect", "active", "dormant", "lost", "won_back"]


class CustomerBase(InputModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    email: EmailStr | None = None
    region: str | None = Field(default=None, max_length=100)


class CustomerCreate(CustomerBase):
    kind: CustomerKind
    status: CustomerStatus = "prospect"
    owner_id: str | None = Field(default=None, max_length=64,
                                 description="Owner rep; defaults to the caller")
    team_id: str | None = Field(default=None, max_length=64)


class CustomerUpdate(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    email: EmailStr | None = None
    region: str | None = Field(default=None, max_length=100)
    status: CustomerStatus | None = None


class CustomerRead(BaseModel):
    id: str
    kind: CustomerKind
    name: str
    status: CustomerStatus
    owner_id: str | None
    team_id: str | None
    phone: str | None
    email: str | None
    region: str | None
    version: int
    created_at: datetime
    updated_at: datetime


CustomerPage = Page[CustomerRead]
