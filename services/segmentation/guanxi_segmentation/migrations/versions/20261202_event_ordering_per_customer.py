"""event ordering per customer

Revision ID: 1ad5f56f0bbb
Revises: af9dee5fac2b
Create Date: 2026-12-02 06:48:23.216934
"""
from guanxi_shared.migration_steps import create_event_ordering, drop_event_ordering


revision = '1ad5f56f0bbb'
down_revision = 'af9dee5fac2b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_ordering()


def downgrade() -> None:
    drop_event_ordering()
