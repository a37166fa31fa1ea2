"""Reading phone-exported contact files: CSV (Android, iOS, Google, Outlook) and vCard 3/4.

Pure functions: bytes in, `ImportRow`s out, each with the reason it cannot be used (if any).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

import vobject
from charset_normalizer import from_bytes

from guanxi_shared.errors import Invalid

from .identity import InvalidValue, normalise_email, normalise_phone

# Header spellings seen in exports, lower-cased; first match wins.
NAME = ("name", "full name", "display name", "姓名", "名称", "联系人")
GIVEN = ("given name", "first name", "名", "名字")
FAMILY = ("family name", "last name", "姓", "姓氏")
ORGANISATION = ("organization 1 - name", "organization name", "company", "organization",
                "公司", "单位", "工作单位")
TITLE = ("organization 1 - title", "job title", "title", "职位", "职务")
DEPARTMENT = ("organization 1 - department", "department", "部门")
BIRTHDAY = ("birthday", "生日")
NOTES = ("notes", "note", "备注")
ADDRESS = ("address 1 - formatted", "home address", "business street", "home street",
           "address", "地址")
PHONE_COLUMNS = (("mobile", ("mobile phone", "mobile", "cell", "phone 1 - value", "手机",
                             "手机号码", "移动电话")),
                 ("office", ("business phone", "work phone", "phone 2 - value", "办公电话",
                             "工作电话", "电话")),
                 ("home", ("home phone", "phone 3 - value", "住宅电话", "家庭电话")),
                 ("other", ("other phone", "phone", "phone number")))
EMAIL_COLUMNS = ("e-mail 1 - value", "e-mail address", "email address", "email", "e-mail",
                 "邮箱", "电子邮件", "e-mail 2 - value", "e-mail 2 address")


DIGITS = re.compile(r"\d+")
NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")


@dataclass
class ImportRow:
    line: int
    name: str = ""
    organisation: str | None = None
    job_title: str | None = None
    department: str | None = None
    phones: list[tuple[str, str]] = field(default_factory=list)  # (kind, E.164)
    emails: list[str] = field(default_factory=list)
    birthday: date | None = None
    address: str | None = None
    note: str | None = None
    error: str | None = None


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM first, then the detected charset (GBK/GB18030 exports)."""
    for encoding in ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best else "gb18030"
    if encoding.lower() in ("gbk", "gb2312", "cp936", "hz"):
        encoding = "gb18030"  # a superset: never fails on rare characters
    return data.decode(encoding, errors="replace")


def parse(data: bytes, fmt: str) -> list[ImportRow]:
    text = decode(data).replace("\x00", "")  # no contact field holds one; no database keeps one
    if fmt == "vcard":
        return parse_vcard(text)
    try:
        return parse_csv(text)
    except csv.Error as exc:
        raise Invalid(f"The file is not readable as CSV: {exc}") from exc


def _shown(header: list[str]) -> str:
    """The start of a header line, for an error message."""
    line = ",".join(header)
    return repr(line[:80] + ("..." if len(line) > 80 else ""))


def _columns(header: list[str], names: tuple[str, ...]) -> list[int]:
    """Indexes of the header cells matching any spelling, in the order of `names`."""
    return [header.index(n) for n in names if n in header]


def parse_csv(text: str) -> list[ImportRow]:
    reader = csv.reader(io.StringIO(text, newline=""))  # a lone \r ends a line too
    header = [h.strip().lower() for h in next(reader, [])]
    # Column positions are found once from the header, not per row.
    fields = {key: _columns(header, names) for key, names in (
        ("name", NAME), ("given", GIVEN), ("family", FAMILY), ("organisation", ORGANISATION),
        ("title", TITLE), ("department", DEPARTMENT), ("birthday", BIRTHDAY),
        ("note", NOTES), ("address", ADDRESS))}
    phone_columns = [(kind, _columns(header, names)) for kind, names in PHONE_COLUMNS]
    email_columns = _columns(header, EMAIL_COLUMNS)
    if not any(fields[k] for k in ("name", "given", "family", "organisation")) and not (
            email_columns or any(indexes for _, indexes in phone_columns)):
        raise Invalid("The file is not a contact CSV: its first line names none of the columns "
                      "an import reads (a name, mobile, phone or email column, in English or "
                      f"Chinese); it reads {_shown(header)}")
    rows = []
    for number, raw in enumerate(reader, start=2):
        values = [v.strip() for v in raw]
        if not any(values):
            continue
        width = len(values)

        def first(indexes: list[int], values: list[str] = values, width: int = width) -> str | None:
            for i in indexes:
                if i < width and values[i]:
                    return values[i]
            return None

        name = first(fields["name"]) or " ".join(
            p for p in (first(fields["family"]), first(fields["given"])) if p)
        row = ImportRow(line=number, name=_clean_name(name), organisation=first(fields["organisation"]),
                        job_title=first(fields["title"]), department=first(fields["department"]),
                        address=first(fields["address"]), note=first(fields["note"]))
        phones = [(kind, value) for kind, indexes in phone_columns
                  for value in [first(indexes)] if value]
        emails = [values[i] for i in email_columns if i < width and values[i]]
        _finish(row, phones, emails, first(fields["birthday"]))
        rows.append(row)
    return rows


def parse_vcard(text: str) -> list[ImportRow]:
    rows = []
    try:
        cards = list(vobject.readComponents(text, ignoreUnreadable=True))
    except Exception as exc:
        raise Invalid(f"The file is not a readable vCard file: {exc}") from None
    cards = [card for card in cards if card.name.upper() == "VCARD"]
    if not cards:
        raise Invalid("The file is not a vCard file: it holds no BEGIN:VCARD ... END:VCARD card")
    for number, card in enumerate(cards, start=1):
        contents = card.contents
        name = _value(contents, "fn") or _name_from_n(contents)
        org = _value(contents, "org")
        if isinstance(org, list):
            org = " ".join(org)
        row = ImportRow(line=number, name=_clean_name(name or ""), organisation=org or None,
                        job_title=_value(contents, "title"), note=_value(contents, "note"))
        phones = []
        for tel in contents.get("tel", []):
            types = {t.lower() for t in tel.params.get("TYPE", [])}
            kind = ("mobile" if types & {"cell", "mobile"} else "office" if "work" in types
                    else "home" if "home" in types else "other")
            phones.append((kind, str(tel.value)))
        emails = [str(e.value) for e in contents.get("email", [])]
        _finish(row, phones, emails, _value(contents, "bday"))
        rows.append(row)
    return rows


def _value(contents: dict, key: str):
    items = contents.get(key)
    return items[0].value if items else None


def _name_from_n(contents: dict) -> str | None:
    n = _value(contents, "n")
    return f"{n.family}{n.given}".strip() if n else None


def _clean_name(name: str) -> str:
    return (re.sub(r"\s+", " ", name) if "  " in name or "\t" in name else name).strip()[:100]


def _finish(row: ImportRow, phones: list[tuple[str, str]], emails: list[str],
            birthday: str | None) -> None:
    """Normalise phones, emails and birthday; the first unusable value rejects the row."""
    try:
        seen = set()
        for kind, raw in phones:
            number = normalise_phone(raw)
            if number not in seen:
                seen.add(number)
                row.phones.append((kind, number))
        row.emails = list(dict.fromkeys(normalise_email(e) for e in emails))
    except InvalidValue as exc:
        row.error = str(exc)
        return
    if birthday:
        row.birthday = _parse_birthday(birthday)
    if not row.name and not row.organisation:
        row.error = "no name"
    elif not row.name:
        row.name = row.organisation or ""
    if not row.phones and not row.emails and not row.error:
        row.error = "no phone or email"


def _parse_birthday(text: str) -> date | None:
    """2024-08-15, 20240815, 2024/8/15; --0815 or 08-15 when the year is unknown (kept as 1904)."""
    digits = DIGITS.findall(text)
    no_year = NO_YEAR.fullmatch(text.strip())
    if no_year:
        digits = list(no_year.groups())
    try:
        if len(digits) >= 3 and len(digits[0]) == 4:
            return date(int(digits[0]), int(digits[1]), int(digits[2]))
        if len(digits) == 1 and len(digits[0]) == 8:
            return date(int(digits[0][:4]), int(digits[0][4:6]), int(digits[0][6:]))
        if len(digits) == 2:
            return date(1904, int(digits[-2]), int(digits[-1]))  # year unknown: a leap year
    except ValueError:
        return None
    return None
