"""Message templates (模板): per-language text with {placeholders}."""
from __future__ import annotations

from string import Formatter

DEFAULT_LANGUAGE = "zh"


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def pick_language(texts: dict[str, str], language: str | None) -> str:
    """The contact's language, else Chinese, else whatever the template has."""
    for lang in (language, DEFAULT_LANGUAGE):
        if lang and lang in texts:
            return texts[lang]
    return next(iter(texts.values()), "")


def render(texts: dict[str, str], language: str | None, values: dict[str, str]) -> str:
    """Fill the placeholders; an unknown placeholder renders empty rather than failing a send."""
    return pick_language(texts, language).format_map(_Blank(values))
