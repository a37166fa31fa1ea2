"""What clients may write and what they read back, for customers."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, model_validator
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from guanxi_shared.models import MONEY, InputModel, UpdateModel, VersionedRead, readable
from guanxi_shared.pagination import Page
from guanxi_shared.reasons import CODE_PATTERN

from .common import CreditCode, Email, Phone, Tag

CustomerKind = Literal["company", "person"]
CustomerStatus = Literal["prospect", "active", "dormant", "lost", "won_back"]
CustomValue = str | int | float | bool | None


class CustomerBase(SQLModel):
    """Each field a client may set on a customer, declared once: the table stores it
    (store/tables.py adds the column facts given here), CustomerCreate and CustomerUpdate take
    it, CustomerRead shows it. A new field also needs a migration and its line in
    store/tables.py's CUSTOMER_COLUMNS (what a merge and an erasure do with it)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: CustomerStatus | None = None
    lost_reason: str | None = Field(default=None, max_length=500,
                                    description="A free-text note beside lost_reason_code")
    lost_reason_code: str | None = Field(
        default=None, max_length=32, index=True, schema_extra={"pattern": CODE_PATTERN},
        description="Why the customer was lost: a code from GET /v1/reasons (required with "
                    "status lost)")
    owner_id: str | None = Field(default=None, max_length=64, description="Owner rep")
    team_id: str | None = Field(default=None, max_length=64, index=True)
    industry: str | None = Field(default=None, max_length=100)
    prosperity_index: Decimal | None = Field(default=None, max_digits=8, decimal_places=2,
                                             sa_type=MONEY, description="行业景气指数")
    enterprise_type: str | None = Field(default=None, max_length=100)
    enterprise_nature: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=500)
    postal_code: str | None = Field(default=None, schema_extra={"pattern": r"^[0-9]{6}$"},
                                    sa_type=AutoString(12))
    credit_code: CreditCode | None = Field(default=None, sa_type=AutoString(18), index=True,
                                           description="统一社会信用代码")
    legal_representative: str | None = Field(default=None, max_length=100)
    founded_on: date | None = None
    business_scope: str | None = Field(default=None, max_length=2000)
    economic_scale: str | None = Field(default=None, max_length=100)
    employee_count: int | None = Field(default=None, ge=0, le=10_000_000)
    email: Email | None = Field(default=None, sa_type=AutoString(254), index=True)
    phone: Phone | None = Field(default=None, sa_type=AutoString(32), index=True)
    fax: Phone | None = Field(default=None, sa_type=AutoString(32))
    website: str | None = Field(default=None, max_length=300)
    weibo: str | None = Field(default=None, max_length=100)
    wechat: str | None = Field(default=None, max_length=100)
    tags: list[Tag] | None = Field(default=None, max_length=50)
    custom_fields: dict[str, CustomValue] | None = Field(default=None, max_length=100)


class CustomerFields(CustomerBase, InputModel):
    """Fields a client may set on create and change on update."""

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


class CustomerRead(readable(CustomerBase), VersionedRead):  # type: ignore[misc]
    id: str
    kind: CustomerKind
    name: str
    status: str
    lost_reason_code: str | None = None
    tags: list[str]
    custom_fields: dict[str, Any]
    group_ids: list[str] = Field(default=[])
    merged_into_id: str | None


CustomerPage = Page[CustomerRead]


class FieldChangeRead(BaseModel):
    field: str
    old_value: str | None
    new_value: str | None
    changed_by: str
    created_at: datetime
