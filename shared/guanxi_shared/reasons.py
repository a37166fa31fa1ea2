"""Churn and non-renewal reasons (流失 / 未续约原因): one company list, copied where reported.

The registry owns the list (admins add, rename, retire); every change publishes
`reasons.changed` with the whole list, and segmentation (churn report) and engagement
(renewal report) keep a copy, seeded with the defaults by their migrations so that they
validate and label reasons before the first event arrives. A reason missing from a newer list
stays in a copy as retired: old losses keep their label.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import select
from sqlmodel import Field, Session, SQLModel

from .models import UTCDateTime, utcnow

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
UNRECORDED = "unrecorded"  # what the reports call losses without a code; never a list code
SEEDED_AT = datetime(2000, 1, 1, tzinfo=UTC)  # copies' seeds: any list the registry sends wins

# code, Chinese label, English label, controllable (could the company have prevented it?)
DEFAULT_REASONS: tuple[tuple[str, str, str, bool], ...] = (
    ("price", "价格", "Price", True),
    ("service", "服务", "Service", True),
    ("product_fit", "产品不适合", "Product fit", True),
    ("competitor", "竞争对手", "Competitor", True),
    ("budget_cut", "预算削减", "Budget cut", False),
    ("contact_left", "联系人离职", "Contact left", False),
    ("relocation", "搬迁", "Relocation", False),
    ("closure", "倒闭或破产", "Closure or bankruptcy", False),
    ("merger", "合并", "Merger", False),
    ("other", "其他", "Other", False),
)


class ReasonFields(SQLModel):
    """The columns of the list and of every copy of it."""

    code: str = Field(primary_key=True, max_length=32)
    label_zh: str = Field(max_length=100)
    label_en: str = Field(max_length=100)
    controllable: bool
    retired: bool = False
    position: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def default_rows(now: datetime | None = None) -> list[dict[str, Any]]:
    """The default list as rows, for the migrations that create a list or a copy."""
    at = now or utcnow()
    return [{"code": code, "label_zh": zh, "label_en": en, "controllable": controllable,
             "retired": False, "position": i, "updated_at": at}
            for i, (code, zh, en, controllable) in enumerate(DEFAULT_REASONS)]


def seed_if_empty(session: Session, table: type[ReasonFields], at: datetime = SEEDED_AT) -> None:
    """The defaults in an empty list: what the migrations do, for tests that empty tables."""
    if session.scalar(select(table.code).limit(1)) is None:
        extra = {"created_at": at} if "created_at" in table.model_fields else {}
        session.add_all([table(**row, **extra) for row in default_rows(at)])
        session.commit()


class ReasonRead(BaseModel):
    code: str
    label_zh: str
    label_en: str
    controllable: bool = PydanticField(description="Could the company have prevented it")
    retired: bool = PydanticField(description="Kept for old records; not offered any more")
    position: int


def event_data(rows: list[Any], changed_at: datetime) -> dict[str, Any]:
    """The `reasons.changed` payload: the whole list, and when it last changed."""
    return {"reasons": [ReasonRead.model_validate(r, from_attributes=True).model_dump()
                        for r in rows], "changed_at": changed_at.isoformat()}


def apply_list(session: Session, table: type[ReasonFields], data: dict[str, Any]) -> None:
    """Make a copy match a published list; an older list than the copy's is ignored."""
    changed_at = datetime.fromisoformat(data["changed_at"])
    newest = session.scalar(select(table.updated_at).order_by(table.updated_at.desc()).limit(1))
    if newest is not None and newest > changed_at:
        return
    copies = {r.code: r for r in session.scalars(select(table))}
    sent = {r["code"] for r in data["reasons"]}
    for item in data["reasons"]:
        row = copies.get(item["code"]) or table(code=item["code"])
        for key in ("label_zh", "label_en", "controllable", "retired", "position"):
            setattr(row, key, item[key])
        row.updated_at = changed_at
        session.add(row)
    for code, row in copies.items():
        if code not in sent:
            row.retired, row.updated_at = True, changed_at
            session.add(row)


def active_code(session: Session, table: type[ReasonFields], code: str) -> bool:
    row = session.get(table, code)
    return row is not None and not row.retired


class Share(BaseModel):
    count: int
    percent: float = PydanticField(description="Of all losses in the period, in percent")


class ReasonShare(Share):
    code: str = PydanticField(description="The reason's code; `unrecorded` when none was given")
    label_zh: str
    label_en: str
    controllable: bool | None = PydanticField(description="null for unrecorded")


class ReasonBreakdown(BaseModel):
    """Why customers were lost in a period, and how much of it the company could have
    prevented (controllable) or not."""

    reasons: list[ReasonShare]
    controllable: Share
    not_controllable: Share
    unrecorded: Share


def breakdown(codes: Mapping[str | None, int], labels: Mapping[str, Any]) -> ReasonBreakdown:
    """Counts per reason code (None: no code recorded) as percentages of their total.

    `labels` maps each code to its row in the list (label_zh, label_en, controllable); a code
    the list does not know counts as unrecorded."""
    counts: Counter[str] = Counter()
    for code, n in codes.items():
        counts[code if code in labels else UNRECORDED] += n
    total = sum(counts.values())
    split = Counter()
    shares = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        row = labels.get(code)
        controllable = None if row is None else bool(row.controllable)
        split[{True: "controllable", False: "not_controllable", None: UNRECORDED}[controllable]] += n
        shares.append(ReasonShare(
            code=code, count=n, percent=_percent(n, total), controllable=controllable,
            label_zh=row.label_zh if row is not None else "未记录",
            label_en=row.label_en if row is not None else "Not recorded"))
    return ReasonBreakdown(reasons=shares, **{
        key: Share(count=split[key], percent=_percent(split[key], total))
        for key in ("controllable", "not_controllable", UNRECORDED)})


def _percent(n: int, total: int) -> float:
    return round(100 * n / total, 1) if total else 0.0


def labels_of(session: Session, table: type[ReasonFields]) -> dict[str, ReasonFields]:
    return {r.code: r for r in session.scalars(select(table))}
