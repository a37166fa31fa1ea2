"""Engagement's tables: the read model of the registry (fed by events) and its own records."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from guanxi_shared.customer_ref import CustomerRefBase
from guanxi_shared.models import MONEY, Timestamped, UTCDateTime, Versioned, new_id
from guanxi_shared.reasons import ReasonFields


class CustomerRef(CustomerRefBase, table=True):
    """A customer as the registry last described it, plus segmentation's segment and tier."""

    __tablename__ = "customer_ref"

    region: str | None = Field(default=None, max_length=100)
    founded_on: date | None = None
    founded_month: int | None = None
    founded_day: int | None = None
    groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    segment: str | None = Field(default=None, max_length=64, index=True)
    tier: str | None = Field(default=None, max_length=32, index=True)


class ContactRef(Timestamped, table=True):
    """A contact's birthday, channels, role and what they care about (关心的人和事)."""

    __tablename__ = "contact_ref"
    __table_args__ = (Index("ix_contact_ref_birth", "birth_month", "birth_day"),
                      Index("ix_contact_ref_lunar", "lunar_birthday_month", "lunar_birthday_day"))

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    name: str = Field(max_length=100)
    birthday_calendar: str | None = Field(default=None, max_length=8)
    birthday: date | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    lunar_birthday_month: int | None = None
    lunar_birthday_day: int | None = None
    lunar_birthday_leap: bool = False
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    wechat: str | None = Field(default=None, max_length=100)
    role: str | None = Field(default=None, max_length=32)
    language: str = Field(default="zh", max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    cares_about: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    left_on: date | None = None
    # What a gift must fit (礼品): 籍贯, 民族 (customs), 爱好.
    native_place: str | None = Field(default=None, max_length=100)
    ethnicity: str | None = Field(default=None, max_length=50)
    hobbies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False,
                                                                      server_default="[]"))


class PurchaseFact(Timestamped, table=True):
    __tablename__ = "purchase_fact"
    __table_args__ = (Index("ix_purchase_fact_customer_date", "customer_id", "purchased_on"),)

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32)
    purchased_on: date = Field(index=True)
    amount: Decimal = Field(sa_type=MONEY)
    currency: str = Field(default="CNY", max_length=3)
    referrer_customer_id: str | None = Field(default=None, max_length=32)


class OpenNeed(Timestamped, table=True):
    """Needs still open (need.created until need.decided), shown on the agenda."""

    __tablename__ = "open_need"

    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    title: str = Field(max_length=300)


class ProductRef(Timestamped, table=True):
    """A catalogue product as needs last described it (product.changed), for templates."""

    __tablename__ = "product_ref"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    line: str = Field(max_length=100)
    lifecycle: str = Field(max_length=16)
    usp: str = Field(default="", max_length=2000)  # the USP statement (独特销售主张)
    pitch: str = Field(default="", sa_type=Text)  # USP and FFAB as one text, composed by needs
    version: int


class CompanyDate(Timestamped, table=True):
    """A custom company date (公司纪念日, 客户答谢日) shown on the calendar every year."""

    __tablename__ = "company_date"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    month: int
    day: int


class Occasion(Versioned, table=True):
    """A customer's or contact's own occasion (人生大事): a wedding, a move, an achievement.

    month and day repeat the date's so that the daily run finds a yearly occasion (a wedding
    anniversary) through an index, as it finds birthdays.
    """

    __tablename__ = "occasion"
    __table_args__ = (Index("ix_occasion_month_day", "month", "day"),
                      Index("ix_occasion_customer", "customer_id"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32)
    contact_id: str | None = Field(default=None, max_length=32, index=True)
    kind: str = Field(max_length=16)
    occurs_on: date
    month: int
    day: int
    recurs_yearly: bool = False
    note: str | None = Field(default=None, max_length=300)
    recorded_by: str | None = Field(default=None, max_length=64)


class Rule(Versioned, table=True):
    """What to do, for whom, when and through which channel."""

    __tablename__ = "rule"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    trigger: str = Field(max_length=32)
    occasion: str | None = Field(default=None, max_length=64)
    channel: str = Field(max_length=16)
    kind: str = Field(default="greeting", max_length=16)
    template_id: str | None = Field(default=None, max_length=32)
    every_days: int | None = None
    days_before: int | None = None
    audience: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = True


class Task(Versioned, table=True):
    """An agenda item for a rep: call, visit, gift or message to prepare."""

    __tablename__ = "task"
    # A rule's task is once per subject and event day (occurs_on), whatever its due day: a
    # changed lead time or working-day shift never creates it twice. Tasks without an event
    # day (added by hand, or by flows keyed on their due day) keep uq_task_occurrence.
    __table_args__ = (UniqueConstraint("rule_id", "subject_id", "due_on",
                                       name="uq_task_occurrence"),
                      UniqueConstraint("rule_id", "subject_id", "occurs_on",
                                       name="uq_task_event"),
                      Index("ix_task_assignee_due", "assignee_id", "due_on"),
                      Index("ix_task_customer", "customer_id"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    rule_id: str | None = Field(default=None, max_length=32)
    subject_id: str = Field(max_length=32)
    customer_id: str = Field(max_length=32)
    contact_id: str | None = Field(default=None, max_length=32)
    assignee_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=16)
    title: str = Field(max_length=300)
    due_on: date
    occurs_on: date | None = None  # the day of the event the task is for (a rule's task)
    status: str = Field(default="open", max_length=16)
    outcome: str | None = Field(default=None, max_length=2000)
    result_check: str | None = Field(default=None, max_length=2000)
    visit_id: str | None = Field(default=None, max_length=32)


class Message(Timestamped, table=True):
    """One send and its delivery log entry; a blocked send keeps its reason."""

    __tablename__ = "message"
    # The occurrence key leads with the contact so it also serves the frequency-cap counts.
    __table_args__ = (UniqueConstraint("contact_id", "rule_id", "occurs_on",
                                       name="uq_message_occurrence"),
                      Index("ix_message_status_after", "status", "send_after"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    rule_id: str | None = Field(default=None, max_length=32)
    contact_id: str = Field(max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    channel: str = Field(max_length=16)
    kind: str = Field(default="greeting", max_length=16)
    occasion: str | None = Field(default=None, max_length=64)
    occasion_id: str | None = Field(default=None, max_length=32)  # the life event greeted
    template_id: str | None = Field(default=None, max_length=32)
    occurs_on: date
    status: str = Field(default="pending", max_length=16)
    reason: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, max_length=4000)
    send_after: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Template(Versioned, table=True):
    """Message text per language with {placeholders}."""

    __tablename__ = "template"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    subject: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    body: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    product_id: str | None = Field(default=None, max_length=32)  # what {product.*} quotes


class Consent(Timestamped, table=True):
    """Per-contact, per-channel consent or opt-out (PIPL 个人信息保护法)."""

    __tablename__ = "consent"

    contact_id: str = Field(primary_key=True, max_length=32)
    channel: str = Field(primary_key=True, max_length=16)
    granted: bool
    source: str | None = Field(default=None, max_length=200)


class Policy(Versioned, table=True):
    """The company's respect policy: quiet hours and frequency caps (one row, id 'default')."""

    __tablename__ = "policy"

    id: str = Field(default="default", primary_key=True, max_length=32)
    quiet_start: int = 21
    quiet_end: int = 9
    marketing_cap: int = 2
    marketing_window_days: int = 7
    greetings_per_day: int = 1
    # A task or gift due on a rest day moves to the previous or next working day (or keeps).
    workday_shift: str = Field(default="previous", max_length=8,
                               sa_column_kwargs={"server_default": "previous"})
    # A customer given no gift for longer than this is flagged (None: never).
    gift_max_days_between: int | None = 365


class Visit(Versioned, table=True):
    """A visit plan (拜访): target contact, purpose, appointment, checklist, result."""

    __tablename__ = "visit"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    contact_id: str | None = Field(default=None, max_length=32)
    owner_id: str | None = Field(default=None, max_length=64)
    purpose: str = Field(max_length=16)
    appointment_at: datetime = Field(sa_type=UTCDateTime)
    checklist: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="planned", max_length=16)
    result: str | None = Field(default=None, max_length=4000)
    next_appointment_on: date | None = None
    # The time limit and its outline (两分钟主题、八分钟家常): [{topic, minutes, kind}].
    planned_minutes: int | None = None
    agenda: list[dict] = Field(default_factory=list,
                               sa_column=Column(JSON, nullable=False, server_default="[]"))
    actual_minutes: int | None = None
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Mistake 21: a visit closed without a next appointment says why (shown to managers).
    no_follow_up_reason: str | None = Field(default=None, max_length=500)
    thanks_task_id: str | None = Field(default=None, max_length=32)


class VisitCheck(Versioned, table=True):
    """One item of the company's visit checklist (客户拜访的21个错误, then the thank-you):
    copied into every new visit plan; an admin edits, adds or retires items."""

    __tablename__ = "visit_check"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    position: int
    phase: str = Field(max_length=8)  # before | after
    label_zh: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    mistake: int | None = None  # the course's number, 1 to 21
    active: bool = True


class Gift(Versioned, table=True):
    """A catalogue item with its cost and what it is (for taboo checks)."""

    __tablename__ = "gift"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    category: str = Field(max_length=32)
    cost: Decimal = Field(sa_type=MONEY)
    active: bool = True


class GiftTaboo(Versioned, table=True):
    """A company's own gift taboo, scoped by region, customer group or tag (empty: everyone)."""

    __tablename__ = "gift_taboo"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    category: str = Field(max_length=32, index=True)
    reason: str = Field(max_length=300)
    block: bool = True
    occasion: str | None = Field(default=None, max_length=64)
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # only for recipients of one of these ethnicities or customs (民族); matched on the contact
    ethnicities: list[str] = Field(default_factory=list,
                                   sa_column=Column(JSON, nullable=False, server_default="[]"))
    active: bool = True


class GiftLog(Timestamped, table=True):
    """A gift given (or planned) to a customer's contact, with the occasion and cost."""

    __tablename__ = "gift_log"
    __table_args__ = (Index("ix_gift_log_customer_on", "customer_id", "given_on"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    gift_id: str = Field(max_length=32)
    customer_id: str = Field(max_length=32)
    contact_id: str | None = Field(default=None, max_length=32)
    occasion: str | None = Field(default=None, max_length=64)
    cost: Decimal = Field(sa_type=MONEY)
    given_on: date
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Contract(Versioned, table=True):
    """A contract's end date and renewal outcome (续费), for reminders and renewal reports."""

    __tablename__ = "contract"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(max_length=32, index=True)
    title: str = Field(max_length=200)
    ends_on: date = Field(index=True)
    amount: Decimal = Field(sa_type=MONEY)
    renewal: str = Field(default="pending", max_length=16)
    reason: str | None = Field(default=None, max_length=500)  # the note beside reason_code
    reason_code: str | None = Field(default=None, max_length=32)  # why not renewed (Reason)


class SchedulerRun(Timestamped, table=True):
    """One run of the daily job: shows a catch-up ran once."""

    __tablename__ = "scheduler_run"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    run_on: date = Field(index=True)
    trigger: str = Field(max_length=16)
    created: int = 0
    warnings: list[str] = Field(default_factory=list,
                                sa_column=Column(JSON, nullable=False, server_default="[]"))


class OfficialSchedule(Versioned, table=True):
    """A year's official days off and make-up working days (调休) as an admin loaded them;
    it takes precedence over the calendar library's for that year."""

    __tablename__ = "official_schedule"

    id: str = Field(primary_key=True, max_length=32)  # the year, e.g. "2031"
    year: int = Field(unique=True)
    days: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    loaded_by: str | None = Field(default=None, max_length=64)


class RuleDay(SQLModel, table=True):
    """A rule's occurrences for an event day were created (so a late catch-up runs once)."""

    __tablename__ = "rule_day"

    rule_id: str = Field(primary_key=True, max_length=32)
    occurs_on: date = Field(primary_key=True)


class Reason(ReasonFields, table=True):
    """Engagement's copy of the registry's non-renewal reasons (reasons.changed): validates a
    contract not renewed and labels the renewal report."""

    __tablename__ = "reason"
