"""reasons copy: the registry's churn reasons list, seeded with the defaults so that the churn
report labels reasons before the first reasons.changed arrives; the loss's reason code

Revision ID: d545617aaba0
Revises: 30e5a3c12ad6
Create Date: 2026-12-02 06:11:37.220734
"""
from guanxi_shared.migration_steps import add_reason_code, create_reason_copy, drop_reason_copy


revision = 'd545617aaba0'
down_revision = '30e5a3c12ad6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_reason_copy()
    add_reason_code('status_change', 'lost_reason_code')


def downgrade() -> None:
    drop_reason_copy('status_change', 'lost_reason_code')
