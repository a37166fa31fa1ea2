"""The needs app factory (uvicorn --factory guanxi_needs.main:create_app)."""
from pathlib import Path

from fastapi import FastAPI

from guanxi_shared.app import create_service_app

from .events import HANDLERS
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or Settings(),
        title="Guanxi needs",
        description="Needs library, opportunities with MAN qualification, expectations and complaints.",
        routers=[],
        migrations_dir=Path(__file__).parent / "migrations",
        event_handlers=HANDLERS,
    )
