"""event ordering per customer

Revision ID: f546d25b4d34
Revises: 8806798aef37
Create Date: 2026-12-02 06:47:58.789703
"""
from guanxi_shared.migration_steps import create_event_ordering, drop_event_ordering


revision = 'f546d25b4d34'
down_revision = '8806798aef37'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_ordering()


def downgrade() -> None:
    drop_event_ordering()
