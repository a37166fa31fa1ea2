"""event ordering per customer

Revision ID: 537c4a70bce3
Revises: 447eaf3dbbc6
Create Date: 2026-12-02 06:49:06.183649
"""
from guanxi_shared.migration_steps import create_event_ordering, drop_event_ordering


revision = '537c4a70bce3'
down_revision = '447eaf3dbbc6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_ordering()


def downgrade() -> None:
    drop_event_ordering()
