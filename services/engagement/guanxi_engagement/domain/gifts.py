"""Gift rules (送礼): taboos that block or warn, budget and spacing between gifts."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Taboo:
    """A gift category to avoid; each scope that is set must match (empty: everyone)."""

    category: str
    reason: str
    block: bool = True
    occasion: str | None = None      # only for this occasion (e.g. visiting the sick)
    regions: tuple[str, ...] = ()    # only in these regions (part of the customer's region)
    groups: tuple[str, ...] = ()     # only for customers in one of these groups (分组)
    tags: tuple[str, ...] = ()       # only for customers with one of these tags

    def applies(self, *, category: str, occasion: str | None, region: str | None,
                groups: Iterable[str], tags: Iterable[str]) -> bool:
        if self.category != category or (self.occasion and self.occasion != occasion):
            return False
        if self.regions and not any(r in (region or "") for r in self.regions):
            return False
        if self.groups and not set(self.groups).intersection(groups):
            return False
        return not self.tags or bool(set(self.tags).intersection(tags))


TABOOS = (
    Taboo("clock", "送钟 sounds like 送终 (attending a death)"),
    Taboo("pear", "梨 sounds like 离 (separation)"),
    Taboo("umbrella", "伞 sounds like 散 (breaking up)"),
    Taboo("apple", "苹果 sounds like 病故 to a patient in Shanghai", occasion="sick",
          regions=("上海", "Shanghai")),
    Taboo("apple", "苹果 for the sick may read as 病故", block=False, occasion="sick"),
)


@dataclass(frozen=True)
class GiftCheck:
    blocked: list[str]
    warnings: list[str]


def check_gift(*, category: str, occasion: str | None, region: str | None, cost: Decimal,
               spent_in_period: Decimal, budget_per_period: Decimal,
               last_given_on: date | None, on: date, min_days_between: int,
               groups: Iterable[str] = (), tags: Iterable[str] = (),
               company_taboos: Iterable[Taboo] = ()) -> GiftCheck:
    """Taboos (the common ones and the company's) for this customer's region, groups and tags
    and the occasion, the period budget and the spacing since the last gift."""
    blocked: list[str] = []
    warnings: list[str] = []
    groups, tags = tuple(groups), tuple(tags)
    for taboo in (*TABOOS, *company_taboos):
        if taboo.applies(category=category, occasion=occasion, region=region, groups=groups,
                         tags=tags):
            (blocked if taboo.block else warnings).append(taboo.reason)
    if spent_in_period + cost > budget_per_period:
        blocked.append(f"over budget: {spent_in_period} spent, {cost} more exceeds "
                       f"{budget_per_period}")
    if last_given_on is not None and (on - last_given_on).days < min_days_between:
        warnings.append(f"last gift only {(on - last_given_on).days} days ago")
    return GiftCheck(blocked=sorted(set(blocked)), warnings=sorted(set(warnings) - set(blocked)))
