"""`python -m guanxi_shared.migrate guanxi_registry [...]`: apply each named service's
migrations to the database its settings name (GUANXI_<SERVICE>_DATABASE_URL), then exit.

This is what the Kubernetes migrations Job runs before a rollout, so that no replica migrates
on start (`GUANXI_<SERVICE>_MIGRATE_ON_START=false`) and new replicas report ready only once
the database has this version's migrations. On PostgreSQL the run holds an advisory lock, so
two runs at once apply each migration once.
"""
from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from . import db

log = logging.getLogger("guanxi.migrate")


def migrate_service(package: str) -> str:
    """Migrate one service's database; returns the URL's database part (never credentials)."""
    settings = importlib.import_module(f"{package}.settings").Settings()
    migrations = Path(importlib.import_module(package).__file__).parent / "migrations"
    engine = db.make_engine(settings.database_url)
    try:
        db.migrate(engine, migrations)
        behind = db.schema_behind(engine, migrations)
        if behind is not None:
            raise RuntimeError(f"{package}: {behind}")
        return engine.url.database or ""
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    if not argv or any(not name.startswith("guanxi_") for name in argv):
        print("usage: python -m guanxi_shared.migrate guanxi_<service> [...]", file=sys.stderr)
        return 2
    for package in argv:
        database = migrate_service(package)
        print(f"{package}: migrations applied ({database})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
