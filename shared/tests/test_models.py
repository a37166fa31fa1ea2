"""readable() and changeable(): the answer and PATCH shapes of an input family."""
from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import AfterValidator, ValidationError
from sqlmodel import Field, SQLModel

from guanxi_shared.models import changeable, readable

Code = Annotated[str, Field(max_length=4), AfterValidator(str.upper)]


class ThingBase(SQLModel):
    code: Code | None = None
    size: Literal["s", "m"] | None = None
    labels: list[Code] | None = Field(default=None, max_length=2)
    count: int | None = Field(default=None, ge=0, description="How many")


def test_every_field_is_required_of_its_plain_type_without_input_checks():
    thing = readable(ThingBase)
    assert thing.model_json_schema(mode="serialization") == {
        "title": "ThingBaseRead", "type": "object",
        "required": ["code", "size", "labels", "count"],
        "properties": {
            "code": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Code"},
            "size": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Size"},
            "labels": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                                 {"type": "null"}], "title": "Labels"},
            "count": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Count"}}}
    stored = thing(code="abcdef", size="xl", labels=["a", "b", "c"], count=-1)
    assert (stored.code, stored.size, stored.labels, stored.count) == (
        "abcdef", "xl", ["a", "b", "c"], -1)
    with pytest.raises(ValidationError):
        thing(code="a", size="s", labels=[])  # count left out


class ThingCreate(SQLModel):
    code: Code
    size: Literal["s", "m"] = "s"
    labels: list[Code] = Field(default_factory=list, max_length=2, description="Tags")


def test_changeable_fields_are_optional_with_the_create_checks_in_the_order_named():
    changes = changeable(ThingCreate, "labels", "code")
    assert list(changes.model_fields) == ["labels", "code"]
    assert changes().model_fields_set == set()
    assert changes(code="abc").code == "ABC"
    schema = changes.model_json_schema()["properties"]
    assert schema["labels"] == {"anyOf": [{"type": "array", "maxItems": 2,
                                           "items": {"type": "string", "maxLength": 4}},
                                          {"type": "null"}], "default": None, "title": "Labels"}
    with pytest.raises(ValidationError):
        changes(code="abcdef")
    with pytest.raises(ValidationError):
        changes(labels=["a", "b", "c"])
