"""What clients may write and what they read back, for customers."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page
from guanxi_shared.reasons import CODE_PATTERN

from .common import CreditCode, Email, Phone, ShortText, Tag

CustomerKind = Literal["company", "person"]
CustomerStatus = Literal["prospect", "active", "dormant", "lost", "won_back"]
CustomValue = str | int | float | bool | None


class CustomerFields(InputModel):
    """Fields a client may set on create and change on update."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: CustomerStatus | None = None
    lost_reason: str | None = Field(default=None, max_length=500,
                                    description="A free-text note beside lost_reason_code")
    lost_reason_code: str | None = Field(
        default=None, max_length=32, pattern=CODE_PATTERN,
        description="Why the customer was lost: a code from GET /v1/reasons (required with "
                    "status lost)")
    industry: ShortText | None = None
    prosperity_index: Decimal | None = Field(default=None, max_digits=8, decimal_places=2,
                                             description="行业景气指数")
    enterprise_type: ShortText | None = None
    enterprise_nature: ShortText | None = None
    region: ShortText | None = None
    address: str | None = Field(default=None, max_length=500)
    postal_code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    credit_code: CreditCode | None = Field(default=None, description="统一社会信用代码")
    legal_representative: ShortText | None = None
    founded_on: date | None = None
    business_scope: str | None = Field(default=None, max_length=2000)
    economic_scale: ShortText | None = None
    employee_count: int | None = Field(default=None, ge=0, le=10_000_000)
    email: Email | None = None
    phone: Phone | None = None
    fax: Phone | None = None
    website: str | None = Field(default=None, max_length=300)
    weibo: ShortText | None = None
    wechat: ShortText | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)
    custom_fields: dict[str, CustomValue] | None = Field(default=None, max_length=100)
    owner_id: str | None = Field(default=None, max_length=64, description="Owner rep")
    team_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def lost_needs_reason(self) -> CustomerFields:
        if self.status == "lost" and not self.lost_reason_code:
            raise ValueError("a lost customer needs a lost_reason_code (GET /v1/reasons)")
        return self


class CustomerCreate(CustomerFields):
    kind: CustomerKind
    name: str = Field(min_length=1, max_length=200)
    status: CustomerStatus = "prospect"


class CustomerUpdate(CustomerFields, UpdateModel):
    """Only the fields sent are changed; send If-Match with the ETag you read. null clears a
    field, except one every customer has (name, status, tags, custom_fields): a 422."""

    __read_model__ = "CustomerRead"


class CustomerRead(BaseModel):
    id: str
    kind: CustomerKind
    name: str
    status: str
    lost_reason: str | None
    lost_reason_code: str | None = None
    owner_id: str | None
    team_id: str | None
    industry: str | None
    prosperity_index: Decimal | None
    enterprise_type: str | None
    enterprise_nature: str | None
    region: str | None
    address: str | None
    postal_code: str | None
    credit_code: str | None
    legal_representative: str | None
    founded_on: date | None
    business_scope: str | None
    economic_scale: str | None
    employee_count: int | None
    email: str | None
    phone: str | None
    fax: str | None
    website: str | None
    weibo: str | None
    wechat: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    group_ids: list[str] = []
    merged_into_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


CustomerPage = Page[CustomerRead]


class FieldChangeRead(BaseModel):
    field: str
    old_value: str | None
    new_value: str | None
    changed_by: str
    created_at: datetime


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
