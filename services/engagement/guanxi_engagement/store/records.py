"""One record at a time: load it or 404, add it, change it (each write commits)."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session

from guanxi_shared.db import get_or_404  # noqa: F401 (the stores load by id through it)
from guanxi_shared.errors import NotFound

Record = TypeVar("Record")


def first_or_404(session: Session, stmt, what: str, entity_id: str):
    """The first row of a statement already limited to what the caller may see, or 404."""
    entity = session.scalars(stmt).first()
    if entity is None:
        raise NotFound(f"{what} {entity_id} not found")
    return entity


def add(session: Session, entity: Record) -> Record:
    session.add(entity)
    session.commit()
    session.refresh(entity)
    return entity


def change(session: Session, entity: Record, changes: dict[str, Any]) -> Record:
    """Set the fields given, bump the version that feeds the ETag, and commit."""
    for key, value in changes.items():
        setattr(entity, key, value)
    entity.version += 1
    return add(session, entity)
