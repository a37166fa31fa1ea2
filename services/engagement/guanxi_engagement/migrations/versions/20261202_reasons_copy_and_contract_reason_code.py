"""reasons copy and contract reason code: the registry's non-renewal reasons, seeded with the
defaults so that a renewal can be recorded before the first reasons.changed arrives

Revision ID: ca411e39309d
Revises: 743296166c55
Create Date: 2026-12-02 06:13:43.889762
"""
from guanxi_shared.migration_steps import add_reason_code, create_reason_copy, drop_reason_copy


revision = 'ca411e39309d'
down_revision = '743296166c55'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_reason_copy()
    add_reason_code('contract', 'reason_code')


def downgrade() -> None:
    drop_reason_copy('contract', 'reason_code')
