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


Phone = Annotated[str, Field(max_length=40, examples=["13800138000"]), AfterValidator(_phone)]
Email = Annotated[str, Field(max_length=254, examples=["wang@example.cn"]), AfterValidator(_email)]
CreditCode = Annotated[str, Field(max_length=24, examples=["91440300708461136T"]),
                       AfterValidator(_credit_code)]
ShortText = Annotated[str, Field(max_length=100)]
Language = Annotated[str, Field(max_length=16, pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
                                examples=["zh", "en", "zh-Hant"],
                                description="BCP 47 language tag for messages")]
TimeZone = Annotated[str, Field(max_length=64, examples=["Asia/Shanghai"]),
                     AfterValidator(_timezone)]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
