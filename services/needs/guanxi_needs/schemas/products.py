"""Product catalogue schemas: the product, its USP (独特销售主张) and FFAB sheet, launches."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from guanxi_shared.models import InputModel, UpdateModel, changeable, readable
from guanxi_shared.pagination import Page

from ..domain.products import Lifecycle, UspDimension, UspDirection
from ..domain.selling import CallStatus, EvidenceKind
from .common import Currency, Id, Identified, ShortText, Text

Price = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999999999.99"), max_digits=18,
                                 decimal_places=2)]
Line = Annotated[str, Field(min_length=1, max_length=100)]
Ids = Annotated[list[Id], Field(max_length=50)]


class UspPoint(InputModel):
    """One thing only we offer, placed in a direction and a dimension, with its proof."""

    direction: UspDirection
    dimension: UspDimension
    claim: Text
    proof: Text | None = None


class Usp(InputModel):
    """The USP: the promise in one sentence (a benefit competitors do not or cannot claim)."""

    statement: Text
    points: list[UspPoint] = Field(default_factory=list, max_length=20)
    versus_competitors: Text | None = Field(
        default=None, description="What competitors lack or have not claimed")


class FfabRow(InputModel):
    """Feature -> Function -> Advantage -> Benefit, e.g. huge capacity -> stores masses of
    data -> portable and durable -> your important files are never lost."""

    feature: Text
    function: Text
    advantage: Text
    benefit: Text


class _PriceBand(InputModel):
    @model_validator(mode="after")
    def band_in_order(self) -> Any:
        low, high = getattr(self, "price_from", None), getattr(self, "price_to", None)
        if low is not None and high is not None and low > high:
            raise ValueError("price_from must not exceed price_to")
        return self


class ProductCreate(_PriceBand):
    name: ShortText
    line: Line
    lifecycle: Lifecycle = Lifecycle.new
    price_from: Price
    price_to: Price
    currency: Currency = "CNY"
    summary: Text | None = None
    category_ids: Ids = Field(default_factory=list,
                              description="Need categories this product answers")
    usp: Usp | None = None
    ffab: list[FfabRow] = Field(default_factory=list, max_length=30)
    related_product_ids: Ids = Field(
        default_factory=list, description="正相关: what customers need with this product")
    back_end_product_ids: Ids = Field(
        default_factory=list, description="后端销售: what to offer after a first deal of this one")


class ProductUpdate(changeable(ProductCreate, *ProductCreate.model_fields), _PriceBand,
                    UpdateModel):  # type: ignore[misc]
    """Only the fields sent change; send If-Match with the ETag you read."""

    __read_model__ = "ProductRead"


class UspRead(BaseModel):
    statement: str
    points: list[dict[str, Any]]
    versus_competitors: str | None = None


class ProductRead(readable(ProductCreate), Identified):  # type: ignore[misc]
    usp: UspRead | None
    launched_on: date | None
    retired_on: date | None
    pitch: str = Field(description="USP and FFAB as one text, for templates and call scripts")
    created_at: datetime
    updated_at: datetime
    version: int


class ProductPage(Page[ProductRead]):
    pass


class LaunchKind(StrEnum):
    launch = "launch"
    upgrade = "upgrade"


class LaunchCreate(InputModel):
    kind: LaunchKind = LaunchKind.launch
    launched_on: date | None = Field(default=None, description="Defaults to today")
    note: Text | None = None


class LaunchRead(Identified):
    product_id: str
    kind: LaunchKind
    launched_on: date
    note: str | None
    created_by: str
    calls: int = Field(description="Customers on the call list (all owners)")
    created_at: datetime


class LaunchPage(Page[LaunchRead]):
    pass


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: EvidenceKind
    ref_id: str
    detail: str
    points: int
    evidence_on: date


class CallRead(BaseModel):
    launch_id: str
    customer_id: str
    customer_name: str
    owner_id: str | None
    position: int = Field(description="1 = the best fit of the whole launch")
    score: int
    latest_evidence_on: date
    status: CallStatus
    outcome_note: str | None
    called_by: str | None
    called_at: datetime | None
    reasons: list[EvidenceRead]
    version: int


class CallPage(Page[CallRead]):
    pass


class CallOutcome(InputModel):
    status: CallStatus
    note: Text | None = None


class SuggestionKind(StrEnum):
    related = "related"                # 正相关: goes with something they bought
    back_end = "back_end"              # 后端销售: the next sale after a first deal
    correlated_need = "correlated_need"  # 正相关需求: an open need this product answers


class Suggestion(BaseModel):
    product_id: str
    product_name: str
    line: str
    kind: SuggestionKind
    because: str
    pitch: str


class SuggestionList(BaseModel):
    customer_id: str
    items: list[Suggestion]
