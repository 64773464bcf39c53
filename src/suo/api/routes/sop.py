"""``/sop/templates``: the built-in SOP plans, as a week of occurrences or an iCalendar.

Needs ``links:read``. ``start`` names a week as an ISO week (``2026-W49``) or
any date in it; without it, the current week in ``tz``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from suo.api.deps import require, shortener_of
from suo.errors import NotFound, ScheduleError
from suo.shortener.service import Shortener
from suo.sop import templates
from suo.sop._tz import zone
from suo.sop.grid import parse_week, week_view
from suo.sop.plan import Plan

__all__ = ["OccurrenceOut", "TemplateOut", "WeekOut", "router"]

router = APIRouter(prefix="/sop/templates", tags=["SOP"], dependencies=[require("links:read")])

S = Annotated[Shortener, Depends(shortener_of)]
Week = Annotated[
    str | None,
    Query(max_length=32, description="an ISO week (2026-W49) or a date in it (2026-12-02)"),
]
Tz = Annotated[str | None, Query(max_length=64, description="IANA zone (default the plan's)")]


class TemplateOut(BaseModel):
    """A built-in plan."""

    name: str
    title: str | None
    tz: str
    steps: list[str] = Field(description="step ids, in plan order")


class TemplateList(BaseModel):
    """Every built-in plan."""

    templates: list[TemplateOut]


class OccurrenceOut(BaseModel):
    """One step at one instant."""

    id: str
    step: str
    title: str
    content: str
    role: str
    channel: str
    at: datetime = Field(description="in the view's zone")
    end: datetime
    member: str | None
    campaign: str | None


class WeekOut(BaseModel):
    """A plan's ISO week."""

    template: str
    week: str
    tz: str
    start: date
    end: date
    occurrences: list[OccurrenceOut]


def _plan(name: str) -> Plan:
    key = name.strip().lower().replace("_", "-")
    if key not in templates.TEMPLATES:
        raise NotFound(f"no SOP template {name!r}; have {', '.join(sorted(templates.TEMPLATES))}")
    return templates.get(key)


def _week(s: Shortener, start: str | None, tz: tzinfo) -> date:
    if start is None:
        return parse_week(s.clock().astimezone(tz).date())
    try:
        monday = parse_week(date.fromisoformat(start.strip()))
    except ValueError:
        monday = parse_week(start)
    if not date(2000, 1, 1) <= monday <= date(2100, 1, 1):
        raise ScheduleError(f"start must be within 2000..2100, got {monday}")
    return monday


@router.get("", response_model=TemplateList)
def list_templates() -> TemplateList:
    """The built-in plans' names, titles, zones and steps."""
    out = []
    for name in sorted(templates.TEMPLATES):
        plan = templates.get(name)
        out.append(
            TemplateOut(name=name, title=plan.title, tz=plan.tz, steps=[s.id for s in plan.steps])
        )
    return TemplateList(templates=out)


@router.get("/{name}/week", response_model=WeekOut)
def template_week(name: str, s: S, start: Week = None, tz: Tz = None) -> WeekOut:
    """One ISO week of a plan, its occurrences in time order (times in ``tz``).

    Relative steps need anchors (a member's join, a campaign's start) the
    built-in templates do not carry, so ``flash-72h`` and
    ``traffic-onboarding`` have no occurrences here; ``welfare-weekly`` does.
    """
    plan = _plan(name)
    zone_name = (tz or plan.tz).strip()
    z = zone(zone_name)
    monday = _week(s, start, z)
    view = week_view(plan, monday, tz=zone_name)
    y, w, _ = monday.isocalendar()
    return WeekOut(
        template=plan.id,
        week=f"{y}-W{w:02d}",
        tz=zone_name,
        start=monday,
        end=monday + timedelta(days=6),
        occurrences=[
            OccurrenceOut(
                id=o.id,
                step=o.step.id,
                title=o.step.title,
                content=o.step.content,
                role=o.step.role,
                channel=o.step.channel,
                at=o.at.astimezone(z),
                end=o.end.astimezone(z),
                member=o.member,
                campaign=o.campaign,
            )
            for o in view.occurrences
        ],
    )


@router.get(
    "/{name}/ical",
    response_class=Response,
    responses={200: {"description": "an RFC 5545 calendar", "content": {"text/calendar": {}}}},
)
def template_ical(
    name: str,
    start: Annotated[
        date | None, Query(description="first date of weekly steps (default the plan's)")
    ] = None,
) -> Response:
    """The plan as an iCalendar file to subscribe to or import."""
    plan = _plan(name)
    if start is not None and not date(2000, 1, 1) <= start <= date(2100, 1, 1):
        raise ScheduleError(f"start must be within 2000..2100, got {start}")
    return Response(
        plan.to_ical(start=start),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{plan.id}.ics"'},
    )
