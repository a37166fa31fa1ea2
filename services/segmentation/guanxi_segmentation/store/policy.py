"""The company's scoring policy: one versioned row, edited through /v1/policies (read by
`scoring.policy`)."""
from __future__ import annotations

from sqlmodel import Session

from ..schemas.policy import PolicySettings
from .tables import Policy


def version(session: Session) -> int:
    """The policy's version (0 before it was ever edited), for the ETag."""
    row = session.get(Policy, 1)
    return row.version if row else 0


def replace(*, session: Session, settings: PolicySettings) -> int:
    """Store new settings, used from the next recompute; returns the new version."""
    row = session.get(Policy, 1) or Policy(id=1, version=0)
    row.settings = settings.model_dump(mode="json")
    row.version += 1
    session.add(row)
    session.commit()
    return row.version
