"""Autogenerate a migration for one service: python scripts/new_migration.py registry "add contacts"."""
import sys
import tempfile
from importlib import import_module
from pathlib import Path

from alembic import command
from alembic.config import Config

from guanxi_shared.db import make_engine, migrate

PACKAGES = {"registry": "guanxi_registry", "segmentation": "guanxi_segmentation",
            "engagement": "guanxi_engagement", "needs": "guanxi_needs",
            "gateway": "guanxi_gateway"}


def main(service: str, message: str) -> None:
    package = import_module(PACKAGES[service])
    migrations = Path(package.__file__).parent / "migrations"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/autogen.db")
        migrate(engine, migrations)  # bring an empty database to head, then diff
        cfg = Config()
        cfg.set_main_option("script_location", str(migrations))
        cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
