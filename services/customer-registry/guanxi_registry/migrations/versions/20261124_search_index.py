"""search index: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL, over customer.search_text

Revision ID: a1c3e5f7b9d2
Revises: 838cfbb64ad4
Create Date: 2026-11-24 10:20:00
"""
from alembic import op

revision = "a1c3e5f7b9d2"
down_revision = "838cfbb64ad4"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE customer_search USING fts5(search_text, content='customer', "
    "content_rowid='rowid', tokenize='trigram')",
    # Bulk imports set this flag inside their transaction and index their rows in one statement.
    "CREATE TABLE customer_search_bulk (active INTEGER NOT NULL)",
    "INSERT INTO customer_search_bulk (active) VALUES (0)",
    "CREATE TRIGGER customer_search_insert AFTER INSERT ON customer "
    "WHEN (SELECT active FROM customer_search_bulk) = 0 BEGIN "
    "INSERT INTO customer_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER customer_search_delete AFTER DELETE ON customer BEGIN "
    "INSERT INTO customer_search(customer_search, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER customer_search_update AFTER UPDATE OF search_text ON customer BEGIN "
    "INSERT INTO customer_search(customer_search, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO customer_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "INSERT INTO customer_search(customer_search) VALUES ('rebuild')",
]
SQLITE_DOWN = ["DROP TRIGGER customer_search_update", "DROP TRIGGER customer_search_delete",
               "DROP TRIGGER customer_search_insert", "DROP TABLE customer_search_bulk",
               "DROP TABLE customer_search"]
POSTGRES_UP = ["CREATE EXTENSION IF NOT EXISTS pg_trgm",
               "CREATE INDEX ix_customer_search_trgm ON customer "
               "USING gin (search_text gin_trgm_ops)"]
POSTGRES_DOWN = ["DROP INDEX ix_customer_search_trgm"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
