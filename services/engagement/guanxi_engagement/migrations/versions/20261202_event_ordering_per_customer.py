"""event ordering per customer

Revision ID: 217bf94c59a4
Revises: 67cbfad37995
Create Date: 2026-12-02 06:48:34.111378
"""
from guanxi_shared.migration_steps import create_event_ordering, drop_event_ordering


revision = '217bf94c59a4'
down_revision = '67cbfad37995'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_ordering()


def downgrade() -> None:
    drop_event_ordering()
