"""Week and month grids of a plan: text for the terminal, HTML for notebooks.

Examples:
    >>> from suo.sop import templates
    >>> view = templates.welfare_weekly().week("2026-W49")
    >>> print(view.to_text().splitlines()[1])
    Week 2026-W49: Mon 2026-11-30 .. Sun 2026-12-06 (Asia/Shanghai)
    >>> "<table" in view._repr_html_()
    True
"""

from __future__ import annotations

import calendar
import html
import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from attrs import frozen

from suo.errors import ScheduleError
from suo.sop._tz import zone
from suo.sop.model import Occurrence, PlanCore

__all__ = ["CalendarView", "month_view", "parse_week", "steps_html", "steps_text", "week_view"]

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_week(week: str | date) -> date:
    """The Monday of an ISO week given as ``"2026-W49"`` or any date in it.

    Examples:
        >>> parse_week("2026-W49")
        datetime.date(2026, 11, 30)
    """
    if isinstance(week, datetime):
        week = week.date()
    if isinstance(week, date):
        return week - timedelta(days=week.weekday())
    m = _WEEK.match(week) if isinstance(week, str) else None
    if m is None:
        raise ScheduleError(f"a week must look like 2026-W49 (ISO week), got {week!r}")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ScheduleError(f"{week!r} is not a real ISO week") from None


@frozen
class CalendarView:
    """Occurrences laid out by local day, for a week or a month.

    Attributes:
        title: heading line.
        subtitle: the period and zone.
        days: the dates shown, in order (whole weeks, Monday first).
        period: the dates that belong to the period (a month's own days).
        by_day: occurrences per local date, sorted by time.
        tz: the zone name times are shown in.
    """

    title: str
    subtitle: str
    days: tuple[date, ...]
    period: frozenset[date]
    by_day: dict[date, tuple[Occurrence, ...]]
    tz: str

    @property
    def occurrences(self) -> list[Occurrence]:
        """Every occurrence in the view, by time."""
        return [o for d in self.days for o in self.by_day.get(d, ())]

    def _many_communities(self) -> bool:
        return len({o.community for o in self.occurrences}) > 1

    def _line(self, o: Occurrence, tz: Any) -> str:
        extra = []
        if o.community and self._many_communities():
            extra.append(o.community)
        if o.member:
            extra.append(f"member {o.member}")
        if o.campaign:
            extra.append(f"campaign {o.campaign}")
        if o.step.channel != "group":
            extra.append(o.step.channel)
        if o.replaces:
            extra.append(f"replaces {o.replaces}")
        tail = f"  [{', '.join(extra)}]" if extra else ""
        return f"  {o.at.astimezone(tz).strftime('%H:%M')}  {o.step.role:<12} {o.step.title}{tail}"

    def to_text(self) -> str:
        """A plain-text agenda, one block per day (days outside the period omitted)."""
        tz = zone(self.tz)
        lines = [self.title, self.subtitle, ""]
        for d in self.days:
            if d not in self.period:
                continue
            lines.append(f"{_DAYS[d.weekday()]} {d.isoformat()}")
            items = self.by_day.get(d, ())
            lines.extend(self._line(o, tz) for o in items) if items else lines.append("  -")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_html(self) -> str:
        """A self-contained HTML table (no external assets), Monday first."""
        tz = zone(self.tz)
        e = html.escape
        many = self._many_communities()
        rows = []
        for i in range(0, len(self.days), 7):
            cells = []
            for d in self.days[i : i + 7]:
                items = []
                for o in self.by_day.get(d, ()):
                    who = f" · {e(o.community)}" if many and o.community else ""
                    sub = f" · {e(o.member)}" if o.member else ""
                    items.append(
                        f'<div class="suo-occ suo-{e(o.step.channel)}" title="{e(o.step.content)}">'
                        f"<b>{o.at.astimezone(tz).strftime('%H:%M')}</b> {e(o.step.title)}"
                        f"<br><small>{e(o.step.role)}{who}{sub}</small></div>"
                    )
                style = "" if d in self.period else ' style="opacity:.45"'
                cells.append(
                    f'<td{style}><div class="suo-day">{d.day if len(self.days) > 7 else d.isoformat()}</div>'
                    + "".join(items)
                    + "</td>"
                )
            rows.append("<tr>" + "".join(cells) + "</tr>")
        head = "".join(f"<th>{d}</th>" for d in _DAYS)
        css = (
            "<style>.suo-cal{border-collapse:collapse;font:13px sans-serif}"
            ".suo-cal td,.suo-cal th{border:1px solid #ccc;vertical-align:top;padding:4px;width:14%}"
            ".suo-day{color:#666;font-size:11px}.suo-occ{margin:3px 0;padding:2px 4px;"
            "border-left:3px solid #4a7;background:#f4faf6}.suo-mass{border-color:#d84}"
            ".suo-private{border-color:#48c}</style>"
        )
        return (
            f'<div class="suo-calendar">{css}<h4>{e(self.title)}</h4><p>{e(self.subtitle)}</p>'
            f'<table class="suo-cal"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _view(
    plan: PlanCore,
    first: date,
    last: date,
    period: set[date],
    tz_name: str,
    subtitle: str,
    kwargs: dict[str, Any],
) -> CalendarView:
    tz = zone(tz_name)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    by_day: dict[date, list[Occurrence]] = defaultdict(list)
    for o in plan.occurrences(start, end, **kwargs):
        by_day[o.at.astimezone(tz).date()].append(o)
    days = tuple(first + timedelta(days=i) for i in range((last - first).days + 1))
    title = f"{plan.id}" + (f" — {plan.title}" if plan.title else "")
    return CalendarView(
        title, subtitle, days, frozenset(period), {d: tuple(v) for d, v in by_day.items()}, tz_name
    )


def week_view(
    plan: PlanCore, week: str | date, *, tz: str | None = None, **kwargs: Any
) -> CalendarView:
    """The ISO week ``week`` of ``plan`` in zone ``tz`` (default: the plan's).

    ``kwargs`` go to :meth:`~suo.sop.Plan.occurrences` (communities, members, campaigns).
    """
    monday = parse_week(week)
    tz_name = tz or plan.tz
    zone(tz_name)
    y, w, _ = monday.isocalendar()
    sunday = monday + timedelta(days=6)
    subtitle = (
        f"Week {y}-W{w:02d}: Mon {monday.isoformat()} .. Sun {sunday.isoformat()} ({tz_name})"
    )
    days = {monday + timedelta(days=i) for i in range(7)}
    return _view(plan, monday, sunday, days, tz_name, subtitle, kwargs)


def month_view(
    plan: PlanCore, year: int, month: int, *, tz: str | None = None, **kwargs: Any
) -> CalendarView:
    """The month ``year``-``month`` of ``plan``, as whole weeks Monday to Sunday."""
    if not 1 <= month <= 12:
        raise ScheduleError(f"month must be 1..12, got {month}")
    tz_name = tz or plan.tz
    zone(tz_name)
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    grid_first = first - timedelta(days=first.weekday())
    grid_last = last + timedelta(days=6 - last.weekday())
    period = {first + timedelta(days=i) for i in range((last - first).days + 1)}
    subtitle = f"{first.strftime('%B %Y')} ({tz_name})"
    return _view(plan, grid_first, grid_last, period, tz_name, subtitle, kwargs)


def steps_text(plan: PlanCore) -> str:
    """The plan's steps as a text table (what ``print(plan.describe())`` shows).

    Examples:
        >>> from suo.sop import templates
        >>> print(steps_text(templates.welfare_weekly()).splitlines()[2])
        mon-quote         weekly Mon 08:30            operator     Morning quote
    """
    head = f"{plan.id}" + (f" — {plan.title}" if plan.title else "") + f" ({plan.tz})"
    lines = [head, ""]
    for st in plan.steps:
        extra = [
            x
            for x in (
                st.channel if st.channel != "group" else "",
                "" if st.scope == "*" else f"scope {st.scope}",
            )
            if x
        ]
        tail = f"  [{', '.join(extra)}]" if extra else ""
        lines.append(f"{st.id:<17} {st.trigger.describe():<27} {st.role:<12} {st.title}{tail}")
    return "\n".join(lines)


def steps_html(plan: PlanCore) -> str:
    """The plan's steps as a self-contained HTML table (the notebook view of a plan)."""
    e = html.escape
    rows = "".join(
        f"<tr><td><code>{e(st.id)}</code></td><td>{e(st.trigger.describe())}</td><td>{e(st.role)}</td>"
        f"<td>{e(st.title)}</td><td>{e(st.channel)}</td><td>{e(st.scope)}</td><td><code>{e(st.content)}</code></td></tr>"
        for st in plan.steps
    )
    head = "".join(
        f"<th>{h}</th>" for h in ("step", "when", "role", "what", "channel", "scope", "content")
    )
    title = e(plan.id) + (f" — {e(plan.title)}" if plan.title else "")
    return (
        f'<div class="suo-plan"><h4>{title} <small>({e(plan.tz)})</small></h4>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )
