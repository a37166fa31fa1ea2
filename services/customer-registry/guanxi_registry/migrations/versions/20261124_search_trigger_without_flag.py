"""search index: the insert trigger loses its bulk flag (imports drop it for their transaction)

Evaluating the flag's subquery for every inserted row cost a 100,000-row import a second.

Revision ID: 5d2e8f1a9c30
Revises: 17c9b7c4d899
Create Date: 2026-11-24 19:45:00
"""
from alembic import op

revision = "5d2e8f1a9c30"
down_revision = "17c9b7c4d899"
branch_labels = None
depends_on = None

INSERT_TRIGGER = ("CREATE TRIGGER customer_search_insert AFTER INSERT ON customer {when}BEGIN "
                  "INSERT INTO customer_search(rowid, search_text) "
                  "VALUES (new.rowid, new.search_text); END")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER customer_search_insert")
    op.execute(INSERT_TRIGGER.format(when=""))
    op.execute("DROP TABLE customer_search_bulk")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE customer_search_bulk (active INTEGER NOT NULL)")
    op.execute("INSERT INTO customer_search_bulk (active) VALUES (0)")
    op.execute("DROP TRIGGER customer_search_insert")
    op.execute(INSERT_TRIGGER.format(when="WHEN (SELECT active FROM customer_search_bulk) = 0 "))
