"""At-risk episodes: `customer.at_risk` when a customer becomes at risk, `customer.recovered`
when they no longer are, each once per episode. The episode is a row, written in the same
transaction as the scores and the events, so a recompute, a restart or a redelivered event
never publishes either again."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, exists, literal, select, update
from sqlmodel import Session

from guanxi_shared.db import bulk_insert_columns, plain_rows
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish_many

from .tables import AtRiskEpisode, CustomerRef, CustomerScore

CHUNK = 500


def track_episodes(session: Session, columns: dict[str, list], as_of: date, *,
                   everyone: bool) -> tuple[int, int]:
    """Open and close episodes for the scored customers in `columns` (all of them when
    `everyone`: then an open episode of a customer no longer scored, merged away, is dropped
    quietly). Returns (opened, recovered)."""
    e = AtRiskEpisode.__table__.c
    ids = columns["customer_id"]
    flagged = {cid: reasons for cid, risky, reasons in zip(
        ids, columns["at_risk"], columns["at_risk_reasons"], strict=True) if risky}
    stmt = select(e.customer_id, e.recovered_on.is_(None))
    if not everyone:
        stmt = stmt.where(e.customer_id.in_(list(ids)))
    stored = dict(plain_rows(session, stmt))  # id -> still open
    open_ = {cid for cid, is_open in stored.items() if is_open}
    opened = [cid for cid in flagged if cid not in open_]
    scored = set(ids) if everyone else None
    ended = [cid for cid in open_ if cid not in flagged and (scored is None or cid in scored)]
    gone = [cid for cid in open_ if scored is not None and cid not in scored]
    # Only a customer with a stored (recovered) episode has a row to replace: on a first
    # recompute that opens tens of thousands of episodes there is none.
    for chunk in _chunks([cid for cid in opened if cid in stored] + gone):
        session.execute(delete(AtRiskEpisode).where(e.customer_id.in_(chunk)))
    if opened and everyone:
        _open_from_scores(session, as_of, first=not stored)
    elif opened:
        bulk_insert_columns(session, AtRiskEpisode.__table__, {
            "customer_id": opened, "since": [as_of] * len(opened),
            "reasons": [flagged[cid] for cid in opened], "recovered_on": [None] * len(opened)})
    if opened:
        publish_many(session=session, event_type=EventType.customer_at_risk,
                     items=_at_risk_items(session, opened, flagged, as_of),
                     source="segmentation", batch_size=CHUNK if everyone else None)
    if ended:
        since: dict[str, Any] = {}
        for chunk in _chunks(ended):
            since.update(session.connection().execute(
                select(e.customer_id, e.since).where(e.customer_id.in_(chunk))).tuples().all())
            session.execute(update(AtRiskEpisode).where(e.customer_id.in_(chunk))
                            .values(recovered_on=as_of))
        publish_many(session=session, event_type=EventType.customer_recovered,
                     items=[{"customer_id": cid, "since": str(since[cid])} for cid in ended],
                     source="segmentation", batch_size=CHUNK if everyone else None)
    return len(opened), len(ended)


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


def _at_risk_items(session: Session, opened: list[str], flagged: dict[str, list[str]],
                   as_of: date) -> list[dict[str, Any]]:
    owners: dict[str, tuple[str | None, str | None]] = {}
    query = select(CustomerRef.id, CustomerRef.owner_id, CustomerRef.team_id)
    # Many customers at once: one read of every reference beats hundreds of IN lists.
    for chunk in [None] if len(opened) > 10 * CHUNK else _chunks(opened):
        stmt = query if chunk is None else query.where(CustomerRef.id.in_(chunk))
        owners.update((cid, (owner, team)) for cid, owner, team in plain_rows(session, stmt))
    since, nobody = as_of.isoformat(), (None, None)
    return [{"customer_id": cid, "owner_id": owner, "team_id": team, "reasons": flagged[cid],
             "since": since} for cid in opened for owner, team in [owners.get(cid, nobody)]]
