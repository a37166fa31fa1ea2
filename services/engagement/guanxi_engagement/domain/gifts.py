"""Gift rules (送礼): taboos that block or warn, budget and spacing between gifts, and what
fits the person who receives it (their native place 籍贯, ethnicity or customs 民族, hobbies).

Categories are matched after normalising: 钟, 钟表, clock and watch are one category, so a
taboo written in Chinese catches a gift catalogued in English and the other way round.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Canonical category: the words for it (Chinese and English, singular and plural).
CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "clock": ("钟", "钟表", "时钟", "挂钟", "座钟", "闹钟", "手表", "clock", "clocks",
              "watch", "watches", "wristwatch"),
    "pear": ("梨", "梨子", "雪梨", "pear", "pears"),
    "umbrella": ("伞", "雨伞", "umbrella", "umbrellas"),
    "apple": ("苹果", "apple", "apples"),
    "shoes": ("鞋", "鞋子", "皮鞋", "运动鞋", "shoe", "shoes", "sneakers"),
    "knife": ("刀", "刀具", "菜刀", "剪刀", "knife", "knives", "scissors", "blade"),
    "handkerchief": ("手帕", "手绢", "handkerchief", "handkerchiefs"),
    "chrysanthemum": ("菊花", "chrysanthemum", "chrysanthemums"),
    "green_hat": ("绿帽子", "绿帽", "green hat", "green_hat"),
    "mirror": ("镜子", "镜", "mirror", "mirrors"),
    "pork": ("猪肉", "火腿", "腊肉", "pork", "ham", "bacon"),
    "alcohol": ("酒", "白酒", "红酒", "葡萄酒", "啤酒", "茅台", "alcohol", "liquor", "wine",
                "baijiu", "beer", "spirits"),
    "tea": ("茶", "茶叶", "喝茶", "品茶", "tea", "teas"),
    "golf": ("高尔夫", "golf"),
    "books": ("书", "书籍", "读书", "阅读", "book", "books", "reading"),
    "calligraphy": ("书法", "字画", "calligraphy"),
    "fishing": ("钓鱼", "渔具", "fishing"),
}
_CANONICAL = {word.casefold(): key for key, words in CATEGORY_SYNONYMS.items()
              for word in (key, *words)}

# Ethnic groups of China whose customs forbid pork and alcohol (清真).
HALAL_ETHNICITIES = ("回族", "维吾尔族", "哈萨克族", "柯尔克孜族", "塔吉克族", "乌孜别克族",
                     "塔塔尔族", "撒拉族", "东乡族", "保安族")


def normalise(category: str | None) -> str:
    """The canonical category for a word: 钟表 -> clock; unknown words lower-cased."""
    word = " ".join((category or "").split()).casefold()
    return _CANONICAL.get(word, word)


def synonyms(category: str) -> list[str]:
    """Every word of the category a word belongs to, as written (钟 -> 钟, 钟表, clock...)."""
    key = normalise(category)
    words = {category, key, *CATEGORY_SYNONYMS.get(key, ())}
    return sorted({w for word in words for w in (word, word.casefold(), word.title())})


def _part_of(scopes: Iterable[str], value: str | None) -> bool:
    """A scope is part of the value (上海 in 上海市浦东) or the value part of it (回 in 回族)."""
    value = (value or "").strip()
    return bool(value) and any(s and (s in value or value in s) for s in scopes)


@dataclass(frozen=True)
class Recipient:
    """The person the gift is for, as the registry describes them."""

    native_place: str | None = None   # 籍贯
    ethnicity: str | None = None      # 民族 or customs
    hobbies: tuple[str, ...] = ()     # 爱好


@dataclass(frozen=True)
class Taboo:
    """A gift category to avoid; each scope that is set must match (empty: everyone)."""

    category: str
    reason: str
    block: bool = True
    occasion: str | None = None      # only for this occasion (e.g. visiting the sick)
    regions: tuple[str, ...] = ()    # only for recipients from these places (籍贯)
    groups: tuple[str, ...] = ()     # only for customers in one of these groups (分组)
    tags: tuple[str, ...] = ()       # only for customers with one of these tags
    ethnicities: tuple[str, ...] = ()  # only for recipients of these ethnicities or customs

    @property
    def personal(self) -> bool:
        """Scoped by who receives the gift (native place or customs)."""
        return bool(self.regions or self.ethnicities)

    def matches(self, *, category: str, occasion: str | None, groups: Iterable[str],
                tags: Iterable[str]) -> bool:
        """Everything but the recipient's scopes matches."""
        if normalise(self.category) != normalise(category):
            return False
        if self.occasion and self.occasion != occasion:
            return False
        if self.groups and not set(self.groups).intersection(groups):
            return False
        return not self.tags or bool(set(self.tags).intersection(tags))

    def applies(self, *, category: str, occasion: str | None, recipient: Recipient | None,
                groups: Iterable[str] = (), tags: Iterable[str] = ()) -> bool:
        if not self.matches(category=category, occasion=occasion, groups=groups, tags=tags):
            return False
        if not self.personal:
            return True
        if recipient is None:
            return False
        if self.regions and not _part_of(self.regions, recipient.native_place):
            return False
        return not self.ethnicities or _part_of(self.ethnicities, recipient.ethnicity)


TABOOS = (
    Taboo("clock", "送钟 sounds like 送终 (attending a death)"),
    Taboo("pear", "梨 sounds like 离 (separation)"),
    Taboo("umbrella", "伞 sounds like 散 (breaking up)"),
    Taboo("apple", "苹果 sounds like 病故 to a patient from Shanghai", occasion="sick",
          regions=("上海", "Shanghai")),
    Taboo("apple", "苹果 for the sick may read as 病故", block=False, occasion="sick"),
    Taboo("shoes", "送鞋 may read as sending someone away (鞋 sounds like 邪)", block=False),
    Taboo("knife", "刀 and scissors cut the relationship (一刀两断)"),
    Taboo("handkerchief", "手帕 are given at farewells and funerals", block=False),
    Taboo("chrysanthemum", "菊花 are for funerals", block=False),
    Taboo("green_hat", "戴绿帽子 means a cheated husband"),
    Taboo("pork", "pork is forbidden by the recipient's customs (清真)",
          ethnicities=HALAL_ETHNICITIES),
    Taboo("alcohol", "alcohol is forbidden by the recipient's customs (清真)",
          ethnicities=HALAL_ETHNICITIES),
)


@dataclass(frozen=True)
class GiftCheck:
    blocked: list[str]
    warnings: list[str]
    fits: list[str]


def hobby_fits(category: str, recipient: Recipient | None) -> list[str]:
    """The recipient's hobbies the gift's category matches (tea for someone who loves 喝茶)."""
    if recipient is None:
        return []
    wanted = normalise(category)
    return [f"fits their hobby: {h}" for h in recipient.hobbies if normalise(h) == wanted]


def check_gift(*, category: str, occasion: str | None, recipient: Recipient | None,
               cost: Decimal, spent_in_period: Decimal, budget_per_period: Decimal,
               last_given_on: date | None, on: date, min_days_between: int,
               groups: Iterable[str] = (), tags: Iterable[str] = (),
               company_taboos: Iterable[Taboo] = ()) -> GiftCheck:
    """Taboos (the common ones and the company's) for the recipient's native place and
    customs, the customer's groups and tags and the occasion, the period budget and the
    spacing since the last gift; and the recipient's hobbies it fits."""
    blocked: list[str] = []
    warnings: list[str] = []
    groups, tags = tuple(groups), tuple(tags)
    for taboo in (*TABOOS, *company_taboos):
        if taboo.applies(category=category, occasion=occasion, recipient=recipient,
                         groups=groups, tags=tags):
            (blocked if taboo.block else warnings).append(taboo.reason)
        elif recipient is None and taboo.personal and taboo.matches(
                category=category, occasion=occasion, groups=groups, tags=tags):
            warnings.append(f"no recipient named (contact_id), so not checked against their "
                            f"native place and customs: {taboo.reason}")
    if spent_in_period + cost > budget_per_period:
        blocked.append(f"over budget: {spent_in_period} spent, {cost} more exceeds "
                       f"{budget_per_period}")
    if last_given_on is not None and (on - last_given_on).days < min_days_between:
        warnings.append(f"last gift only {(on - last_given_on).days} days ago")
    return GiftCheck(blocked=sorted(set(blocked)), warnings=sorted(set(warnings) - set(blocked)),
                     fits=hobby_fits(category, recipient))


def gift_overdue(*, last_given_on: date | None, on: date, max_days_between: int | None
                 ) -> str | None:
    """Why a customer is flagged for going too long without a gift (None: not flagged).
    A customer never given a gift is not flagged here: there is no gap to measure."""
    if max_days_between is None or last_given_on is None:
        return None
    gap = (on - last_given_on).days
    if gap <= max_days_between:
        return None
    return f"no gift for {gap} days (policy: at most {max_days_between})"
