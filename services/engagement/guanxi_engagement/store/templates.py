"""Message templates: text per language with {placeholders}, checked on every save so that a
send never meets a placeholder it cannot fill; and the copy of needs' products they quote."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from guanxi_shared.errors import Invalid
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate

from ..domain.templates import quotes_product, template_problems
from ..schemas.messages import TemplateCreate, TemplateUpdate
from .records import add, change, get_or_404
from .tables import ProductRef, Template


def create(*, session: Session, template_in: TemplateCreate) -> Template:
    """Placeholders are checked here: an unknown one is a 422, never an empty gap in a send."""
    template = Template.model_validate(template_in.model_dump())
    check(session, template)
    return add(session, template)


def list_page(*, session: Session, page: PageParams) -> tuple[list[Template], str | None]:
    return paginate(session, select(Template), sort=Template.id, key=Template.id, page=page)


def get(*, session: Session, template_id: str) -> Template:
    return get_or_404(session, Template, template_id, "Template")


def update(*, session: Session, template: Template, template_in: TemplateUpdate) -> Template:
    changes = template_in.model_dump(exclude_unset=True)
    check(session, template, changes)
    return change(session, template, changes)


def _refuse(field: str, kind: str, problems: list[str]) -> Invalid:
    return Invalid("; ".join(problems), errors=[{"loc": ["body", field], "field": field,
                                                 "type": kind, "msg": p} for p in problems])


def check(session: Session, template: Template, changes: dict | None = None) -> None:
    """`changes`: the fields an update sends, checked with the rest as stored.

    422 for malformed or unknown placeholders, for {product.*} in a template that names no
    product, and for a product engagement has not heard of (product.changed from needs)."""
    given = {field: getattr(template, field) for field in ("subject", "body", "product_id")}
    given.update(changes or {})
    for field in ("subject", "body"):
        if problems := template_problems(given[field]):
            raise _refuse(field, "placeholder", problems)
    product_id = given["product_id"]
    if product_id is not None and session.get(ProductRef, product_id) is None:
        raise _refuse("product_id", "not_found", [
            f"Unknown product {product_id} (products come from the needs catalogue)"])
    if product_id is None and (quotes_product(given["subject"])
                               or quotes_product(given["body"])):
        raise _refuse("product_id", "missing", [
            "The template quotes {product.*}: name the product with product_id"])


def product_values(session: Session, product_id: str | None) -> dict[str, str]:
    product = session.get(ProductRef, product_id) if product_id else None
    if product is None:
        return {}
    return {"product.name": product.name, "product.line": product.line,
            "product.usp": product.usp, "product.pitch": product.pitch}


def save_product(session: Session, data: dict[str, Any]) -> None:
    """Keep needs' latest description: product events carry no per-customer order, so an
    older version arriving late changes nothing."""
    usp = data.get("usp") or {}
    row = {"id": data["id"], "name": data["name"][:200], "line": data["line"][:100],
           "lifecycle": data["lifecycle"], "usp": (usp.get("statement") or "")[:2000],
           "pitch": data.get("pitch") or "", "version": data["version"], "created_at": utcnow(),
           "updated_at": utcnow()}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ProductRef.__table__).values(row)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={k: stmt.excluded[k] for k in row if k not in ("id", "created_at")},
        where=ProductRef.__table__.c.version < stmt.excluded.version))
