"""score snapshots keep only changes: score_snapshot.latest and the snapshot_day table

A kept day wrote every scored customer's row: a million rows a night at a million customers,
4 s of the nightly run and 365 million rows a year. Now a day keeps a row only for customers
whose kept scores differ from their latest row, and the scores as of a date are each
customer's latest row on or before it. The rows already kept stay valid under that reading.
`latest` marks each customer's newest row (what the next day compares with); snapshot_day
lists the kept days with their customer counts, which the rows no longer give.

Revision ID: 5b7d2c8e4f10
Revises: 3e1f6b0c9a27
Create Date: 2026-12-03 18:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '5b7d2c8e4f10'
down_revision = '3e1f6b0c9a27'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('snapshot_day',
                    sa.Column('snapshot_date', sa.Date(), nullable=False),
                    sa.Column('customers', sa.Integer(), nullable=False),
                    sa.Column('changed', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('snapshot_date', name=op.f('pk_snapshot_day')))
    op.execute("INSERT INTO snapshot_day (snapshot_date, customers, changed) "
               "SELECT snapshot_date, count(*), count(*) FROM score_snapshot "
               "GROUP BY snapshot_date")
    op.add_column('score_snapshot', sa.Column('latest', sa.Boolean(), nullable=False,
                                              server_default=sa.false()))
    # one grouping, not a max() per row (that walks the primary key from the newest date)
    op.execute("UPDATE score_snapshot SET latest = true WHERE (customer_id, snapshot_date) IN ("
               "SELECT customer_id, max(snapshot_date) FROM score_snapshot GROUP BY customer_id)")
    op.drop_index('ix_score_snapshot_customer_id', table_name='score_snapshot')
    op.create_index('ix_score_snapshot_customer_date', 'score_snapshot',
                    ['customer_id', 'snapshot_date'])
    op.create_index('ux_score_snapshot_latest', 'score_snapshot', ['customer_id'], unique=True,
                    postgresql_where=sa.text('latest'), sqlite_where=sa.text('latest'))


def downgrade() -> None:
    op.drop_index('ux_score_snapshot_latest', table_name='score_snapshot')
    op.drop_index('ix_score_snapshot_customer_date', table_name='score_snapshot')
    op.create_index('ix_score_snapshot_customer_id', 'score_snapshot', ['customer_id'])
    with op.batch_alter_table('score_snapshot') as batch:
        batch.drop_column('latest')
    op.drop_table('snapshot_day')
