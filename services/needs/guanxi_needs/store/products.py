"""The product catalogue (产品目录): products, lifecycle, USP and FFAB, kept by managers."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from guanxi_shared.db import get_or_404, local_today
from guanxi_shared.errors import Conflict, Invalid
from guanxi_shared.event_types import EventType
from guanxi_shared.events import publish
from guanxi_shared.pagination import PageParams, paginate, where_given

from ..domain.products import Lifecycle, check_lifecycle, name_key
from ..schemas.products import ProductCreate, ProductRead, ProductUpdate
from .access import apply_changes
from .tables import Category, Product

_LINKS = ("related_product_ids", "back_end_product_ids")


def pitch(product: Product) -> str:
    """USP and FFAB as one text a template or a call script can quote."""
    parts = [product.name]
    if product.usp:
        parts[0] += f": {product.usp['statement']}"
        parts += [f"- {p['claim']}" for p in product.usp.get("points", [])]
    parts += [f"{r['feature']} -> {r['function']} -> {r['advantage']} -> {r['benefit']}"
              for r in product.ffab]
    return "\n".join(parts)


def to_read(product: Product) -> ProductRead:
    return ProductRead.model_validate({**product.model_dump(), "pitch": pitch(product)})


def publish_changed(session: Session, product: Product) -> None:
    """product.changed with the read schema, in the write's transaction: engagement's
    templates quote the USP and pitch from its copy."""
    session.flush()
    publish(session=session, event_type=EventType.product_changed, source="needs",
            data=to_read(product).model_dump(mode="json"))


def _invalid(field: str, msg: str) -> Invalid:
    return Invalid(msg, errors=[{"loc": ["body", field], "field": field, "type": "not_found",
                                 "msg": msg}])


def _check_refs(session: Session, values: dict[str, Any], self_id: str | None) -> None:
    """Categories and linked products must exist; a product is not its own related product."""
    wanted = set(values.get("category_ids") or [])
    if wanted:
        known = set(session.scalars(select(Category.id).where(Category.id.in_(wanted))))
        if missing := sorted(wanted - known):
            raise _invalid("category_ids", f"Unknown categories: {', '.join(missing)}")
    for field in _LINKS:
        ids = set(values.get(field) or [])
        if self_id in ids:
            raise _invalid(field, "A product cannot be related to itself")
        known = set(session.scalars(select(Product.id).where(Product.id.in_(ids)))) if ids else set()
        if missing := sorted(ids - known):
            raise _invalid(field, f"Unknown products: {', '.join(missing)}")


def _check_name(session: Session, name: str, self_id: str | None) -> str:
    key = name_key(name)
    other = session.scalar(select(Product.id).where(Product.name_key == key))
    if other is not None and other != self_id:
        raise Conflict(f"Product {other} already has the name {name!r}")
    return key


def _dates(values: dict[str, Any], lifecycle: Lifecycle, session: Session,
           product: Product | None = None) -> dict[str, Any]:
    today = local_today(session)
    if lifecycle == Lifecycle.retired and (product is None or product.retired_on is None):
        values["retired_on"] = today
    elif lifecycle != Lifecycle.retired and product is not None and product.retired_on:
        values["retired_on"] = None
    return values


def create(*, session: Session, product_in: ProductCreate) -> Product:
    values = product_in.model_dump(mode="json")
    _check_refs(session, values, None)
    values["name_key"] = _check_name(session, product_in.name, None)
    values = _dates(values, product_in.lifecycle, session)
    product = Product.model_validate({**values, "price_from": product_in.price_from,
                                      "price_to": product_in.price_to})
    session.add(product)
    publish_changed(session, product)
    session.commit()
    return product


def get(*, session: Session, product_id: str) -> Product:
    return get_or_404(session, Product, product_id, "Product")


def update(*, session: Session, product: Product, product_in: ProductUpdate) -> Product:
    changes = product_in.model_dump(mode="json", exclude_unset=True)
    if product_in.usp is not None:  # whole, with its defaults (points: [])
        changes["usp"] = product_in.usp.model_dump(mode="json")
    for money_field in ("price_from", "price_to"):
        if money_field in changes:
            changes[money_field] = getattr(product_in, money_field)
    low = changes.get("price_from", product.price_from)
    high = changes.get("price_to", product.price_to)
    if low > high:
        raise Invalid("price_from must not exceed price_to", errors=[{
            "loc": ["body", "price_from"], "field": "price_from", "type": "value_error",
            "msg": "above price_to"}])
    _check_refs(session, changes, product.id)
    if "name" in changes:
        changes["name_key"] = _check_name(session, changes["name"], product.id)
    if "lifecycle" in changes:
        wanted = Lifecycle(changes["lifecycle"])
        if why := check_lifecycle(Lifecycle(product.lifecycle), wanted):
            raise Conflict(why)
        changes = _dates(changes, wanted, session, product)
    apply_changes(product, changes)
    publish_changed(session, product)
    session.commit()
    return product


def list_page(*, session: Session, page: PageParams, line: str | None,
              lifecycle: Lifecycle | None, q: str | None) -> tuple[list[Product], str | None]:
    stmt = where_given(select(Product), (Product.line, line), (Product.lifecycle, lifecycle))
    if q:
        pattern = f"%{name_key(q).replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Product.name_key.like(pattern), Product.line.ilike(pattern)))
    return paginate(session, stmt, sort=Product.name_key, key=Product.id, page=page)
