"""Contacts (联系人) as clients write and read them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from guanxi_shared.models import InputModel, UpdateModel
from guanxi_shared.pagination import Page

from .common import Email, Language, Phone, ShortText, TimeZone

DealRole = Literal["decision_maker", "driver", "supporter", "neutral", "opponent"]
PhoneKind = Literal["mobile", "office", "home", "other"]


class ContactPhone(InputModel):
    kind: PhoneKind = "mobile"
    number: Phone


class ContactFields(InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    gender: Literal["female", "male", "other"] | None = None
    ethnicity: ShortText | None = Field(default=None, description="民族")
    native_place: ShortText | None = Field(default=None, description="籍贯")
    address: str | None = Field(default=None, max_length=500)
    birthday_calendar: Literal["solar", "lunar"] | None = None
    birthday: date | None = Field(default=None, description="Solar birthday")
    lunar_birthday_month: int | None = Field(default=None, ge=1, le=12, description="农历月")
    lunar_birthday_day: int | None = Field(default=None, ge=1, le=30, description="农历日")
    lunar_birthday_leap: bool | None = None
    organisation: str | None = Field(default=None, max_length=200)
    department: ShortText | None = None
    job_title: ShortText | None = None
    professional_title: ShortText | None = None
    school: ShortText | None = None
    hobbies: list[ShortText] | None = Field(default=None, max_length=50, description="爱好")
    cares_about_people: list[str] | None = Field(default=None, max_length=50,
                                                 description="关心的人")
    cares_about_things: list[str] | None = Field(default=None, max_length=50,
                                                 description="关心的事")
    phones: list[ContactPhone] | None = Field(default=None, max_length=10)
    email: Email | None = None
    fax: Phone | None = None
    qq: str | None = Field(default=None, pattern=r"^[1-9][0-9]{4,11}$")
    wechat: ShortText | None = None
    weibo: ShortText | None = None
    social_circles: list[ShortText] | None = Field(default=None, max_length=50)
    role: DealRole | None = Field(default=None, description="角色 in the deal")
    left_on: date | None = Field(default=None, description="The day they left the customer")
    went_to: str | None = Field(default=None, max_length=200, description="去向")
    new_customer_id: str | None = Field(default=None, max_length=32)
    language: Language | None = None
    timezone: TimeZone | None = Field(default=None, description="Where the contact lives, for "
                                      "sending at a decent local hour")

    @model_validator(mode="after")
    def birthday_matches_calendar(self) -> ContactFields:
        if self.birthday_calendar == "lunar" and not (self.lunar_birthday_month
                                                       and self.lunar_birthday_day):
            raise ValueError("a lunar birthday needs lunar_birthday_month and lunar_birthday_day")
        if self.birthday_calendar == "solar" and not self.birthday:
            raise ValueError("a solar birthday needs birthday")
        return self


class ContactCreate(ContactFields):
    name: str = Field(min_length=1, max_length=100)


class ContactUpdate(ContactFields, UpdateModel):
    """Only the fields sent are changed; send If-Match with the ETag you read. null clears a
    field, except one every contact has (name, lists, lunar_birthday_leap): a 422."""

    __read_model__ = "ContactRead"


class ContactRead(BaseModel):
    id: str
    customer_id: str
    name: str
    gender: str | None
    ethnicity: str | None
    native_place: str | None
    address: str | None
    birthday_calendar: str | None
    birthday: date | None
    lunar_birthday_month: int | None
    lunar_birthday_day: int | None
    lunar_birthday_leap: bool
    organisation: str | None
    department: str | None
    job_title: str | None
    professional_title: str | None
    school: str | None
    hobbies: list[str]
    cares_about_people: list[str]
    cares_about_things: list[str]
    phones: list[dict[str, str]]
    primary_phone: str | None
    email: str | None
    fax: str | None
    qq: str | None
    wechat: str | None
    weibo: str | None
    social_circles: list[str]
    role: str | None
    left_on: date | None
    went_to: str | None
    new_customer_id: str | None
    language: str | None
    timezone: str | None
    version: int
    created_at: datetime
    updated_at: datetime


ContactPage = Page[ContactRead]
