"""purchase_fact.amount_cents: the amount in whole cents, computed by the database

Scoring and fitting sum amounts per customer over every purchase; summing integers from the
covering index takes a third less time than multiplying and casting each numeric first. The
column is generated (stored on PostgreSQL, which rewrites the table once: about 40 s at ten
million purchases; virtual on SQLite), so no writer has to keep it.

Revision ID: 3e1f6b0c9a27
Revises: 7c2e9a41d3b8
Create Date: 2026-12-03 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3e1f6b0c9a27'
down_revision = '7c2e9a41d3b8'
branch_labels = None
depends_on = None

CENTS = "CAST(ROUND(amount * 100) AS BIGINT)"


def upgrade() -> None:
    stored = op.get_bind().dialect.name == "postgresql"  # SQLite adds only virtual ones
    op.add_column('purchase_fact', sa.Column('amount_cents', sa.BigInteger(),
                                             sa.Computed(CENTS, persisted=stored or None),
                                             nullable=True))
    op.drop_index('ix_purchase_fact_customer_date', table_name='purchase_fact')
    op.create_index('ix_purchase_fact_customer_date', 'purchase_fact',
                    ['customer_id', 'purchased_on', 'amount_cents', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_purchase_fact_customer_date', table_name='purchase_fact')
    op.create_index('ix_purchase_fact_customer_date', 'purchase_fact',
                    ['customer_id', 'purchased_on', 'amount'])
    with op.batch_alter_table('purchase_fact') as batch:  # SQLite cannot drop it in place
        batch.drop_column('amount_cents')
