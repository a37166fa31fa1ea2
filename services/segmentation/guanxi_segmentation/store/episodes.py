"""At-risk episodes: `customer.at_risk` when a customer becomes at risk, `customer.recovered`
when they no longer are, each once per episode. An open episode is its score row's
`at_risk_since`, written in the same transaction as the events, so a recompute, a restart or a
redelivered event never publishes either again.

A run compares the stored start dates with the new flags (`since`, `change`: vectorised, as a
first run opens most of a million episodes) and builds the events' items apart (`items`, pure),
so that a full run can build them while the database writes the scores.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Select, select
from sqlmodel import Session

from guanxi_shared.db import plain_rows
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish_many

from .signals import only
from .tables import CustomerRef

CHUNK = 500


def owners_query(ids: list[str] | None = None) -> Select:
    return only(select(CustomerRef.id, CustomerRef.owner_id, CustomerRef.team_id),
                CustomerRef.id, ids)


def since(stored: np.ndarray, at_risk: np.ndarray, as_of: date) -> list:
    """Each scored customer's `at_risk_since`: kept while the episode stays open, `as_of` when
    it opens, None when not at risk. `stored` holds the stored dates (None: no open episode)."""
    out = np.full(len(at_risk), None, dtype=object)
    out[at_risk] = as_of
    kept = at_risk & (stored != None)  # noqa: E711 (elementwise)
    out[kept] = stored[kept]
    return out.tolist()


@dataclass
class Change:
    opened: list[int]  # rows of the scored columns whose episode opens
    ended: list[str]  # customers whose episode ends
    began: list[Any]  # when each ended episode began


def change(stored: np.ndarray, columns: dict[str, list]) -> Change:
    """Episodes that open or end among the scored customers (`stored` as for `since`). An open
    episode of a customer no longer scored (merged away) goes with its score row, quietly."""
    was_open = stored != None  # noqa: E711 (elementwise)
    now = np.asarray(columns["at_risk"], dtype=bool)
    ended = np.flatnonzero(was_open & ~now)
    ids = columns["customer_id"]
    return Change(np.flatnonzero(now & ~was_open).tolist(), [ids[i] for i in ended.tolist()],
                  stored[ended].tolist())


def opening(change: Change, columns: dict[str, list]) -> list[str] | None:
    """The customers whose episode opens, for `owners_query` (a night opens a few thousand
    among a million); None, every owner, where they are over a twentieth of the scored
    customers, as on a first run."""
    ids = columns["customer_id"]
    if len(change.opened) * 20 > len(ids):
        return None
    return [ids[i] for i in change.opened]


def items(change: Change, columns: dict[str, list], owners: list[tuple], as_of: date
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The items of `customer.at_risk` and of `customer.recovered`."""
    ids, reasons = columns["customer_id"], columns["at_risk_reasons"]
    by_id = {cid: (owner, team) for cid, owner, team in owners} if change.opened else {}
    day, nobody = as_of.isoformat(), (None, None)
    at_risk = [{"customer_id": cid, "owner_id": owner, "team_id": team,
                "reasons": reasons[i], "since": day}
               for i in change.opened for cid in (ids[i],)
               for owner, team in (by_id.get(cid, nobody),)]
    recovered = [{"customer_id": cid, "since": str(began)}
                 for cid, began in zip(change.ended, change.began, strict=True)]
    return at_risk, recovered


def publish(session: Session, at_risk: list[dict[str, Any]], recovered: list[dict[str, Any]],
            *, everyone: bool) -> None:
    batch = CHUNK if everyone else None
    if at_risk:
        publish_many(session=session, event_type=EventType.customer_at_risk, items=at_risk,
                     source="segmentation", batch_size=batch)
    if recovered:
        publish_many(session=session, event_type=EventType.customer_recovered,
                     items=recovered, source="segmentation", batch_size=batch)


def track(session: Session, stored: np.ndarray, columns: dict[str, list], as_of: date) -> None:
    """A few customers' episodes, after their score rows are written: both steps in a row."""
    found = change(stored, columns)
    opened = [columns["customer_id"][i] for i in found.opened]
    owners = plain_rows(session, owners_query(opened)) if opened else []
    publish(session, *items(found, columns, owners, as_of), everyone=False)
