"""Calendar, respect and gift rules, hand-checked against published calendars."""
from datetime import UTC, date, datetime
from decimal import Decimal

from guanxi_engagement.domain.calendar import (
    birthday_in,
    festivals,
    lunar_birthday_keys,
    lunar_to_solar,
    official_days,
    solar_birthday_keys,
)
from guanxi_engagement.domain.gifts import (
    Recipient,
    Taboo,
    check_gift,
    gift_overdue,
    normalise,
)
from guanxi_engagement.domain.occasions import next_occurrence, occurrence_in
from guanxi_engagement.domain.respect import QuietHours, block_reason
from guanxi_engagement.domain.templates import render


def test_2027_festivals():
    days = {d.occasion: d.on for d in festivals(2027)}
    assert days["spring_festival"] == date(2027, 2, 6)
    assert days["lantern"] == date(2027, 2, 20)
    assert days["qingming"] == date(2027, 4, 5)
    assert days["dragon_boat"] == date(2027, 6, 9)
    assert days["mid_autumn"] == date(2027, 9, 15)
    assert days["mothers_day"] == date(2027, 5, 9)
    assert days["fathers_day"] == date(2027, 6, 20)
    assert days["national_day"] == date(2027, 10, 1)


def test_official_2026_adjusted_working_days():
    kinds = {(d.on, d.kind) for d in official_days(2026)}
    assert (date(2026, 2, 28), "adjusted_workday") in kinds
    assert (date(2026, 10, 1), "holiday") in kinds


def test_lunar_birthday_mid_autumn_2027():
    assert birthday_in(2027, calendar="lunar", birthday=None, lunar_month=8,
                       lunar_day=15) == date(2027, 9, 15)
    assert (8, 15, False) in lunar_birthday_keys(date(2027, 9, 15))


def test_lunar_30th_in_a_short_month_falls_on_the_29th():
    # 2024's first lunar month has 29 days: its 29th is 2024-03-09.
    assert lunar_to_solar(2024, 1, 30) == date(2024, 3, 9)
    assert (1, 30, False) in lunar_birthday_keys(date(2024, 3, 9))


def test_leap_month_birthday_uses_the_ordinary_month_when_the_year_has_no_leap():
    assert lunar_to_solar(2023, 2, 10, leap=True) == date(2023, 3, 31)  # 闰二月 2023
    assert lunar_to_solar(2024, 2, 10, leap=True) == lunar_to_solar(2024, 2, 10)
    assert (2, 10, True) in lunar_birthday_keys(lunar_to_solar(2024, 2, 10))
    # In 2023 the ordinary second month is not a leap-born contact's birthday.
    assert (2, 10, True) not in lunar_birthday_keys(lunar_to_solar(2023, 2, 10))


def test_29_february_on_28_february_in_common_years():
    assert birthday_in(2027, calendar="solar", birthday=date(2000, 2, 29), lunar_month=None,
                       lunar_day=None) == date(2027, 2, 28)
    assert solar_birthday_keys(date(2027, 2, 28)) == [(2, 28), (2, 29)]
    assert solar_birthday_keys(date(2028, 2, 28)) == [(2, 28)]


def test_quiet_hours_defer_to_the_morning_in_the_contacts_timezone():
    quiet = QuietHours(21, 9)
    late = datetime(2027, 2, 6, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    assert quiet.next_allowed(late, "Asia/Shanghai") == datetime(2027, 2, 7, 1, 0, tzinfo=UTC)
    assert quiet.next_allowed(late, "Europe/London") == late  # 14:00 in London


def test_block_reasons():
    base = dict(kind="marketing", channel="sms", consented=None, address="138",
                marketing_sent=0, marketing_cap=2, greetings_today=0, greetings_per_day=1)
    assert block_reason(**base) is None
    assert block_reason(**{**base, "consented": False}) == "contact opted out of sms"
    assert "frequency cap" in block_reason(**{**base, "marketing_sent": 2})
    assert "already greeted" in block_reason(**{**base, "kind": "greeting",
                                                "greetings_today": 1})


def test_gift_taboos_budget_and_spacing():
    args = dict(occasion=None, recipient=Recipient(native_place="北京"), cost=Decimal("100"),
                spent_in_period=Decimal(0), budget_per_period=Decimal("500"),
                last_given_on=None, on=date(2027, 1, 10), min_days_between=30)
    assert check_gift(category="clock", **args).blocked
    assert check_gift(category="钟表", **args).blocked == check_gift(category="watch",
                                                                     **args).blocked
    assert not check_gift(category="tea", **args).blocked
    sick = {**args, "occasion": "sick"}
    assert check_gift(category="苹果", **{**sick, "recipient": Recipient(native_place="上海")}
                      ).blocked
    apple_elsewhere = check_gift(category="apple", **sick)
    assert not apple_elsewhere.blocked and apple_elsewhere.warnings
    assert check_gift(category="tea", **{**args, "spent_in_period": Decimal("450")}).blocked
    assert check_gift(category="tea", **{**args, "last_given_on": date(2027, 1, 1)}).warnings


def test_taboos_scoped_by_group_and_tag():
    args = dict(category="liquor", occasion=None, recipient=Recipient(native_place="宁夏"),
                cost=Decimal("100"),
                spent_in_period=Decimal(0), budget_per_period=Decimal("500"),
                last_given_on=None, on=date(2027, 1, 10), min_days_between=30)
    halal = Taboo("liquor", "no alcohol", groups=("清真",))
    hospital = Taboo("liquor", "not for patients", block=False, tags=("hospital",),
                     regions=("宁夏",))
    taboos = {"company_taboos": (halal, hospital)}
    assert check_gift(**args, groups=["清真", "key"], **taboos).blocked == ["no alcohol"]
    assert not check_gift(**args, groups=["key"], **taboos).blocked
    assert check_gift(**args, tags=["hospital"], **taboos).warnings == ["not for patients"]
    # Every scope set must match: the tag alone is not enough outside the region.
    assert not check_gift(**{**args, "recipient": Recipient(native_place="北京")},
                          tags=["hospital"], **taboos).warnings
    assert not check_gift(**args, groups=["清真"]).blocked  # company taboos not given


def test_occasions_recur_yearly_or_fall_once():
    wedding, move = date(2024, 2, 29), date(2027, 3, 8)
    assert occurrence_in(2027, occurs_on=wedding, recurs_yearly=True) == date(2027, 2, 28)
    assert occurrence_in(2023, occurs_on=wedding, recurs_yearly=True) is None
    assert occurrence_in(2028, occurs_on=move, recurs_yearly=False) is None
    assert next_occurrence(occurs_on=wedding, recurs_yearly=True,
                           on=date(2027, 3, 1)) == date(2028, 2, 29)
    assert next_occurrence(occurs_on=wedding, recurs_yearly=True,
                           on=date(2020, 1, 1)) == wedding
    assert next_occurrence(occurs_on=move, recurs_yearly=False, on=date(2027, 3, 9)) is None
    assert next_occurrence(occurs_on=move, recurs_yearly=True,
                           on=date(9999, 12, 31)) is None


def test_template_language_and_placeholders():
    texts = {"zh": "{name}，新春快乐！", "en": "Happy New Year, {name}!"}
    assert render(texts, "en", {"name": "Li"}) == "Happy New Year, Li!"
    assert render(texts, "fr", {"name": "李"}) == "李，新春快乐！"
    assert render({"zh": "{unknown}好"}, None, {}) == "好"


def test_categories_are_normalised_with_their_synonyms():
    assert {normalise(w) for w in ("钟", "钟表", "clock", "Watch", " 手表 ")} == {"clock"}
    assert normalise("梨") == normalise("Pears") == "pear"
    assert normalise("伞") == "umbrella" and normalise("苹果") == "apple"
    assert normalise("鞋") == "shoes" and normalise("剪刀") == "knife"
    assert normalise("Silk scarf") == "silk scarf"  # unknown words compare as written


def test_a_customer_is_flagged_only_past_the_longest_gap_the_policy_allows():
    on = date(2027, 1, 1)
    assert gift_overdue(last_given_on=date(2026, 1, 1), on=on, max_days_between=365) is None
    assert gift_overdue(last_given_on=date(2025, 12, 31), on=on, max_days_between=365) == \
        "no gift for 366 days (policy: at most 365)"
    assert gift_overdue(last_given_on=date(2020, 1, 1), on=on, max_days_between=None) is None
    assert gift_overdue(last_given_on=None, on=on, max_days_between=30) is None
