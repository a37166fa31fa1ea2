"""Normalised phones (E.164, +86 by default), emails and names: the keys duplicates share."""
from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_REGION = "CN"
COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
                    "co., ltd.", "co.,ltd.", "co. ltd", "co ltd", "ltd.", "ltd", "inc.", "inc",
                    "limited", "llc", "corp.", "corp")


class InvalidValue(ValueError):
    """A phone or email that cannot be normalised; the message says why."""


CN_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """'138 0013 8000' -> '+8613800138000'; raises InvalidValue for impossible numbers."""
    text = raw.strip()
    mobile = CN_MOBILE.match(re.sub(r"[\s\-()]", "", text))
    if mobile and region == "CN":  # the common case, without the cost of a full parse
        return "+86" + mobile.group(1)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(f"'{raw}' is not a phone number") from exc
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise InvalidValue(f"'{raw}' is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


PLAIN_EMAIL = re.compile(r"^[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,24}$")


def normalise_email(raw: str) -> str:
    """Lower-cased; plain ASCII addresses skip the full (slow) RFC and IDNA validation."""
    text = raw.strip().lower()
    if PLAIN_EMAIL.match(text) and ".." not in text:
        return text
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidValue(f"'{raw}' is not a valid email address: {exc}") from exc
    return result.normalized.lower()


NAME_NOISE = re.compile(r"[\s\(\)（）\[\]【】·.,，、'\"-]+")
SUFFIX = re.compile("(.+?)(?:" + "|".join(
    re.escape(NAME_NOISE.sub("", s)) for s in COMPANY_SUFFIXES) + ")$")


def fold(text: str) -> str:
    """Lower case and NFKC width folding (全角 -> 半角), skipped when already normal."""
    text = text.lower()
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def name_key(name: str) -> str:
    """A name reduced for 'similar names': case, width, spaces, punctuation, company suffixes."""
    text = NAME_NOISE.sub("", fold(name))
    match = SUFFIX.match(text)
    return match.group(1) if match else text


def search_text(*parts: str | None) -> str:
    """What full-text search looks in: each distinct part once, lower-cased and width-folded.

    Phones are stored in E.164, so a search for the bare digits still finds them as a substring.
    """
    return " | ".join(dict.fromkeys(fold(p) for p in dict.fromkeys(parts) if p))[:20000]
