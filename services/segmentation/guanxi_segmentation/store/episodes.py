"""At-risk episodes: `customer.at_risk` when a customer becomes at risk, `customer.recovered`
when they no longer are, each once per episode. The episode is a row, written in the same
transaction as the scores and the events, so a recompute, a restart or a redelivered event
never publishes either again.

A run works in three steps: `plan` compares the new flags with the stored episodes (pure),
`write` stores the change, and `items` builds the events' items (pure), so that a full run
can build a million items while the database writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, delete, exists, literal, select, update
from sqlmodel import Session

from guanxi_shared.db import bulk_insert_columns, indexes_built_after, plain_rows
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish_many

from .tables import AtRiskEpisode, CustomerRef, CustomerScore

CHUNK = 500


def stored_query(ids: list[str] | None = None) -> Select:
    """Each stored episode: customer, since, still open."""
    e = AtRiskEpisode.__table__.c
    stmt = select(e.customer_id, e.since, e.recovered_on.is_(None))
    return stmt if ids is None else stmt.where(e.customer_id.in_(ids))


def owners_query(ids: list[str] | None = None) -> Select:
    stmt = select(CustomerRef.id, CustomerRef.owner_id, CustomerRef.team_id)
    return stmt if ids is None else stmt.where(CustomerRef.id.in_(ids))


@dataclass
class Plan:
    flagged: dict[str, list[str]]  # at-risk customer -> reasons
    opened: list[str]
    ended: list[str]
    since: dict[str, Any]  # when each ended episode began
    replaced: list[str]  # stored rows to delete: a recovered episode reopening, or merged away
    first: bool  # no episode stored at all


def plan(columns: dict[str, list], stored: list[tuple], *, everyone: bool) -> Plan:
    """What changes for the scored customers in `columns` (all of them when `everyone`: then
    an open episode of a customer no longer scored, merged away, is dropped quietly)."""
    ids = columns["customer_id"]
    flagged = {cid: reasons for cid, risky, reasons in zip(
        ids, columns["at_risk"], columns["at_risk_reasons"], strict=True) if risky}
    since = {cid: began for cid, began, _ in stored}
    open_ = {cid for cid, _, is_open in stored if is_open}
    opened = [cid for cid in flagged if cid not in open_]
    scored = set(ids) if everyone else None
    ended = [cid for cid in open_ if cid not in flagged and (scored is None or cid in scored)]
    gone = [cid for cid in open_ if scored is not None and cid not in scored]
    # Only a customer with a stored (recovered) episode has a row to replace: on a first
    # recompute that opens tens of thousands of episodes there is none.
    return Plan(flagged, opened, ended, {cid: since[cid] for cid in ended},
                [cid for cid in opened if cid in since] + gone, first=not stored)


def write(session: Session, plan: Plan, as_of: date, *, everyone: bool) -> None:
    e = AtRiskEpisode.__table__.c
    for chunk in _chunks(plan.replaced):
        session.execute(delete(AtRiskEpisode).where(e.customer_id.in_(chunk)))
    if plan.opened and everyone and plan.first:
        with indexes_built_after(session, AtRiskEpisode.__table__):
            _open_from_scores(session, as_of, first=True)
    elif plan.opened and everyone:
        _open_from_scores(session, as_of, first=False)
    elif plan.opened:
        bulk_insert_columns(session, AtRiskEpisode.__table__, {
            "customer_id": plan.opened, "since": [as_of] * len(plan.opened),
            "reasons": [plan.flagged[cid] for cid in plan.opened],
            "recovered_on": [None] * len(plan.opened)})
    for chunk in _chunks(plan.ended):
        session.execute(update(AtRiskEpisode).where(e.customer_id.in_(chunk))
                        .values(recovered_on=as_of))


def items(plan: Plan, owners: list[tuple], as_of: date
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The items of `customer.at_risk` and of `customer.recovered`."""
    by_id = {cid: (owner, team) for cid, owner, team in owners} if plan.opened else {}
    since, nobody = as_of.isoformat(), (None, None)
    at_risk = [{"customer_id": cid, "owner_id": owner, "team_id": team,
                "reasons": plan.flagged[cid], "since": since}
               for cid in plan.opened for owner, team in [by_id.get(cid, nobody)]]
    recovered = [{"customer_id": cid, "since": str(plan.since[cid])} for cid in plan.ended]
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


def track(session: Session, columns: dict[str, list], as_of: date) -> None:
    """One customer's (or a few customers') episodes, all steps in a row."""
    ids = list(columns["customer_id"])
    change = plan(columns, plain_rows(session, stored_query(ids)), everyone=False)
    write(session, change, as_of, everyone=False)
    owners = plain_rows(session, owners_query(change.opened)) if change.opened else []
    publish(session, *items(change, owners, as_of), everyone=False)


def _open_from_scores(session: Session, as_of: date, *, first: bool) -> None:
    """After a full run has written every score: an episode for each at-risk customer with
    none, its reasons copied inside the database (on a first run, most of a million, and
    no anti-join: planned against a table analysed while empty, it became a nested loop
    rescanning the rows it was inserting, minutes long)."""
    e, s = AtRiskEpisode.__table__, CustomerScore.__table__.c
    none_yet = s.at_risk if first else s.at_risk & ~exists().where(
        e.c.customer_id == s.customer_id)
    session.execute(e.insert().from_select(
        ["customer_id", "since", "reasons", "recovered_on"],
        select(s.customer_id, literal(as_of, e.c.since.type), s.at_risk_reasons,
               literal(None, e.c.recovered_on.type)).where(none_yet)))


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
