"""The registry app factory (uvicorn --factory guanxi_registry.main:create_app)."""
from pathlib import Path

from fastapi import FastAPI

from guanxi_shared.app import create_service_app

from .api import admin, contacts, customers, imports, invoices, purchases, reasons, relations
from .events import HANDLERS
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or Settings(),
        title="Guanxi customer registry",
        description="Customers, contacts, purchases, referrals, groups, notes, import, "
                    "duplicates and personal data (客户数据库).",
        routers=[customers.router, contacts.router, purchases.router, relations.router,
                 imports.router, admin.router, admin.personal_data, invoices.router,
                 reasons.router],
        migrations_dir=Path(__file__).parent / "migrations",
        event_handlers=HANDLERS,
    )
