"""event ordering per customer

Revision ID: 6a1f16284048
Revises: 68c7ac1f3960
Create Date: 2026-12-02 06:48:50.192045
"""
from guanxi_shared.migration_steps import create_event_ordering, drop_event_ordering


revision = '6a1f16284048'
down_revision = '68c7ac1f3960'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_ordering()


def downgrade() -> None:
    drop_event_ordering()
