"""Field types shared by the registry's schemas: validated phones, emails and credit codes."""
from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field

from ..domain.credit_code import credit_code_problem, normalise_credit_code
from ..domain.identity import InvalidValue, normalise_email, normalise_phone


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except InvalidValue as exc:
        raise ValueError(str(exc)) from None


def _email(value: str) -> str:
    try:
        return normalise_email(value)
    except InvalidValue as exc:
        raise ValueError(str(exc)) from None


def _timezone(value: str) -> str:
    if value not in TIMEZONES:
        raise ValueError(f"'{value}' is not an IANA time zone such as Asia/Shanghai")
    return value


TIMEZONES = frozenset(available_timezones())


def _credit_code(value: str) -> str:
    code = normalise_credit_code(value)
    problem = credit_code_problem(code)
    if problem:
        raise ValueError(f"unified social credit code {problem}")
    return code


# What the schema can state of each; the rest (a real numbering plan, the check character) is in
# the description and answered with a 422 naming the field.
PHONE_PATTERN = r"^\+?[0-9(][0-9 ().-]{3,38}[0-9]$"
CREDIT_CODE_PATTERN = (r"^[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{2}[0-9]{6}"
                       r"[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{10}$")
Phone = Annotated[str, Field(
    max_length=40, pattern=PHONE_PATTERN, examples=["13800138000", "+86 10 6552 9988"],
    description="A phone number valid in its numbering plan (China unless it starts with + or "
                "00); stored as E.164, e.g. +8613800138000"), AfterValidator(_phone)]
Email = Annotated[str, Field(max_length=254, examples=["wang@example.cn"],
                             json_schema_extra={"format": "email"},
                             description="Stored lower-cased"), AfterValidator(_email)]
CreditCode = Annotated[str, Field(
    min_length=18, max_length=18, pattern=CREDIT_CODE_PATTERN, examples=["91440300708461136T"],
    description="18 characters (GB 32100-2015: no I, O, S, V, Z), the 18th the check "
                "character of the first 17; stored upper-cased"), AfterValidator(_credit_code)]
ShortText = Annotated[str, Field(max_length=100)]
Language = Annotated[str, Field(max_length=16, pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
                                examples=["zh", "en", "zh-Hant"],
                                description="BCP 47 language tag for messages")]
TimeZone = Annotated[str, Field(max_length=64, examples=["Asia/Shanghai"]),
                     AfterValidator(_timezone)]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
