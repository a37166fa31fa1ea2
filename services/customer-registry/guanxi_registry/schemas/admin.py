"""What clients send and read for duplicates, custom fields and personal data (api/admin.py)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from guanxi_shared.models import InputModel


class DuplicateGroup(BaseModel):
    reason: str = Field(description="phone, email, credit_code, similar_name or contact_phone")
    value: str
    customer_ids: list[str]


class MergeRequest(InputModel):
    survivor_id: str = Field(max_length=32, description="The customer that stays")
    merged_id: str = Field(max_length=32, description="The customer folded into the survivor")


class ErasureResult(BaseModel):
    service: str = "registry"
    erased: dict[str, int]


class CustomFieldCreate(InputModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,49}$")
    label: str = Field(min_length=1, max_length=100)
    type: Literal["text", "number", "date", "boolean", "choice"]
    choices: list[str] = Field(default_factory=list, max_length=100)


class CustomFieldRead(BaseModel):
    key: str
    label: str
    type: str
    choices: list[str]
