"""Types shared by the needs schemas."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=32)]
UserId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Score = Annotated[int, Field(ge=1, le=5)]
