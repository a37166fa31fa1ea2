"""Message templates: text per language with {placeholders}."""
from __future__ import annotations

from sqlmodel import Session, select

from guanxi_shared.pagination import PageParams, paginate

from ..schemas.messages import TemplateCreate, TemplateUpdate
from .records import add, change, get_or_404
from .tables import Template


def create(*, session: Session, template_in: TemplateCreate) -> Template:
    return add(session, Template.model_validate(template_in.model_dump()))


def list_page(*, session: Session, page: PageParams) -> tuple[list[Template], str | None]:
    return paginate(session, select(Template), sort=Template.id, key=Template.id, page=page)


def get(*, session: Session, template_id: str) -> Template:
    return get_or_404(session, Template, template_id, "Template")


def update(*, session: Session, template: Template, template_in: TemplateUpdate) -> Template:
    return change(session, template, template_in.model_dump(exclude_unset=True))
