"""Message templates (模板): per-language text with {placeholders}."""
from __future__ import annotations

from string import Formatter
from typing import Any

DEFAULT_LANGUAGE = "zh"
# What a template may quote. {note} is a life event's note; {product.*} quote the product the
# template names (its USP, and the pitch: the USP with the FFAB sheet, as needs composes it).
CONTACT_PLACEHOLDERS = ("name", "customer", "occasion", "date", "note")
PRODUCT_PLACEHOLDERS = ("product.name", "product.line", "product.usp", "product.pitch")
PLACEHOLDERS = CONTACT_PLACEHOLDERS + PRODUCT_PLACEHOLDERS


class _Values(Formatter):
    """Looks a field up by its whole name ("product.pitch"); an unknown one renders empty."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[str, str]:
        return kwargs.get(field_name, ""), field_name


def placeholders(text: str) -> set[str]:
    """The fields a text quotes; ValueError when a brace is left open or unmatched."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def template_problems(texts: dict[str, str]) -> list[str]:
    """Why these texts cannot be a template: malformed braces or unknown placeholders."""
    problems = []
    for lang, text in texts.items():
        try:
            _Values().vformat(text, (), dict.fromkeys(PLACEHOLDERS, ""))  # a trial render
            unknown = sorted(placeholders(text) - set(PLACEHOLDERS))
        except ValueError as exc:  # an open brace, a bad conversion (!x) or format spec
            problems.append(f"{lang}: {exc}")
            continue
        if unknown:
            problems.append(f"{lang}: unknown placeholder {', '.join(f'{{{u}}}' for u in unknown)}"
                            f"; known: {', '.join(f'{{{p}}}' for p in PLACEHOLDERS)}")
    return problems


def quotes_product(texts: dict[str, str]) -> bool:
    return any(placeholders(t) & set(PRODUCT_PLACEHOLDERS) for t in texts.values())


def pick_language(texts: dict[str, str], language: str | None) -> str:
    """The contact's language, else Chinese, else whatever the template has."""
    for lang in (language, DEFAULT_LANGUAGE):
        if lang and lang in texts:
            return texts[lang]
    return next(iter(texts.values()), "")


def render(texts: dict[str, str], language: str | None, values: dict[str, str]) -> str:
    """Fill the placeholders; one a template saved before the checks rendered empty rather than
    failing a send."""
    return _Values().vformat(pick_language(texts, language), (), values)
