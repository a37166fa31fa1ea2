"""Persisted jobs catch up once after downtime; two replicas never send an occurrence twice."""
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import func, select, text

from guanxi_engagement.scheduler import JOBS_TABLE, Leader, start_jobs
from guanxi_engagement.store.delivery import deliver_due
from guanxi_engagement.store.runs import run_day
from guanxi_engagement.store.tables import Message, SchedulerRun
from guanxi_shared.db import make_engine, make_sessionmaker
from guanxi_shared.models import utcnow
from guanxi_testing.fixtures import eventually


def runs(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(SchedulerRun))


def test_daily_run_missed_while_down_catches_up_exactly_once(api, client):
    api.customer()
    api.rule(trigger="revisit", every_days=30, channel="call")
    app = client.app
    settings = app.state.settings.model_copy(update={"send_interval_seconds": 3600})
    first = start_jobs(app.state.engine, settings, paused=True)
    first.shutdown()
    # The service stays down over three scheduled runs: the stored next run is in the past.
    store = SQLAlchemyJobStore(engine=app.state.engine, tablename=JOBS_TABLE)
    store.start(first, "default")
    job = store.lookup_job("daily_run")
    job.next_run_time = utcnow() - timedelta(days=3)
    store.update_job(job)
    restarted = start_jobs(app.state.engine, settings)
    try:
        assert eventually(lambda: runs(app.state.sessions) == 1, timeout=10)
        assert restarted.get_job("daily_run").next_run_time > utcnow()
        assert runs(app.state.sessions) == 1
    finally:
        restarted.shutdown(wait=True)
    tasks = client.get("/v1/tasks").json()["items"]
    assert len(tasks) == 1 and tasks[0]["kind"] == "call"


def test_two_replicas_on_one_database_send_each_occurrence_once(api, client, provider,
                                                                database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database")
    for i in range(20):
        api.customer(f"c{i}")
        api.contact(f"p{i}", f"c{i}")
    api.rule(trigger="holiday", occasion="mid_autumn", channel="sms")
    app = client.app
    engines = [make_engine(database_url) for _ in range(2)]
    barrier = threading.Barrier(2)

    def replica(engine):
        sessions = make_sessionmaker(engine)
        barrier.wait()
        with sessions() as session:
            run_day(session=session, day=date(2027, 9, 15), timezone="Asia/Shanghai",
                    greeting_hour=9)
        # Noon in Shanghai: outside quiet hours whatever the wall clock says.
        deliver_due(sessions=sessions, channels=app.state.channels,
                    now=datetime(2027, 9, 15, 4, 0, tzinfo=UTC), timezone="Asia/Shanghai")

    threads = [threading.Thread(target=replica, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for engine in engines:
        engine.dispose()
    with app.state.sessions() as session:
        statuses = session.scalars(select(Message.status)).all()
    assert statuses == ["sent"] * 20
    assert sorted(m["to"] for m in provider.sent) == ["13800000000"] * 20


def test_one_leader_holds_the_lock_and_another_takes_over(client, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks are a PostgreSQL feature")
    settings = client.app.state.settings
    engines = [make_engine(database_url) for _ in range(2)]
    first, second = (Leader(engine=e, settings=settings) for e in engines)
    try:
        assert first.try_lead()
        assert not second.try_lead()
        first.release()  # the leader's process dies: its database session ends
        # PostgreSQL frees the lock when the backend has noticed the closed connection, a
        # moment later; a replica's next attempt takes over (every leader_retry_seconds).
        assert eventually(second.try_lead)
    finally:
        second.release()
        for engine in engines:
            engine.dispose()


def test_a_leader_that_loses_its_lock_connection_steps_down_and_stands_again(client,
                                                                           database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks are a PostgreSQL feature")
    settings = client.app.state.settings.model_copy(update={"leader_retry_seconds": 0.1})
    engines = [make_engine(database_url) for _ in range(2)]
    leader = Leader(engine=engines[0], settings=settings)

    def lock_holders() -> list[int]:  # this database's only: other runs share the server
        with engines[1].connect() as conn:
            return list(conn.execute(text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :id"
                " AND granted AND database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database())"),
                {"id": settings.scheduler_lock_id}).scalars())

    leader.start()
    try:
        assert eventually(lambda: len(lock_holders()) == 1 and leader.scheduler is not None)
        (first_pid,) = lock_holders()
        with engines[1].connect() as conn:  # the database drops the lock's session
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
            conn.commit()
        # noticed, stepped down, elected again on a new session: one holder, jobs running
        assert eventually(lambda: lock_holders() not in ([], [first_pid])
                   and leader.scheduler is not None and leader.scheduler.running)
        assert len(lock_holders()) == 1
    finally:
        leader.stop()
        for engine in engines:
            engine.dispose()
