"""Needs's read model of the registry (fed by events) and its own results."""
from __future__ import annotations

from sqlmodel import Field

from guanxi_shared.models import Timestamped


class CustomerRef(Timestamped, table=True):
    __tablename__ = "customer_ref"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    status: str = Field(max_length=16)
    owner_id: str | None = Field(default=None, max_length=64, index=True)
    team_id: str | None = Field(default=None, max_length=64, index=True)
