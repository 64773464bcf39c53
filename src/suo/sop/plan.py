"""Plans: steps expanded into occurrences, with their views.

A :class:`Plan` is a list of :class:`Step` s; each step is a trigger (when),
a title and a content reference (what), an assignee role (who) and a
community scope (where). :meth:`Plan.occurrences` expands the plan into
time-ordered :class:`Occurrence` s with ids that are the same in every run
and every process, so a scheduler that restarts never sends a step twice. The steps, the
occurrences and the expansion live in :mod:`suo.sop.model`; this module adds
the views (checks, week and month grids, iCalendar).

Examples:
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from suo.sop import Plan, Step, Weekly
    >>> plan = Plan("demo", [Step("quote", Weekly("MO", "09:00"), "Morning quote")])
    >>> sh = ZoneInfo("Asia/Shanghai")
    >>> occ = plan.occurrences(datetime(2026, 11, 30, tzinfo=sh), datetime(2026, 12, 7, tzinfo=sh))
    >>> [(o.at.isoformat(), o.step.title) for o in occ]
    [('2026-11-30T09:00:00+08:00', 'Morning quote')]
    >>> occ[0].id == plan.occurrences(datetime(2026, 11, 30, tzinfo=sh), datetime(2026, 12, 7, tzinfo=sh))[0].id
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from attrs import frozen

from suo.sop.checks import Limits, Problem, check
from suo.sop.grid import CalendarView, month_view, steps_html, steps_text, week_view
from suo.sop.ical import to_ical
from suo.sop.model import (
    CHANNELS,
    Occurrence,
    Override,
    PlanCore,
    Step,
    Where,
    holidays,
    occurrence_id,
)
from suo.sop.triggers import Campaign, MemberJoin

__all__ = [
    "CHANNELS",
    "Occurrence",
    "Override",
    "Plan",
    "Step",
    "Where",
    "holidays",
    "occurrence_id",
]


@frozen
class Plan(PlanCore):
    """An SOP plan: steps, the default zone, holiday overrides, and anchors.

    The data and the expansion (:meth:`occurrences`, :meth:`iter_by_community`,
    :meth:`bounds`, ...) come from :class:`~suo.sop.model.PlanCore`; this class
    adds the views, each a one-way call into :mod:`suo.sop.checks`,
    :mod:`suo.sop.grid` or :mod:`suo.sop.ical`.

    Attributes:
        id: stable plan identifier (part of every occurrence id).
        steps: the steps; ids must be unique.
        title: a human title.
        tz: zone for communities that do not carry their own.
        overrides: holiday overrides (see :func:`holidays`).
        members: default member joins for member-relative steps.
        campaigns: default campaigns for campaign-relative steps.
        start: first date for iCalendar export of weekly steps.

    Examples:
        >>> from suo.sop import templates
        >>> plan = templates.welfare_weekly()
        >>> sorted({s.role for s in plan.steps})
        ['kol', 'operator', 'owner']
    """

    # -- views and checks -------------------------------------------------

    def check(
        self,
        start: datetime,
        end: datetime,
        limits: Limits | None = None,
        *,
        communities: Iterable[Any] | None = None,
        members: Iterable[MemberJoin] | None = None,
        campaigns: Iterable[Campaign] | None = None,
    ) -> list[Problem]:
        """Problems to fix before scheduling: see :func:`suo.sop.checks.check`."""
        return check(
            self, start, end, limits, communities=communities, members=members, campaigns=campaigns
        )

    def week(self, week: str | date, *, tz: str | None = None, **kwargs: Any) -> CalendarView:
        """A week grid (``"2026-W49"`` or any date in it); see :mod:`suo.sop.grid`."""
        return week_view(self, week, tz=tz, **kwargs)

    def month(self, year: int, month: int, *, tz: str | None = None, **kwargs: Any) -> CalendarView:
        """A month grid; see :mod:`suo.sop.grid`."""
        return month_view(self, year, month, tz=tz, **kwargs)

    def describe(self) -> str:
        """The steps as a text table."""
        return steps_text(self)

    def _repr_html_(self) -> str:
        return steps_html(self)

    def to_ical(self, **kwargs: Any) -> bytes:
        """The plan as an iCalendar file; see :func:`suo.sop.ical.to_ical`."""
        return to_ical(self, **kwargs)
