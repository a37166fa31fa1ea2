"""The event-driven flows: thanks after a purchase and for a referral, asking for referrals,
follow-through on at-risk customers, MAN advice, complaints, goals reached and departures.

Each flow acts once per fact: `mark` claims the fact's key in flow_mark (INSERT ... ON CONFLICT
DO NOTHING) in the same transaction as the tasks and messages it creates, so an event
delivered twice, or a second event about the same fact, creates nothing more.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, select, true, update
from sqlmodel import Session

from guanxi_shared.db import local_today
from guanxi_shared.models import new_id, utcnow

from ..domain import flows as rules
from .audience import audience_filter
from .flow_tables import FlowMark, ReferralRef, RiskEpisode
from .policy import flow_policy
from .sql import insert_ignore
from .tables import Consent, ContactRef, CustomerRef, Message, PurchaseFact, Rule, Task
from .triggers import MESSAGE_CHANNELS

DEFAULT_GREETING_HOUR = 9


def install(app) -> None:
    """on_start hook: event handlers get the greeting hour through the session, as they get
    the timezone."""
    app.state.sessions.kw.setdefault("info", {})["greeting_hour"] = \
        app.state.settings.greeting_hour


def merge_customer(session: Session, *, old: str, new: str) -> None:
    """customer.merged: referrals and the at-risk episode follow the surviving customer."""
    session.execute(update(ReferralRef).where(ReferralRef.referrer_customer_id == old)
                    .values(referrer_customer_id=new))
    if session.get(ReferralRef, new) is None:
        session.execute(update(ReferralRef).where(ReferralRef.referred_customer_id == old)
                        .values(referred_customer_id=new))
    session.execute(delete(ReferralRef).where(ReferralRef.referred_customer_id == old))
    if session.get(RiskEpisode, new) is None:
        session.execute(update(RiskEpisode).where(RiskEpisode.customer_id == old)
                        .values(customer_id=new))
    session.execute(delete(RiskEpisode).where(RiskEpisode.customer_id == old))


def mark(session: Session, flow: str, key: str, customer_id: str) -> bool:
    """Claim a fact for a flow; False when it was acted on already."""
    stmt = insert_ignore(session, FlowMark.__table__).values(
        flow=flow, key=key[:100], customer_id=customer_id, created_at=utcnow()
    ).on_conflict_do_nothing()
    return session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount == 1


def add_task(session: Session, *, rule_id: str, subject_id: str, customer_id: str,
             assignee_id: str | None, kind: str, title: str, due_on: date,
             contact_id: str | None = None) -> str | None:
    """A task unless its occurrence (rule, subject, due day) exists; returns its id."""
    now, task_id = utcnow(), new_id()
    stmt = insert_ignore(session, Task.__table__).values(
        id=task_id, rule_id=rule_id, subject_id=subject_id, customer_id=customer_id,
        contact_id=contact_id, assignee_id=assignee_id, kind=kind, title=title[:300],
        due_on=due_on, status="open", version=1, created_at=now, updated_at=now
    ).on_conflict_do_nothing()
    done = session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount == 1
    return task_id if done else None


def add_messages(session: Session, *, rule_id: str, customer_id: str, contacts,
                 channel: str | None, kind: str, occasion: str, occurs_on: date,
                 send_after: datetime, template_id: str | None = None,
                 body: str | None = None) -> int:
    """One message per contact selected by `contacts` (a condition on contact_ref), in one
    INSERT ... SELECT; `channel` None picks each contact's channel by the policy."""
    co = ContactRef.__table__.c
    now = utcnow()
    ids = list(session.scalars(select(co.id).where(co.customer_id == customer_id, contacts)
                               .order_by(co.id)))
    if not ids:
        return 0
    picked = {cid: channel or _channel_for(session, cid) for cid in ids}
    created = 0
    for contact_id, chosen in picked.items():
        stmt = insert_ignore(session, Message.__table__).values(
            id=new_id(), rule_id=rule_id[:32], contact_id=contact_id, customer_id=customer_id,
            channel=chosen, kind=kind, occasion=occasion[:64], template_id=template_id,
            occurs_on=occurs_on, status="pending", body=body, send_after=send_after,
            created_at=now, updated_at=now).on_conflict_do_nothing()
        created += session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount
    return created


def _channel_for(session: Session, contact_id: str) -> str:
    contact = session.get(ContactRef, contact_id)
    refused = set(session.scalars(select(Consent.channel).where(
        Consent.contact_id == contact_id, Consent.granted.is_(False))))
    addresses = {"email": contact.email, "sms": contact.phone, "wechat": contact.wechat} \
        if contact else {}
    return rules.pick_channel(flow_policy(session).service_channels, addresses, refused)


def current_contacts():
    return ContactRef.__table__.c.left_on.is_(None)


def _matching_rules(session: Session, trigger: str, customer_id: str) -> list[Rule]:
    """Active rules of `trigger` whose audience includes the customer."""
    found = []
    for rule in session.scalars(select(Rule).where(Rule.trigger == trigger,
                                                   Rule.active == true()).order_by(Rule.id)):
        cu = CustomerRef.__table__.c
        if session.scalar(select(cu.id).where(cu.id == customer_id,
                                              audience_filter(session, rule.audience))):
            found.append(rule)
    return found


def _send_after(session: Session) -> datetime:
    return rules.greeting_send_after(utcnow(), session.info.get("timezone", "Asia/Shanghai"),
                                     session.info.get("greeting_hour", DEFAULT_GREETING_HOUR))


def _customer(session: Session, customer_id: str) -> CustomerRef | None:
    return session.get(CustomerRef, customer_id)


def _name(customer: CustomerRef | None, fallback: str) -> str:
    return customer.name if customer is not None and customer.name else fallback


# --- 4. Thanks that always go out -------------------------------------------------------------

def thank_purchase(session: Session, data: dict[str, Any]) -> None:
    """A purchase (not a refund) recorded lately: the purchase_thanks rules act on it once."""
    purchase = session.get(PurchaseFact, data["id"])
    if purchase is None or purchase.amount <= 0:
        return
    today = local_today(session)
    if not rules.is_recent(purchase.purchased_on, today, flow_policy(session).late_fact_days):
        return
    thanks = _matching_rules(session, "purchase_thanks", purchase.customer_id)
    if thanks and mark(session, "purchase_thanks", purchase.id, purchase.customer_id):
        for rule in thanks:
            if rule.channel in MESSAGE_CHANNELS:
                add_messages(session, rule_id=rule.id, customer_id=purchase.customer_id,
                             contacts=current_contacts(), channel=rule.channel, kind=rule.kind,
                             occasion=rule.occasion or "purchase_thanks",
                             occurs_on=purchase.purchased_on, send_after=_send_after(session),
                             template_id=rule.template_id)
            else:
                customer = _customer(session, purchase.customer_id)
                add_task(session, rule_id=rule.id, subject_id=purchase.id,
                         customer_id=purchase.customer_id,
                         assignee_id=customer.owner_id if customer else None, kind=rule.channel,
                         title=f"{rule.name}: {purchase.amount} {purchase.currency} on "
                               f"{purchase.purchased_on}", due_on=today)
    referral = session.get(ReferralRef, purchase.customer_id)
    if referral is None and data.get("referrer_customer_id"):
        referral = ReferralRef(referred_customer_id=purchase.customer_id,
                               referrer_customer_id=data["referrer_customer_id"])
    if referral is not None:
        thank_referrer(session, referral)


def _first_purchase(session: Session, customer_id: str) -> PurchaseFact | None:
    return session.scalars(select(PurchaseFact).where(
        PurchaseFact.customer_id == customer_id, PurchaseFact.amount > 0)
        .order_by(PurchaseFact.purchased_on, PurchaseFact.created_at, PurchaseFact.id)
        .limit(1)).first()


def thank_referrer(session: Session, referral: ReferralRef) -> None:
    """The referred customer's first purchase thanks the referrer, once per referred customer:
    the referrer_thanks rules' messages and tasks, and a call task for the referrer's owner
    when no rule gave a task."""
    first = _first_purchase(session, referral.referred_customer_id)
    today = local_today(session)
    if first is None or not rules.is_recent(first.purchased_on, today,
                                            flow_policy(session).late_fact_days):
        return
    referrer_id = referral.referrer_customer_id
    if not mark(session, "referrer_thanks", referral.referred_customer_id, referrer_id):
        return
    referrer, referred = _customer(session, referrer_id), _customer(
        session, referral.referred_customer_id)
    referred_name = _name(referred, referral.referred_customer_id)
    person = session.get(ContactRef, referral.referrer_contact_id) \
        if referral.referrer_contact_id else None
    if person is not None and (person.customer_id != referrer_id or person.left_on):
        person = None
    co = ContactRef.__table__.c
    contacts = co.id == person.id if person is not None else current_contacts()
    owner = referrer.owner_id if referrer else None
    tasked = False
    for rule in _matching_rules(session, "referrer_thanks", referrer_id):
        if rule.channel in MESSAGE_CHANNELS:
            add_messages(session, rule_id=rule.id, customer_id=referrer_id, contacts=contacts,
                         channel=rule.channel, kind=rule.kind,
                         occasion=rule.occasion or "referrer_thanks", occurs_on=first.purchased_on,
                         send_after=_send_after(session), template_id=rule.template_id)
        else:
            tasked |= add_task(session, rule_id=rule.id, subject_id=referral.referred_customer_id,
                               customer_id=referrer_id, assignee_id=owner, kind=rule.channel,
                               contact_id=person.id if person else None,
                               title=f"{rule.name}: {referred_name}", due_on=today) is not None
    if not tasked:
        who = person.name if person is not None else _name(referrer, referrer_id)
        add_task(session, rule_id=rules.REFERRER_THANKS, subject_id=referral.referred_customer_id,
                 customer_id=referrer_id, assignee_id=owner, kind="call",
                 contact_id=person.id if person else None,
                 title=f"Thank {who} for referring {referred_name} (first purchase "
                       f"{first.purchased_on})", due_on=today)


def record_referral(session: Session, data: dict[str, Any]) -> None:
    """Keep who referred whom; a referred customer who has bought already thanks now."""
    referral = ReferralRef(referred_customer_id=data["referred_customer_id"],
                           referrer_customer_id=data["referrer_customer_id"],
                           referrer_contact_id=data.get("referrer_contact_id"))
    session.merge(referral)
    session.flush()
    thank_referrer(session, referral)


# --- 5. Asking for referrals ------------------------------------------------------------------

def ask_for_referrals(session: Session, customer_id: str, reason: str) -> None:
    """A task for the owner to ask for introductions, at most once per customer per period."""
    policy, now = flow_policy(session), utcnow()
    since = now - timedelta(days=policy.referral_ask_every_days)
    recent = session.scalar(select(func.count()).select_from(FlowMark).where(
        FlowMark.flow == "referral_ask", FlowMark.customer_id == customer_id,
        FlowMark.created_at > since))
    today = local_today(session)
    if recent or not mark(session, "referral_ask", f"{customer_id}:{today}", customer_id):
        return
    customer = _customer(session, customer_id)
    add_task(session, rule_id=rules.REFERRAL_ASK, subject_id=customer_id,
             customer_id=customer_id, assignee_id=customer.owner_id if customer else None,
             kind="call", title=f"Ask {_name(customer, customer_id)} for introductions "
                                f"(转介绍): {reason}", due_on=today)


def on_satisfaction(session: Session, data: dict[str, Any]) -> None:
    index = rules.satisfaction_index(data.get("expected"), data.get("experienced"))
    if index is not None and index >= rules.SATISFIED_FROM:
        ask_for_referrals(session, data["customer_id"],
                          f"satisfaction {index.quantize(1)} on {data.get('scored_on')}")


# --- 6. Follow-through: at risk ---------------------------------------------------------------

def at_risk(session: Session, *, customer_id: str, reasons: list[str], since: date | None,
            source: str, owner_id: str | None = None) -> None:
    """Open an at-risk episode with a revisit task naming the reasons, once per episode.

    segment.changed (source 'segment') and customer.at_risk (source 'retention') may both
    report one episode: the second finds it open, adds its reasons to the task and, if it is
    retention's, takes the episode over (only customer.recovered closes it then)."""
    episode = session.get(RiskEpisode, customer_id)
    since = since or local_today(session)
    if episode is not None and episode.open:
        merged = list(dict.fromkeys([*episode.reasons, *reasons]))
        if source == "retention" and episode.source == "segment":
            episode.source, episode.since = "retention", since
        if merged != episode.reasons:
            episode.reasons = merged
            _retitle(session, episode)
        episode.updated_at = utcnow()
        session.add(episode)
        return
    if episode is not None and source == "retention" and episode.source == "retention" \
            and episode.since == since:
        return  # this episode is over; an old event about it starts nothing
    customer = _customer(session, customer_id)
    policy = flow_policy(session)
    task_id = add_task(session, rule_id=rules.AT_RISK, subject_id=customer_id,
                       customer_id=customer_id,
                       assignee_id=owner_id or (customer.owner_id if customer else None),
                       kind="call", title=rules.at_risk_title(_name(customer, customer_id),
                                                              reasons),
                       due_on=local_today(session) + timedelta(days=policy.revisit_due_days))
    episode = episode or RiskEpisode(customer_id=customer_id, since=since, source=source)
    episode.since, episode.source, episode.open = since, source, True
    episode.reasons, episode.task_id, episode.updated_at = list(reasons), task_id, utcnow()
    session.add(episode)


def _retitle(session: Session, episode: RiskEpisode) -> None:
    if episode.task_id is None:
        return
    customer = _customer(session, episode.customer_id)
    session.execute(update(Task).where(Task.id == episode.task_id, Task.status == "open")
                    .values(title=rules.at_risk_title(_name(customer, episode.customer_id),
                                                      episode.reasons),
                            version=Task.version + 1, updated_at=utcnow()))


def recovered(session: Session, *, customer_id: str, source: str) -> None:
    """The episode ends; segment.changed ends only an episode it opened. One UPDATE: a full
    rescoring sends this for most customers."""
    stmt = update(RiskEpisode).where(RiskEpisode.customer_id == customer_id,
                                     RiskEpisode.open == true())
    if source == "segment":
        stmt = stmt.where(RiskEpisode.source == "segment")
    session.execute(stmt.values(open=False, updated_at=utcnow()))


def on_segment_changed(session: Session, data: dict[str, Any]) -> None:
    if "at_risk" not in data:
        return
    if data["at_risk"]:
        at_risk(session, customer_id=data["customer_id"],
                reasons=list(data.get("at_risk_reasons") or []), since=None, source="segment")
    else:
        recovered(session, customer_id=data["customer_id"], source="segment")


# --- 6. Follow-through: MAN advice ------------------------------------------------------------

CLOSED_STAGES = ("won", "lost")


def on_qualified(session: Session, data: dict[str, Any]) -> None:
    """The tasks of the opportunity's MAN recommendation, once per recommendation; open tasks
    of an earlier recommendation are closed as superseded."""
    if data.get("stage") in CLOSED_STAGES:
        return
    opp_id, advice = data["id"], data.get("recommended_action")
    if advice not in rules.RECOMMENDATIONS:
        return
    _close_man_tasks(session, opp_id, f"Superseded: the MAN advice is now {advice}",
                     keep=rules.MAN_PREFIX + advice)
    if not mark(session, "man", f"{opp_id}:{advice}", data["customer_id"]):
        return
    customer = _customer(session, data["customer_id"])
    owner = data.get("owner_id") or (customer.owner_id if customer else None)
    policy = flow_policy(session)
    for task in rules.man_tasks(recommendation=advice, title=data.get("title") or opp_id,
                                today=local_today(session),
                                nurture_every_days=policy.nurture_every_days,
                                nurture_touches=policy.nurture_touches):
        add_task(session, rule_id=rules.MAN_PREFIX + advice, subject_id=opp_id,
                 customer_id=data["customer_id"], assignee_id=owner, kind=task.kind,
                 title=task.title, due_on=task.due_on)


def _close_man_tasks(session: Session, opp_id: str, outcome: str, keep: str | None = None):
    condition = and_(Task.subject_id == opp_id, Task.rule_id.startswith(rules.MAN_PREFIX),
                     Task.status == "open")
    if keep is not None:
        condition = and_(condition, Task.rule_id != keep)
    session.execute(update(Task).where(condition).values(
        status="done", outcome=outcome, version=Task.version + 1, updated_at=utcnow()))


def on_opportunity_closed(session: Session, data: dict[str, Any], outcome: str) -> None:
    _close_man_tasks(session, data["id"], f"No longer needed: the opportunity was {outcome}")
    if outcome == "won":
        ask_for_referrals(session, data["customer_id"],
                          f"won {data.get('title') or data['id']}")


# --- 6. Follow-through: complaints and goals --------------------------------------------------

def on_complaint_progress(session: Session, data: dict[str, Any]) -> None:
    """Each step the customer is told about (received, assigned, next step, resolved, closed
    with the satisfaction ask) reaches the complaining contact as a service message, in
    needs' words; consent and quiet hours apply at sending."""
    contact_id, step = data.get("contact_id"), data.get("step") or "next_step"
    if not contact_id or session.get(ContactRef, contact_id) is None:
        return
    if not mark(session, "complaint", str(data["notice_id"]), data["customer_id"]):
        return
    co = ContactRef.__table__.c
    add_messages(session, rule_id=f"complaint:{data['notice_id']}",
                 customer_id=data["customer_id"], contacts=co.id == contact_id, channel=None,
                 kind="service", occasion=f"complaint_{step}", occurs_on=local_today(session),
                 send_after=utcnow(), body=(data.get("text") or step)[:4000])


def on_goal_reached(session: Session, data: dict[str, Any]) -> None:
    """A goal reached (a stage of a staged one, too) is reported to the customer's decision
    makers, or to every current contact when none is known."""
    if not mark(session, "goal_report", data["id"], data["customer_id"]):
        return
    co = ContactRef.__table__.c
    deciders = and_(current_contacts(), co.role == "decision_maker")
    has_deciders = session.scalar(select(exists().where(co.customer_id == data["customer_id"],
                                                        deciders)))
    add_messages(session, rule_id=f"goal:{data['id']}", customer_id=data["customer_id"],
                 contacts=deciders if has_deciders else current_contacts(), channel=None,
                 kind="service", occasion="goal_reached", occurs_on=local_today(session),
                 send_after=utcnow(),
                 body=rules.goal_report(goal=data.get("goal") or "", goal_kind=data.get(
                     "goal_kind") or "", stage_no=data.get("stage_no"),
                     reached_on=str(data.get("reached_on") or ""), result=data.get("result")))


# --- 6. Follow-through: a contact who leaves --------------------------------------------------

def on_contact_left(session: Session, data: dict[str, Any]) -> None:
    """A contact who left lately: keep in touch at the new company (送一程) and find the
    successor, two tasks for the customer's owner, once per departure."""
    left_on = data.get("left_on")
    if not left_on:
        return
    left = date.fromisoformat(str(left_on))
    today = local_today(session)
    if not rules.is_recent(left, today, flow_policy(session).late_fact_days):
        return
    customer_id = data["customer_id"]
    if not mark(session, "contact_left", f"{data['id']}:{left.isoformat()}", customer_id):
        return
    customer = _customer(session, customer_id)
    keep, successor = rules.departure_titles(
        contact=data.get("name") or data["id"], customer=_name(customer, customer_id),
        went_to=data.get("went_to"), role=data.get("role"), job_title=data.get("job_title"))
    owner = customer.owner_id if customer else None
    add_task(session, rule_id=rules.KEEP_IN_TOUCH, subject_id=data["id"], customer_id=customer_id,
             contact_id=data["id"], assignee_id=owner, kind="call", title=keep, due_on=today)
    add_task(session, rule_id=rules.FIND_SUCCESSOR, subject_id=data["id"],
             customer_id=customer_id, assignee_id=owner, kind="call", title=successor,
             due_on=today)
