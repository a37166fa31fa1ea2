"""contact language and timezone

Revision ID: 17c9b7c4d899
Revises: a1c3e5f7b9d2
Create Date: 2026-11-24 18:28:44.547351
"""
import sqlalchemy as sa
from alembic import op

revision = '17c9b7c4d899'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('timezone')
        batch_op.drop_column('language')
