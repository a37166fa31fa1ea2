"""The outbox, its dispatcher against a mock subscriber, and the idempotent consumer."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from guanxi_shared.event_types import EventType
from guanxi_shared.events import (
    Dispatcher,
    Event,
    OutboxDelivery,
    OutboxEvent,
    ProcessedEvent,
    apply_events,
    publish,
    publish_many,
)
from guanxi_shared.models import new_id, utcnow
from guanxi_testing.fixtures import assert_problem, auth


def touch(customer_id: str) -> dict:
    return {"customer_id": customer_id, "kind": "call", "at": "2026-12-01T09:00:00+00:00",
            "source_id": f"task-{customer_id}"}


def test_publish_writes_one_event_and_one_delivery_per_subscriber(sessions):
    with sessions() as session:
        eid = publish(session=session, event_type=EventType.touch_recorded,
                      data=touch("c1"), source="engagement")
        session.commit()
    with sessions() as session:
        event = session.get(OutboxEvent, eid)
        assert event.event_type == "touch.recorded"
        assert event.payload["data"] == touch("c1")
        assert event.payload["source"] == "engagement"
        rows = session.execute(select(OutboxDelivery.subscriber, OutboxDelivery.ordering)
                               .order_by(OutboxDelivery.subscriber)).all()
    # the customer's first event from this publisher is its number 1
    assert rows == [("alpha", [{"key": "c1", "seq": 1}]), ("beta", [{"key": "c1", "seq": 1}])]


def test_a_plain_string_or_a_wrong_payload_raises_before_anything_is_written(sessions):
    with sessions() as session:
        publish(session=session, event_type=EventType.customer_erased, data={"customer_id": "c1"})
        with pytest.raises(TypeError, match=r"customer\.erased"):
            publish(session=session, event_type="customer.erased", data={"customer_id": "c1"})
        with pytest.raises(ValueError, match="customer_id"):
            publish(session=session, event_type=EventType.customer_erased, data={"id": "c1"})
        with pytest.raises(ValueError, match="kind"):
            publish_many(session=session, event_type=EventType.touch_recorded, batch_size=10,
                         items=[{"customer_id": "c1", "at": "2026-12-01T09:00:00Z",
                                 "source_id": "t1", "kind": "dance"}])
        session.commit()
    with sessions() as session:
        assert session.scalars(select(OutboxEvent.event_type)).all() == ["customer.erased"]


def test_publish_many_in_batches_numbers_each_customer_in_order(sessions):
    with sessions() as session:
        ids = publish_many(session=session, event_type=EventType.touch_recorded, batch_size=2,
                           items=[touch("c1"), touch("c2"), touch("c1")])
        session.commit()
    assert len(ids) == 2  # two batch events for three items
    with sessions() as session:
        types = set(session.scalars(select(OutboxEvent.event_type)))
        orderings = session.scalars(select(OutboxDelivery.ordering)
                                    .where(OutboxDelivery.subscriber == "alpha")
                                    .order_by(OutboxDelivery.seq)).all()
    assert types == {"batch:touch.recorded"}
    assert orderings == [[{"key": "c1", "seq": 1}, {"key": "c2", "seq": 1}],
                         [{"key": "c1", "seq": 2}]]


def test_a_stream_type_takes_one_number_per_event_whatever_customers_it_names(sessions):
    with sessions() as session:
        publish_many(session=session, event_type=EventType.segment_changed, batch_size=2,
                     items=[{"customer_id": c, "at_risk": False} for c in ("c1", "c2", "c3")])
        publish(session=session, event_type=EventType.customer_at_risk,
                data={"customer_id": "c1", "reasons": ["neglected"], "since": "2026-12-01"})
        publish(session=session, event_type=EventType.touch_recorded, data=touch("c1"))
        session.commit()
    with sessions() as session:
        orderings = session.scalars(select(OutboxDelivery.ordering)
                                    .where(OutboxDelivery.subscriber == "alpha")
                                    .order_by(OutboxDelivery.seq)).all()
    assert orderings == [[{"key": "stream:scores", "seq": 1}],  # c1 and c2
                         [{"key": "stream:scores", "seq": 2}],  # c3
                         [{"key": "stream:scores", "seq": 3}],  # another type of the stream
                         [{"key": "c1", "seq": 1}]]  # not in the stream: per customer


class Subscriber:
    """A mock subscriber that fails its first `fail` requests."""

    def __init__(self, fail: int = 0):
        self.fail, self.received = fail, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.fail:
            self.fail -= 1
            return httpx.Response(503, text="down for maintenance")
        self.received.append(request)
        return httpx.Response(200, json={"applied": 1})


def dispatcher(sessions, subscriber: Subscriber) -> Dispatcher:
    d = Dispatcher(sessions=sessions, subscribers={"alpha": "http://alpha"}, service="test",
                   secret="s" * 32, interval=0.1, batch_size=2, timeout=1.0)
    d.client = httpx.Client(transport=httpx.MockTransport(subscriber))
    return d


def queue(sessions, count: int) -> list[str]:
    with sessions() as session:
        ids = publish_many(session=session, event_type=EventType.customer_erased,
                           items=[{"customer_id": f"c{i}"} for i in range(count)])
        session.commit()
    return ids


def test_the_dispatcher_delivers_in_order_in_batches_with_a_service_token(sessions):
    ids = queue(sessions, 3)
    subscriber = Subscriber()
    d = dispatcher(sessions, subscriber)
    assert d.deliver_batch("alpha", "http://alpha") == 2
    assert d.deliver_batch("alpha", "http://alpha") == 1
    assert d.deliver_batch("alpha", "http://alpha") == 0
    sent = [e["id"] for r in subscriber.received for e in __import__("json").loads(
        r.content)["events"]]
    assert sent == ids
    assert all(r.url.path == "/v1/events" and r.headers["authorization"].startswith("Bearer ")
               for r in subscriber.received)
    with sessions() as session:
        pending = session.scalar(select(func.count()).where(
            OutboxDelivery.subscriber == "alpha", OutboxDelivery.delivered_at.is_(None)))
        beta = session.scalar(select(func.count()).where(OutboxDelivery.subscriber == "beta",
                                                         OutboxDelivery.delivered_at.is_(None)))
    assert pending == 0 and beta == 3  # beta is owed its own copies


def test_a_failed_delivery_is_kept_counted_and_retried_after_a_backoff(sessions):
    queue(sessions, 1)
    subscriber = Subscriber(fail=2)
    d = dispatcher(sessions, subscriber)
    d.deliver_batch("alpha", "http://alpha")
    first_wait = d._retry_at["alpha"]
    d.deliver_batch("alpha", "http://alpha")
    assert d._retry_at["alpha"] > first_wait  # the second failure waits longer
    with sessions() as session:
        row = session.scalars(select(OutboxDelivery).where(OutboxDelivery.subscriber == "alpha"))\
            .one()
        assert row.delivered_at is None and row.attempts == 2
        assert row.last_error.startswith("HTTP 503: down for maintenance")
    d.deliver_batch("alpha", "http://alpha")
    assert "alpha" not in d._retry_at and len(subscriber.received) == 1
    with sessions() as session:
        row = session.scalars(select(OutboxDelivery).where(OutboxDelivery.subscriber == "alpha"))\
            .one()
        assert row.delivered_at is not None and row.attempts == 3
        # the event carried its attempt number, so a consumer can dead-letter a poison event
    assert __import__("json").loads(subscriber.received[0].content)["events"][0]["attempt"] == 3


def test_a_subscriber_that_cannot_be_reached_is_a_failure_too(sessions):
    queue(sessions, 1)

    def unreachable(request):
        raise httpx.ConnectError("connection refused")

    d = dispatcher(sessions, Subscriber())
    d.client = httpx.Client(transport=httpx.MockTransport(unreachable))
    d.deliver_batch("alpha", "http://alpha")
    with sessions() as session:
        row = session.scalars(select(OutboxDelivery).where(OutboxDelivery.subscriber == "alpha"))\
            .one()
    assert row.delivered_at is None and row.last_error.startswith("ConnectError")


def event(type_: str = "customer.erased", event_id: str | None = None, **data) -> Event:
    return Event(id=event_id or new_id(), type=type_, source="registry",
                 occurred_at=utcnow(), data=data or {"customer_id": "c1"})


def test_the_same_event_applies_once(sessions):
    applied = []
    handlers = {"customer.erased": lambda session, e: applied.append(e.data["customer_id"])}
    first = event(customer_id="c7")
    result = apply_events(sessions, [first], handlers)
    assert (result.applied, result.duplicates) == (1, 0)
    again = apply_events(sessions, [first, first], handlers)
    assert (again.applied, again.duplicates) == (0, 2)
    assert applied == ["c7"]


def test_a_known_type_without_a_handler_is_acknowledged_as_not_for_me(sessions):
    result = apply_events(sessions, [event("touch.recorded")], {})
    assert (result.applied, result.ignored) == (0, 1)
    with sessions() as session:
        assert session.scalars(select(ProcessedEvent.status)).all() == ["ignored"]


def test_a_failing_handler_rolls_back_the_batch_until_its_last_attempt(sessions):
    def boom(session, e):
        raise RuntimeError("handler broke")

    with pytest.raises(RuntimeError):
        apply_events(sessions, [event()], {"customer.erased": boom})
    last = event().model_copy(update={"attempt": 10})
    result = apply_events(sessions, [last], {"customer.erased": boom})
    assert result.dead_lettered == 1
    with sessions() as session:
        assert session.scalars(select(ProcessedEvent.status)).all() == ["failed"]


def test_the_endpoint_refuses_an_unknown_type_and_applies_nothing(make_client, sessions):
    applied = []
    with make_client({"customer.erased": lambda s, e: applied.append(e.id)}) as client:
        good = event().model_dump(mode="json")
        typo = event("customer.erasd").model_dump(mode="json")
        body = assert_problem(client.post("/v1/events", json={"events": [good, typo]}), 422)
        assert "customer.erasd" in body["detail"]
        assert applied == []
        resp = client.post("/v1/events", json={"events": [good]})
        assert resp.status_code == 200 and resp.json()["applied"] == 1
        batch = event("batch:customer.erased", items=[{"customer_id": "c1"}])
        resp = client.post("/v1/events", json={"events": [batch.model_dump(mode="json")]})
        assert resp.json()["applied"] == 1 and len(applied) == 2
        rep = client.post("/v1/events", json={"events": [good]}, headers=auth("rep"))
        assert_problem(rep, 403)
