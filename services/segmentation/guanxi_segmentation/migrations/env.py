"""Alembic environment for segmentation: its tables plus the shared outbox/inbox tables."""
from sqlmodel import SQLModel

import guanxi_segmentation.store.loyalty_tables
import guanxi_segmentation.store.tables  # noqa: F401  (registers the tables)
import guanxi_shared.events
import guanxi_shared.idempotency  # noqa: F401
from guanxi_shared.db import run_env

run_env(SQLModel.metadata)
