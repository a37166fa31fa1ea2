"""Period labels are the same on SQLite and PostgreSQL."""
from datetime import date

import pytest
from sqlalchemy import Date, create_engine, literal, select
from sqlmodel import Session

from guanxi_needs.store.periods import Period, bucket

DAYS = [date(2026, 11, 23), date(2026, 11, 29), date(2027, 1, 1), date(2027, 3, 31),
        date(2027, 4, 1)]


@pytest.mark.parametrize(("period", "labels"), [
    (Period.day, ["2026-11-23", "2026-11-29", "2027-01-01", "2027-03-31", "2027-04-01"]),
    (Period.week, ["2026-11-23", "2026-11-23", "2026-12-28", "2027-03-29", "2027-03-29"]),
    (Period.month, ["2026-11", "2026-11", "2027-01", "2027-03", "2027-04"]),
    (Period.quarter, ["2026-Q4", "2026-Q4", "2027-Q1", "2027-Q1", "2027-Q2"]),
    (Period.year, ["2026", "2026", "2027", "2027", "2027"]),
])
def test_period_labels(database_url, period, labels):
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            got = [session.scalar(select(bucket(session, literal(day, Date), period)))
                   for day in DAYS]
    finally:
        engine.dispose()
    assert got == labels
