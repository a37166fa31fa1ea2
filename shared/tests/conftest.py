"""A small app built from guanxi_shared alone: the shared tables and one `widget` table."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import APIRouter, Depends, Request, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlmodel import Field, Session, SQLModel

from guanxi_shared.app import create_service_app, get_session
from guanxi_shared.auth import Principal, current_principal
from guanxi_shared.db import make_engine, make_sessionmaker
from guanxi_shared.errors import NotFound
from guanxi_shared.event_types import EventType
from guanxi_shared.events import EventHandler, publish
from guanxi_shared.http_cache import check_if_match, set_etag
from guanxi_shared.models import new_id
from guanxi_shared.settings import ServiceSettings
from guanxi_testing.fixtures import SECRET, auth

pytest_plugins = ["guanxi_testing.fixtures"]


class Widget(SQLModel, table=True):
    __tablename__ = "widget"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    made_on: date
    colour: str = Field(default="red", max_length=20)
    version: int = 1


class WidgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    made_on: date


def widget_router() -> APIRouter:
    router = APIRouter()

    @router.post("/v1/widgets", status_code=201)
    def create(body: WidgetIn, session: Session = Depends(get_session),
               _: Principal = Depends(current_principal)) -> dict:
        widget = Widget(name=body.name, made_on=body.made_on)
        session.add(widget)
        publish(session=session, event_type=EventType.customer_created,
                data={"id": widget.id, "name": widget.name, "status": "active", "version": 1})
        session.commit()
        return {"id": widget.id, "name": widget.name}

    @router.patch("/v1/widgets/{widget_id}")
    def rename(widget_id: str, body: dict, request: Request, response: Response,
               session: Session = Depends(get_session),
               _: Principal = Depends(current_principal)) -> dict:
        widget = session.scalar(select(Widget).where(Widget.id == widget_id))
        if widget is None:
            raise NotFound("No such widget")
        check_if_match(request, widget.id, widget.version)
        widget.name, widget.version = body["name"], widget.version + 1
        session.commit()
        set_etag(response, widget.id, widget.version)
        return {"id": widget.id, "name": widget.name}

    return router


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return make_sessionmaker(engine, subscribers={"alpha": "http://alpha", "beta": "http://beta"})


@pytest.fixture
def make_client(engine, database_url):
    def make(handlers: dict[EventType, EventHandler] | None = None) -> TestClient:
        settings = ServiceSettings(service_name="shared-test", database_url=database_url,
                                   internal_secret=SECRET, migrate_on_start=False,
                                   run_background_jobs=False, subscribers="alpha=http://alpha")
        app = create_service_app(settings=settings, title="t", description="t",
                                 routers=[widget_router()], migrations_dir=Path("."),
                                 event_handlers=handlers or {})
        return TestClient(app, headers=auth())
    return make


@pytest.fixture(name="Widget")
def widget_model() -> type[Widget]:
    return Widget
