"""Selling from needs: purchases as needs knows them, launch call lists, and suggestions.

A launch's call list is computed in SQL for the whole customer base at once: every matching
need and purchased product becomes a row of evidence (INSERT ... SELECT), and the call list
is those rows summed per customer, ranked with a window function.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlmodel import Session

from guanxi_shared.auth import Principal
from guanxi_shared.db import get_or_404, local_today, refresh_statistics, upsert
from guanxi_shared.errors import Conflict, NotFound
from guanxi_shared.models import utcnow
from guanxi_shared.pagination import PageParams, paginate

from ..domain.need_flow import UNMET
from ..domain.products import Lifecycle, name_key
from ..domain.selling import (
    NEED_POINTS,
    PURCHASE_POINTS,
    RESTRICTIVE_NEED_POINTS,
    CallStatus,
    EvidenceKind,
)
from ..schemas.needs import NeedClass
from ..schemas.products import (
    CallOutcome,
    CallRead,
    EvidenceRead,
    LaunchCreate,
    LaunchKind,
    Suggestion,
    SuggestionKind,
)
from .access import apply_changes, scoped, visible_condition, visible_customer
from .products import pitch, publish_changed
from .tables import (
    CustomerRef,
    LaunchCall,
    LaunchEvidence,
    Need,
    Product,
    ProductLaunch,
    PurchaseLineRef,
)

UNMET_STATUSES = [s.value for s in UNMET]


# --- purchases (registry `purchase.recorded`) -------------------------------------------------

def _amount(line: dict[str, Any]) -> Decimal:
    try:
        return (Decimal(str(line.get("quantity", 1))) *
                Decimal(str(line.get("unit_price", 0)))).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal(0)


def record_purchase(session: Session, purchase: dict[str, Any]) -> None:
    """Keep each named line of a purchase; refunds (negative lines) are not purchases."""
    now = utcnow()
    rows = [{"purchase_id": purchase["id"], "line_no": n, "customer_id": purchase["customer_id"],
             "product_id": line.get("product_id"), "product_key": name_key(line["product"])[:200],
             "purchased_on": date.fromisoformat(purchase["purchased_on"]),
             "amount": _amount(line), "created_at": now, "updated_at": now}
            for n, line in enumerate(purchase.get("lines") or [])
            if line.get("product") and _amount(line) >= 0]
    upsert(session, PurchaseLineRef.__table__, rows, key=["purchase_id", "line_no"])


def products_named(session: Session, purchase: dict[str, Any]) -> set[str]:
    """The catalogue products a purchase's lines name, by id or by name."""
    lines = [ln for ln in purchase.get("lines") or [] if ln.get("product")]
    ids = {ln["product_id"] for ln in lines if ln.get("product_id")}
    keys = {name_key(ln["product"]) for ln in lines if not ln.get("product_id")}
    if ids or keys:
        ids = set(session.scalars(select(Product.id).where(
            or_(Product.id.in_(ids), Product.name_key.in_(keys)))))
    return ids


def _matched_product():
    """Join condition: a purchase line is this product by id, or by name when it names none."""
    return or_(PurchaseLineRef.product_id == Product.id,
               and_(PurchaseLineRef.product_id.is_(None),
                    PurchaseLineRef.product_key == Product.name_key))


# --- launches and their call lists -----------------------------------------------------------

def launch(*, session: Session, principal: Principal, product: Product,
           launch_in: LaunchCreate) -> ProductLaunch:
    """Record the launch or upgrade and compute who to call, best fit first."""
    if product.lifecycle == Lifecycle.retired:
        raise Conflict("A retired product cannot be launched; put it back on sale first")
    if launch_in.kind == LaunchKind.upgrade and product.lifecycle == Lifecycle.new:
        raise Conflict("An upgrade is of a product already on sale; launch a new one instead")
    on = launch_in.launched_on or local_today(session)
    row = ProductLaunch(product_id=product.id, kind=launch_in.kind.value, launched_on=on,
                        note=launch_in.note, created_by=principal.sub)
    session.add(row)
    if product.launched_on is None:
        apply_changes(product, {"launched_on": on})
        publish_changed(session, product)
    session.flush()
    _collect_evidence(session, row.id, product)
    row.calls = _rank_calls(session, row.id)
    # a launch adds tens of thousands of rows that reps page through at once: without fresh
    # statistics the planner expects a few and joins every row to the customer first
    refresh_statistics(session, "launch_call", "launch_evidence")
    session.commit()
    return row


def _collect_evidence(session: Session, launch_id: str, product: Product) -> None:
    columns = ["launch_id", "customer_id", "kind", "ref_id", "detail", "points", "evidence_on"]
    if product.category_ids:
        points = case((Need.need_class == NeedClass.restrictive.value, RESTRICTIVE_NEED_POINTS),
                      else_=case(NEED_POINTS, value=Need.urgency, else_=0))
        needs = (select(literal(launch_id), Need.customer_id, literal(EvidenceKind.need.value),
                        Need.id, Need.description, points, Need.recorded_on)
                 .join(CustomerRef, CustomerRef.id == Need.customer_id)
                 .where(Need.category_id.in_(product.category_ids),
                        Need.status.in_(UNMET_STATUSES)))
        session.execute(insert(LaunchEvidence).from_select(columns, needs))
    kinds = _candidates(session, product)
    keys = {p.name_key: p.id for p in session.scalars(select(Product).where(
        Product.id.in_(kinds)))}
    # each purchase line as (customer, product): by the id it names, else by its name; two
    # index lookups instead of one OR join over every line
    matched = union_all(
        select(PurchaseLineRef.customer_id, PurchaseLineRef.product_id.label("product_id"),
               PurchaseLineRef.purchased_on)
        .where(PurchaseLineRef.product_id.in_(kinds)),
        select(PurchaseLineRef.customer_id, Product.id.label("product_id"),
               PurchaseLineRef.purchased_on)
        .join(Product, Product.name_key == PurchaseLineRef.product_key)
        # "no product id" as an expression, so the planner looks lines up by name (the index on
        # product_id would walk every line that names none)
        .where(PurchaseLineRef.product_key.in_(keys), Product.id.in_(kinds),
               func.coalesce(PurchaseLineRef.product_id, "") == "")).subquery()
    kind = case({pid: k.value for pid, k in kinds.items()}, value=matched.c.product_id)
    bought = (select(matched.c.customer_id.label("customer_id"), kind.label("kind"),
                     matched.c.product_id.label("ref_id"),
                     func.max(matched.c.purchased_on).label("evidence_on"))
              .join(CustomerRef, CustomerRef.id == matched.c.customer_id)
              .group_by(matched.c.customer_id, matched.c.product_id).subquery())
    points = case({k.value: v for k, v in PURCHASE_POINTS.items()}, value=bought.c.kind)
    session.execute(insert(LaunchEvidence).from_select(columns, select(
        literal(launch_id), bought.c.customer_id, bought.c.kind, bought.c.ref_id,
        Product.name, points, bought.c.evidence_on)
        .join(Product, Product.id == bought.c.ref_id)))


def _candidates(session: Session, product: Product) -> dict[str, EvidenceKind]:
    """The products whose buyers fit this one, and how: the catalogue is small, so in Python."""
    kinds: dict[str, EvidenceKind] = {}
    for other in session.scalars(select(Product).where(Product.id != product.id)):
        if product.id in other.related_product_ids or product.id in other.back_end_product_ids:
            kinds[other.id] = EvidenceKind.related
        elif other.line == product.line:
            kinds[other.id] = EvidenceKind.same_line
    kinds[product.id] = EvidenceKind.bought_this
    return kinds


def _rank_calls(session: Session, launch_id: str) -> int:
    summed = (select(LaunchEvidence.customer_id.label("customer_id"),
                     func.sum(LaunchEvidence.points).label("score"),
                     func.max(LaunchEvidence.evidence_on).label("latest"))
              .where(LaunchEvidence.launch_id == launch_id)
              .group_by(LaunchEvidence.customer_id).subquery())
    position = func.row_number().over(order_by=(summed.c.score.desc(), summed.c.latest.desc(),
                                                summed.c.customer_id))
    now = utcnow()
    session.execute(insert(LaunchCall).from_select(
        ["launch_id", "customer_id", "position", "score", "latest_evidence_on", "status",
         "version", "created_at", "updated_at"],
        select(literal(launch_id), summed.c.customer_id, position, summed.c.score,
               summed.c.latest, literal(CallStatus.to_call.value), literal(1), literal(now, LaunchCall.created_at.type),
               literal(now, LaunchCall.updated_at.type))))
    return session.scalar(select(func.count()).select_from(LaunchCall)
                          .where(LaunchCall.launch_id == launch_id)) or 0


def get_launch(*, session: Session, launch_id: str) -> ProductLaunch:
    return get_or_404(session, ProductLaunch, launch_id, "Launch")


def launches_page(*, session: Session, page: PageParams,
                  product_id: str | None) -> tuple[list[ProductLaunch], str | None]:
    stmt = select(ProductLaunch)
    if product_id is not None:
        stmt = stmt.where(ProductLaunch.product_id == product_id)
    return paginate(session, stmt, sort=ProductLaunch.created_at, key=ProductLaunch.id,
                    page=page, descending=True)


def calls_page(*, session: Session, principal: Principal, launch: ProductLaunch,
               page: PageParams, owner_id: str | None,
               status: str | None) -> tuple[list[CallRead], str | None]:
    """The call list as the caller may see it (a rep: their own customers), best fit first."""
    stmt = scoped(select(LaunchCall, CustomerRef.name, CustomerRef.owner_id), principal,
                  LaunchCall).where(LaunchCall.launch_id == launch.id)
    if owner_id is not None:
        stmt = stmt.where(CustomerRef.owner_id == owner_id)
    if status is not None:
        stmt = stmt.where(LaunchCall.status == status)
    rows, cursor = paginate(session, stmt, sort=LaunchCall.position, key=LaunchCall.customer_id,
                            page=page)
    reasons = _reasons(session, launch.id, [r[0].customer_id for r in rows])
    return [_call_read(call, name, owner, reasons.get(call.customer_id, []))
            for call, name, owner in rows], cursor


def _reasons(session: Session, launch_id: str,
             customer_ids: list[str]) -> dict[str, list[EvidenceRead]]:
    found: dict[str, list[EvidenceRead]] = {}
    if not customer_ids:
        return found
    for e in session.scalars(select(LaunchEvidence).where(
            LaunchEvidence.launch_id == launch_id, LaunchEvidence.customer_id.in_(customer_ids))
            .order_by(LaunchEvidence.points.desc(), LaunchEvidence.evidence_on.desc(),
                      LaunchEvidence.id)):
        found.setdefault(e.customer_id, []).append(EvidenceRead.model_validate(e))
    return found


def _call_read(call: LaunchCall, name: str, owner_id: str | None,
               reasons: list[EvidenceRead]) -> CallRead:
    return CallRead.model_validate({**call.model_dump(), "customer_name": name,
                                    "owner_id": owner_id, "reasons": reasons})


def get_call(*, session: Session, principal: Principal, launch_id: str,
             customer_id: str) -> tuple[LaunchCall, str, str | None]:
    stmt = (select(LaunchCall, CustomerRef.name, CustomerRef.owner_id)
            .join(CustomerRef, CustomerRef.id == LaunchCall.customer_id)
            .where(LaunchCall.launch_id == launch_id, LaunchCall.customer_id == customer_id))
    if (cond := visible_condition(principal)) is not None:
        stmt = stmt.where(cond)
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(f"Customer {customer_id} is not on the call list of launch {launch_id}")
    return row[0], row[1], row[2]


def call_read(*, session: Session, call: LaunchCall, name: str, owner_id: str | None) -> CallRead:
    return _call_read(call, name, owner_id,
                      _reasons(session, call.launch_id, [call.customer_id]).get(
                          call.customer_id, []))


def record_outcome(*, session: Session, principal: Principal, call: LaunchCall,
                   outcome: CallOutcome) -> LaunchCall:
    done = outcome.status is not CallStatus.to_call
    apply_changes(call, {"status": outcome.status.value, "outcome_note": outcome.note,
                         "called_by": principal.sub if done else None,
                         "called_at": utcnow() if done else None})
    session.commit()
    return call


def repoint_customer(session: Session, merged_id: str, into_id: str) -> None:
    """On a merge: purchases move; call list rows of the merged customer are dropped where the
    surviving one is on the same list already (its own evidence stays)."""
    session.execute(update(PurchaseLineRef).where(PurchaseLineRef.customer_id == merged_id)
                    .values(customer_id=into_id))
    both = select(LaunchCall.launch_id).where(LaunchCall.customer_id == into_id)
    session.execute(delete(LaunchCall).where(LaunchCall.customer_id == merged_id,
                                             LaunchCall.launch_id.in_(both)))
    for model in (LaunchCall, LaunchEvidence):
        session.execute(update(model).where(model.customer_id == merged_id)
                        .values(customer_id=into_id))


# --- suggestions on the customer's context (正相关, 后端销售) -----------------------------------

def suggestions(*, session: Session, principal: Principal, customer_id: str) -> list[Suggestion]:
    """Products to bring up next: what goes with what they bought, the back-end sale after a
    first deal, and products answering their open positively correlated needs."""
    visible_customer(session=session, principal=principal, customer_id=customer_id)
    catalogue = {p.id: p for p in session.scalars(select(Product))}
    bought: dict[str, date] = dict(session.execute(
        select(Product.id, func.max(PurchaseLineRef.purchased_on))
        .join(Product, _matched_product())
        .where(PurchaseLineRef.customer_id == customer_id).group_by(Product.id)).tuples().all())
    found: dict[str, Suggestion] = {}

    def offer(product_id: str, kind: SuggestionKind, because: str) -> None:
        p = catalogue.get(product_id)
        if p is None or p.lifecycle == Lifecycle.retired or p.id in bought or p.id in found:
            return
        found[p.id] = Suggestion(product_id=p.id, product_name=p.name, line=p.line, kind=kind,
                                 because=because, pitch=pitch(p))

    for pid, last in sorted(bought.items(), key=lambda kv: kv[1], reverse=True):
        source = catalogue[pid]
        for other in source.back_end_product_ids:
            offer(other, SuggestionKind.back_end,
                  f"后端销售: bought {source.name} on {last.isoformat()}; the next sale after it")
        for other in source.related_product_ids:
            offer(other, SuggestionKind.related,
                  f"正相关: goes with {source.name}, bought on {last.isoformat()}")
    needs = session.execute(select(Need.id, Need.category_id, Need.description).where(
        Need.customer_id == customer_id, Need.status.in_(UNMET_STATUSES),
        Need.need_class == NeedClass.positively_correlated.value,
        Need.category_id.is_not(None)).order_by(Need.recorded_on.desc(), Need.id)).all()
    for need_id, category_id, description in needs:
        for p in sorted(catalogue.values(), key=lambda p: p.name_key):
            if category_id in p.category_ids:
                offer(p.id, SuggestionKind.correlated_need,
                      f"正相关需求 {need_id}: {description[:200]}")
    return list(found.values())
