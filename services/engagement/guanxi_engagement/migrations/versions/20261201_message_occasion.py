"""a message keeps the life event it greets (for the {note} placeholder)

Revision ID: 3c1f0d2a9b7e
Revises: 957590af0bff
Create Date: 2026-12-01 18:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '3c1f0d2a9b7e'
down_revision = '957590af0bff'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occasion_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('occasion_id')
