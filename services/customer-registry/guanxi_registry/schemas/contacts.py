"""Contacts (联系人) as clients write and read them."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import model_validator
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from guanxi_shared.models import InputModel, UpdateModel, VersionedRead, readable
from guanxi_shared.pagination import Page

from .common import Email, Language, Phone, ShortText, TimeZone

DealRole = Literal["decision_maker", "driver", "supporter", "neutral", "opponent"]
PhoneKind = Literal["mobile", "office", "home", "other"]


class ContactPhone(InputModel):
    kind: PhoneKind = "mobile"
    number: Phone


class ContactBase(SQLModel):
    """Each field a client may set on a contact, declared once: the table stores it
    (store/tables.py adds the column facts given here), ContactCreate and ContactUpdate take
    it, ContactRead shows it. A new field also needs a migration and its line in
    store/tables.py's CONTACT_COLUMNS (what a merge does with it)."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    gender: Literal["female", "male", "other"] | None = Field(default=None,
                                                              sa_type=AutoString(16))
    ethnicity: ShortText | None = Field(default=None, sa_type=AutoString(50),
                                        description="民族")
    native_place: str | None = Field(default=None, max_length=100, description="籍贯")
    address: str | None = Field(default=None, max_length=500)
    birthday_calendar: Literal["solar", "lunar"] | None = Field(default=None,
                                                                sa_type=AutoString(8))
    # a year that is not known is stored as 1904
    birthday: date | None = Field(default=None, description="Solar birthday")
    lunar_birthday_month: int | None = Field(default=None, ge=1, le=12, description="农历月")
    lunar_birthday_day: int | None = Field(default=None, ge=1, le=30, description="农历日")
    lunar_birthday_leap: bool | None = None
    organisation: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=100)
    job_title: str | None = Field(default=None, max_length=100)
    professional_title: str | None = Field(default=None, max_length=100)
    school: str | None = Field(default=None, max_length=100)
    hobbies: list[ShortText] | None = Field(default=None, max_length=50, description="爱好")
    cares_about_people: list[str] | None = Field(default=None, max_length=50,
                                                 description="关心的人")
    cares_about_things: list[str] | None = Field(default=None, max_length=50,
                                                 description="关心的事")
    phones: list[ContactPhone] | None = Field(default=None, max_length=10)
    email: Email | None = Field(default=None, sa_type=AutoString(254), index=True)
    fax: Phone | None = Field(default=None, sa_type=AutoString(32))
    qq: str | None = Field(default=None, sa_type=AutoString(20),
                           schema_extra={"pattern": r"^[1-9][0-9]{4,11}$"})
    wechat: str | None = Field(default=None, max_length=100)
    weibo: str | None = Field(default=None, max_length=100)
    social_circles: list[ShortText] | None = Field(default=None, max_length=50)
    role: DealRole | None = Field(default=None, sa_type=AutoString(16),
                                  description="角色 in the deal")
    left_on: date | None = Field(default=None, description="The day they left the customer")
    went_to: str | None = Field(default=None, max_length=200, description="去向")
    new_customer_id: str | None = Field(default=None, max_length=32)
    language: Language | None = Field(default=None, sa_type=AutoString(16))
    timezone: TimeZone | None = Field(default=None, sa_type=AutoString(64),
                                      description="Where the contact lives, for sending at a "
                                                  "decent local hour")


class ContactFields(ContactBase, InputModel):
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


class ContactRead(readable(ContactBase), VersionedRead):  # type: ignore[misc]
    id: str
    customer_id: str
    name: str
    lunar_birthday_leap: bool
    hobbies: list[str]
    cares_about_people: list[str]
    cares_about_things: list[str]
    phones: list[dict[str, str]]
    primary_phone: str | None
    social_circles: list[str]


ContactPage = Page[ContactRead]
