"""Segmentation's API: RFM grid, segments, lists, Pareto, churn, snapshots, value cards."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Manager
from guanxi_shared.csv_export import csv_response
from guanxi_shared.db import local_today
from guanxi_shared.errors import Invalid
from guanxi_shared.models import Day
from guanxi_shared.pagination import PageQuery

from ..domain import clv
from ..schemas.reports import (
    ChurnPeriod,
    Grid,
    MigrationMatrix,
    ParetoReport,
    RecomputeRequest,
    RecomputeResult,
    ScoredCustomer,
    ScoredCustomerPage,
    SegmentSummary,
    SimpleClvRequest,
    SimpleClvResult,
    SnapshotDate,
    ValueCard,
)
from ..store import reports, snapshots
from ..store.scoring import full_recompute
from .deps import VisibleCustomer

router = APIRouter(prefix="/v1")
CSV_COLUMNS = list(ScoredCustomer.model_fields)


@router.get("/rfm/grid", response_model=Grid, tags=["rfm"])
def rfm_grid(session: DbSession, principal: CurrentPrincipal) -> dict[str, Any]:
    run = reports.latest_run(session)
    return {"as_of": run.as_of if run else None, "cells": reports.grid(session, principal)}


@router.get("/segments", response_model=list[SegmentSummary], tags=["segments"])
def list_segments(session: DbSession, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """Each named segment with its rule, strategy, customer count, revenue and at-risk count."""
    return reports.segment_summary(session, principal)


@router.get("/customers", response_model=ScoredCustomerPage, tags=["segments"],
            responses={200: {"content": {"text/csv": {}}}})
def list_scored_customers(
    session: DbSession, principal: CurrentPrincipal, page: PageQuery,
    segment: Annotated[str | None, Query(max_length=40)] = None,
    tier: Literal["invest", "keep", "reconsider"] | None = None,
    at_risk: bool | None = None,
    r_score: Annotated[int | None, Query(ge=1, le=5, description="One RFM grid cell")] = None,
    f_score: Annotated[int | None, Query(ge=1, le=5)] = None,
    owner_id: Annotated[str | None, Query(max_length=64)] = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """Customers of a segment, tier, R×F cell or owner, highest value first; `format=csv`
    downloads the page."""
    rows, cursor = reports.scored_customers(
        session=session, principal=principal, page=page, segment=segment, tier=tier,
        at_risk=at_risk, r_score=r_score, f_score=f_score, owner_id=owner_id)
    items = [ScoredCustomer.model_validate({**score.model_dump(), "name": name, "owner_id": owner})
             for score, name, owner in rows]
    if format == "csv":
        return csv_response((i.model_dump(mode="json") for i in items), CSV_COLUMNS,
                            f"customers-{segment or tier or 'all'}.csv")
    return ScoredCustomerPage(items=items, next_cursor=cursor)


@router.get("/customers/{customer_id}/value", response_model=ValueCard, tags=["value"])
def customer_value(customer: VisibleCustomer,
                   session: DbSession) -> dict[str, Any]:
    """RFM, segment, tier, CLV both ways, probability alive, at-risk reasons and history."""
    return reports.value_card(session, customer)


@router.get("/pareto", response_model=ParetoReport, tags=["pareto"])
def pareto(session: DbSession, principal: CurrentPrincipal,
           measure: Literal["revenue", "profit"] = "revenue") -> dict[str, Any]:
    return reports.pareto_report(session, principal, measure)


@router.get("/churn", response_model=list[ChurnPeriod], tags=["churn"])
def churn(session: DbSession, principal: CurrentPrincipal,
          start: Annotated[Day, Query(alias="from")], end: Annotated[Day, Query(alias="to")],
          period: Literal["month", "quarter", "year"] = "month") -> list[dict[str, Any]]:
    """Customers lost per period, the segments they came from and why, as percentages."""
    if end <= start or (end - start).days > 3660:
        raise Invalid("'to' must be after 'from' and at most ten years later")
    return reports.churn_report(session, principal, start, end, period)


@router.get("/snapshots", response_model=list[SnapshotDate], tags=["snapshots"])
def list_snapshots(session: DbSession, _: CurrentPrincipal) -> list[dict[str, Any]]:
    return snapshots.days(session)


@router.get("/snapshots/migration", response_model=MigrationMatrix, tags=["snapshots"])
def segment_migration(session: DbSession, principal: CurrentPrincipal,
                      start: Annotated[Day, Query(alias="from")],
                      end: Annotated[Day, Query(alias="to")]) -> dict[str, Any]:
    """How customers moved between segments from one date to another: each customer's kept
    scores as of each date (their latest kept row on or before it)."""
    return reports.migration_matrix(session, principal, start, end)


@router.post("/recompute", response_model=RecomputeResult, tags=["snapshots"])
def recompute(request: RecomputeRequest, session: DbSession, _: Manager) -> RecomputeResult:
    """Score every customer now (it also runs nightly); by default also keep the scores as
    of that day (a row for each customer whose kept scores changed). Days are kept in date
    order: keeping one before the latest kept day is a 409."""
    as_of = request.as_of or local_today(session)
    run = full_recompute(session=session, as_of=as_of, snapshot=request.snapshot)
    return RecomputeResult(as_of=run.as_of, customers=run.customers,
                           seconds=round(run.seconds, 3))


@router.post("/clv/simple", response_model=SimpleClvResult, tags=["clv"])
def simple_clv(request: SimpleClvRequest, _: CurrentPrincipal) -> SimpleClvResult:
    """The margin model: what such a customer is worth, so what you may spend to win one."""
    gross = clv.simple_clv(**request.model_dump(exclude={"acquisition_cost"}))
    return SimpleClvResult(lifetime_value=round(gross - request.acquisition_cost, 2),
                           break_even_acquisition_cost=round(gross, 2))


