"""Migration steps that several services take alike: their migrations call these, so each
step is written once and does the same to every service's database."""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from .models import UTCDateTime
from .reasons import SEEDED_AT, default_rows


def create_event_ordering() -> None:
    """The per-customer event numbers: `event_cursor`, `event_sequence`, and the outbox
    delivery's `ordering` and `deferrals` (guanxi_shared.events)."""
    op.create_table(
        'event_cursor',
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('source', 'key')
    )
    op.create_table(
        'event_sequence',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('outbox_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ordering', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('deferrals', sa.Integer(), nullable=False,
                                      server_default='0'))


def drop_event_ordering() -> None:
    with op.batch_alter_table('outbox_delivery', schema=None) as batch_op:
        batch_op.drop_column('deferrals')
        batch_op.drop_column('ordering')

    op.drop_table('event_sequence')
    op.drop_table('event_cursor')


def create_reason_copy() -> None:
    """A consumer's copy of the registry's reasons list (`reason`), seeded with the defaults
    so that it labels reasons before the first reasons.changed arrives."""
    reason = op.create_table(
        'reason',
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('label_zh', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('label_en', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('controllable', sa.Boolean(), nullable=False),
        sa.Column('retired', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('code')
    )
    op.bulk_insert(reason, default_rows(SEEDED_AT))


def add_reason_code(table: str, column: str) -> None:
    """The reason code column a consumer's own rows carry."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=32),
                                      nullable=True))


def drop_reason_copy(table: str, column: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_column(column)

    op.drop_table('reason')
