"""Events about one customer are applied in the order written (issue 19): numbered per
subscriber and customer by the publisher, checked by the consumer; and the outbox backlog gauge.
"""
import http.server
import json
import socket
import threading
from datetime import UTC, datetime

from sqlalchemy import select

from guanxi_segmentation.store.tables import CustomerRef
from guanxi_shared.db import make_engine, make_sessionmaker
from guanxi_shared.event_types import EventType
from guanxi_shared.events import (
    GAP_SKIP_AFTER_DEFERRALS,
    OUTBOX_BACKLOG,
    Dispatcher,
    OutboxDelivery,
    publish,
    publish_many,
)
from guanxi_testing.fixtures import SECRET, assert_problem, auth, eventually

SERVICE = auth("service", sub="service:registry")


def updated(n: int, name: str, seq: int | None, *, customer="c1", source="registry",
            attempt=1, deferred=0) -> dict:
    return {"id": f"ev-{source}-{customer}-{n}", "type": "customer.updated", "source": source,
            "occurred_at": datetime.now(UTC).isoformat(), "attempt": attempt,
            "deferred": deferred,
            "data": {"id": customer, "name": name, "status": "active"},
            "ordering": [] if seq is None else [{"key": customer, "seq": seq}]}


def name_of(client, customer="c1") -> str | None:
    with client.app.state.sessions() as session:
        ref = session.get(CustomerRef, customer)
        return ref.name if ref else None


def post(client, *events):
    return client.post("/v1/events", json={"events": list(events)}, headers=SERVICE)


def test_an_event_ahead_of_an_earlier_one_is_refused_until_the_earlier_one_is_applied(client):
    assert post(client, updated(1, "first", 1)).status_code == 200
    early = post(client, updated(3, "third", 3))  # number 2 is still on its way
    body = assert_problem(early, 409)
    assert body["detail"].startswith("Out of order:")
    assert "number 2 has not been applied" in body["detail"]
    assert early.headers["retry-after"] == "1"
    assert name_of(client) == "first"  # nothing of the refused batch was applied
    assert post(client, updated(2, "second", 2)).json()["applied"] == 1
    assert post(client, updated(3, "third", 3)).json()["applied"] == 1
    assert name_of(client) == "third"
    # a redelivery is a duplicate, not a gap or a step back
    assert post(client, updated(2, "second", 2)).json()["duplicates"] == 1
    assert name_of(client) == "third"


def test_a_batch_in_order_applies_and_each_customer_and_publisher_counts_apart(client):
    resp = post(client, updated(1, "a1", 1), updated(1, "b1", 1, customer="c2"),
                updated(2, "a2", 2), updated(1, "from-needs", 1, source="needs"))
    assert resp.status_code == 200 and resp.json()["applied"] == 4
    assert name_of(client) == "from-needs" and name_of(client, "c2") == "b1"
    # out of order inside one batch: refused whole
    assert_problem(post(client, updated(4, "a4", 4), updated(3, "a3", 3)), 409)
    assert post(client, updated(3, "a3", 3), updated(4, "a4", 4)).json()["applied"] == 2
    assert name_of(client) == "a4"


def test_events_without_numbers_apply_as_before_and_a_lost_event_blocks_only_so_long(client):
    assert post(client, updated(1, "unnumbered", None)).json()["applied"] == 1
    assert post(client, updated(2, "first", 1)).json()["applied"] == 1
    assert_problem(post(client, updated(9, "after-a-loss", 5)), 409)
    # an outage's failed attempts do not count: only refusals by a consumer that answers
    assert_problem(post(client, updated(9, "after-a-loss", 5, attempt=50)), 409)
    # number 2..4 never comes (a consumer database restored from a backup): after the
    # publisher's deferrals the event is applied anyway rather than blocking the customer
    late = post(client, updated(9, "after-a-loss", 5, deferred=GAP_SKIP_AFTER_DEFERRALS))
    assert late.json()["applied"] == 1 and name_of(client) == "after-a-loss"
    assert post(client, updated(10, "next", 6)).json()["applied"] == 1


def customer(customer_id: str) -> dict:
    return {"id": customer_id, "name": customer_id, "status": "active", "version": 1}


def purchase(purchase_id: str, customer_id: str) -> dict:
    return {"id": purchase_id, "customer_id": customer_id, "purchased_on": "2026-12-01",
            "amount": "10.00", "currency": "CNY", "lines": []}


def test_the_publisher_numbers_each_customers_events_per_subscriber(database_url, client):
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine, subscribers={"engagement": "http://e", "gateway": "x"})
    try:
        with sessions() as session:
            publish(session=session, event_type=EventType.customer_created, data=customer("c1"))
            publish(session=session, event_type=EventType.purchase_recorded,
                    data=purchase("p1", "c1"))
            session.commit()
        with sessions() as session:  # a rolled-back write gives its number back
            publish(session=session, event_type=EventType.purchase_recorded,
                    data=purchase("p2", "c1"))
            session.rollback()
        with sessions() as session:
            publish(session=session, event_type=EventType.customer_merged,
                    data={"merged_id": "c2", "into_id": "c1"})
            publish_many(session=session, event_type=EventType.customer_created, batch_size=2,
                         items=[customer("c3"), customer("c1"), customer("c4")])
            publish(session=session, event_type=EventType.reasons_changed,
                    data={"reasons": [], "changed_at": "2026-12-01T09:00:00+00:00"})
            session.commit()
        with sessions() as session:
            rows = session.execute(select(OutboxDelivery.subscriber, OutboxDelivery.ordering)
                                   .order_by(OutboxDelivery.seq)).all()
    finally:
        engine.dispose()
    per = {name: [ordering for sub, ordering in rows if sub == name]
           for name in ("engagement", "gateway")}
    assert per["engagement"] == per["gateway"]  # every subscriber is told the same numbers
    assert per["engagement"] == [
        [{"key": "c1", "seq": 1}],
        [{"key": "c1", "seq": 2}],
        [{"key": "c2", "seq": 1}, {"key": "c1", "seq": 3}],  # p2 rolled back: no gap
        [{"key": "c3", "seq": 1}, {"key": "c1", "seq": 4}],  # a batch of two customers
        [{"key": "c4", "seq": 1}],
        None,  # about no customer
    ]


def test_the_outbox_backlog_is_a_gauge_per_subscriber(database_url, client):
    engine = make_engine(database_url)
    subscribers = {"engagement": "http://127.0.0.1:9/down", "gateway": "http://127.0.0.1:9/x"}
    sessions = make_sessionmaker(engine, subscribers=subscribers)
    try:
        with sessions() as session:
            for n in range(3):
                publish(session=session, event_type=EventType.purchase_recorded,
                        data=purchase(f"p{n}", "c1"))
            session.commit()
        dispatcher = Dispatcher(sessions=sessions, subscribers=subscribers,
                                service="registry-test", secret=SECRET, interval=1,
                                batch_size=2, timeout=1)
        found = dispatcher.measure_backlog()
        assert {name: count for name, (count, _) in found.items()} == {"engagement": 3,
                                                                       "gateway": 3}
        assert OUTBOX_BACKLOG.labels("registry-test", "engagement")._value.get() == 3
        with sessions() as session:  # the gateway received its events
            session.execute(OutboxDelivery.__table__.update()
                            .where(OutboxDelivery.subscriber == "gateway")
                            .values(delivered_at=datetime.now(UTC)))
            session.commit()
        found = dispatcher.measure_backlog()
        assert found["gateway"] == (0, 0.0) and found["engagement"][0] == 3
        assert OUTBOX_BACKLOG.labels("registry-test", "gateway")._value.get() == 0
        dispatcher.client.close()
    finally:
        engine.dispose()


class Receiver(http.server.BaseHTTPRequestHandler):
    """A subscriber's /v1/events: records the event ids it is sent."""

    received: list[str]

    def do_POST(self):  # the http.server interface
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        type(self).received.extend(e["id"] for e in body["events"])
        out = b'{"applied": 0, "duplicates": 0, "ignored": 0, "dead_lettered": 0}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


def test_a_hung_subscriber_holds_up_neither_writers_nor_the_other_subscribers(database_url,
                                                                           client):
    hung = socket.socket()  # accepts connections, never answers
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)
    handler = type("Healthy", (Receiver,), {"received": []})
    healthy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=healthy.serve_forever, daemon=True).start()
    subscribers = {"hung": f"http://127.0.0.1:{hung.getsockname()[1]}",
                   "healthy": f"http://127.0.0.1:{healthy.server_address[1]}"}
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine, subscribers=subscribers)
    dispatcher = Dispatcher(sessions=sessions, subscribers=subscribers, service="registry-test",
                            secret=SECRET, interval=0.05, batch_size=10, timeout=120)
    dispatcher.start()
    try:
        ids = []
        for n in range(30):  # writes go on while a delivery to "hung" waits on its answer
            with sessions() as session:
                ids.append(publish(session=session, event_type=EventType.purchase_recorded,
                                   data=purchase(f"p{n}", f"c{n % 3}")))
                session.commit()
        assert eventually(lambda: sorted(handler.received) == sorted(ids), timeout=30)
        with sessions() as session:
            owed = session.scalars(select(OutboxDelivery.event_id).where(
                OutboxDelivery.subscriber == "hung", OutboxDelivery.delivered_at.is_(None)))
            assert sorted(owed) == sorted(ids)  # kept for when it answers
    finally:
        dispatcher.stop()
        hung.close()  # the waiting delivery fails now, and the thread ends
        dispatcher.join(timeout=10)
        healthy.shutdown()
        engine.dispose()


def test_a_refusal_as_out_of_order_is_a_deferral_not_a_failed_attempt(database_url, client):
    class OutOfOrder(Receiver):

        def do_POST(self):  # the http.server interface
            self.rfile.read(int(self.headers["content-length"]))
            out = json.dumps({"type": "about:blank", "title": "Conflict", "status": 409,
                              "detail": "Out of order: event x is number 2 for c1 from "
                                        "registry, but number 1 has not been applied yet"})
            self.send_response(409)
            self.send_header("content-type", "application/problem+json")
            self.send_header("content-length", str(len(out)))
            self.end_headers()
            self.wfile.write(out.encode())

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OutOfOrder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    subscribers = {"segmentation": f"http://127.0.0.1:{server.server_address[1]}"}
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine, subscribers=subscribers)
    try:
        with sessions() as session:
            publish(session=session, event_type=EventType.purchase_recorded,
                    data=purchase("p1", "c1"))
            session.commit()
        dispatcher = Dispatcher(sessions=sessions, subscribers=subscribers, service="registry",
                                secret=SECRET, interval=1, batch_size=10, timeout=5)
        dispatcher.deliver_batch("segmentation", subscribers["segmentation"])
        dispatcher.deliver_batch("segmentation", subscribers["segmentation"])
        dispatcher.client.close()
        with sessions() as session:
            row = session.scalars(select(OutboxDelivery)).one()
        assert (row.deferrals, row.attempts, row.delivered_at) == (2, 0, None)
    finally:
        server.shutdown()
        engine.dispose()
