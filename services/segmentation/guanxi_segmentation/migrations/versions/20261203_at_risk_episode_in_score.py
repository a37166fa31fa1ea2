"""at-risk episode in the score row: customer_score.at_risk_since replaces at_risk_episode

The open episode's start date is all a run needs (the episode is open while the customer is at
risk), and the score row is rewritten in the same transaction as the events anyway: a separate
table cost a million-row insert on a first run and was read nowhere else.

Revision ID: 7c2e9a41d3b8
Revises: 4fb54c36c6f9
Create Date: 2026-12-03 07:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '7c2e9a41d3b8'
down_revision = '4fb54c36c6f9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('customer_score', sa.Column('at_risk_since', sa.Date(), nullable=True))
    op.execute("UPDATE customer_score SET at_risk_since = ("
               "SELECT e.since FROM at_risk_episode e WHERE e.customer_id = "
               "customer_score.customer_id AND e.recovered_on IS NULL) WHERE at_risk")
    # at risk without an open episode cannot happen, but if it did, it starts now, unpublished
    op.execute("UPDATE customer_score SET at_risk_since = as_of "
               "WHERE at_risk AND at_risk_since IS NULL")
    op.drop_index('ix_at_risk_episode_open', table_name='at_risk_episode')
    op.drop_table('at_risk_episode')


def downgrade() -> None:
    op.create_table('at_risk_episode',
    sa.Column('customer_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('recovered_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('customer_id')
    )
    op.create_index('ix_at_risk_episode_open', 'at_risk_episode', ['recovered_on', 'customer_id'],
                    unique=False)
    op.execute("INSERT INTO at_risk_episode (customer_id, since, reasons, recovered_on) "
               "SELECT customer_id, at_risk_since, at_risk_reasons, NULL FROM customer_score "
               "WHERE at_risk_since IS NOT NULL")
    with op.batch_alter_table('customer_score', schema=None) as batch_op:
        batch_op.drop_column('at_risk_since')
