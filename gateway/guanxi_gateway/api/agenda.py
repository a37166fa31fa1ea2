"""/api/v1/agenda: a rep's day or week from every service: engagement's tasks and birthdays,
the care steps of needs' experience maps, and the open promises (客户体验地图, 答应的事).

Care steps and promises follow the customer's owner, as tasks do: a promise made by whoever
is kept by the rep who answers for the customer now."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from guanxi_shared.auth import Principal, require_scope
from guanxi_shared.models import Day

from ..upstream import gather

router = APIRouter(prefix="/api/v1", tags=["agenda"])
LIMIT = 200
# An API key needs engagement:read; people see what their role lets them see in each service.
Reader = Annotated[Principal, Depends(require_scope("engagement:read"))]


class Agenda(BaseModel):
    assignee_id: str
    start: date
    end: date
    partial: bool = Field(description="True when some service did not answer in time")
    unavailable: list[str] = Field(description="Parts missing from this answer")
    tasks: dict[str, Any] | None = Field(
        description="engagement's agenda: open tasks from start to end with each customer's "
                    "context, and the birthdays")
    care_steps: list[dict[str, Any]] | None = Field(
        description="Open care steps of the assignee's customers due by the end, overdue ones "
                    "included, soonest first")
    promises: list[dict[str, Any]] | None = Field(
        description="Open promises to the assignee's customers, due by the end, overdue ones "
                    "included")


@router.get("/agenda", response_model=Agenda, summary="A rep's agenda across the services")
async def agenda(request: Request, principal: Reader,
                 assignee_id: Annotated[str | None, Query(
                     max_length=64, description="Defaults to the caller")] = None,
                 on: Annotated[Day | None, Query(description="Defaults to today")] = None,
                 span: Literal["day", "week"] = "day") -> Agenda:
    """Each part follows its service's rules on who sees which customer."""
    who = assignee_id or principal.sub
    start = on or datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()
    length = timedelta(days=6 if span == "week" else 0)
    end = start + length if start <= date.max - length else date.max
    due = {"status": "open", "due_to": end.isoformat(), "limit": LIMIT}
    _, parts, unavailable = await gather(request, principal, {
        "tasks": ("engagement", "/v1/agenda", {"assignee_id": who, "on": start.isoformat(),
                                               "span": span, "limit": LIMIT}),
        "care_steps": ("needs", "/v1/care-steps", {**due, "owner_id": who}),
        "promises": ("needs", "/v1/commitments", {**due, "owner_id": who})})
    items = {name: parts[name]["items"] if parts[name] else None
             for name in ("care_steps", "promises")}
    return Agenda(assignee_id=who, start=start, end=end, partial=bool(unavailable),
                  unavailable=unavailable, tasks=parts["tasks"], **items)
