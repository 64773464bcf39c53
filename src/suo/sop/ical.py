"""iCalendar export of a plan, on the ``icalendar`` package.

One VEVENT per step: recurring steps (weekly slots, RRULEs) carry their RRULE
and EXDATEs, with DTSTART in the step's zone (``TZID``) and a VTIMEZONE for
every zone used, so calendar apps keep 09:00 at 09:00 across DST. Holiday
overrides become EXDATEs plus one VEVENT per replacement. Member- and
campaign-relative steps have no fixed time of their own: they are exported
once per member / campaign the plan (or the call) carries, and left out when
there are none.

Examples:
    >>> import icalendar
    >>> from suo.sop import templates
    >>> cal = icalendar.Calendar.from_ical(templates.welfare_weekly().to_ical())
    >>> len(cal.walk("VEVENT"))
    8
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar

from suo.sop._tz import zone
from suo.sop.model import PlanCore, Step
from suo.sop.rrule import RRule
from suo.sop.triggers import Campaign, MemberJoin, Once, Recurrence, Weekly

__all__ = ["DEFAULT_START", "to_ical"]

DEFAULT_START = date(2026, 1, 1)
"""First date of exported weekly steps when neither ``start=`` nor ``plan.start`` is set.
A fixed date keeps the export byte-for-byte reproducible."""

_FAR_PAST = datetime(1900, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(2200, 1, 1, tzinfo=UTC)


def _describe(step: Step, extra: str = "") -> str:
    lines = [
        f"role: {step.role}",
        f"channel: {step.channel}",
        f"trigger: {step.trigger.describe()}",
    ]
    if step.content:
        lines.append(f"content: {step.content}")
    if extra:
        lines.append(extra)
    return "\n".join(lines)


def _event(
    plan: PlanCore, step: Step, uid: str, at: datetime, stamp: datetime, extra: str = ""
) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("summary", step.title)
    ev.add("description", _describe(step, extra))
    ev.add("categories", [step.role])
    ev.add("dtstart", at)
    ev.add("dtend", at + step.duration)
    ev.add("x-suo-plan", plan.id)
    ev.add("x-suo-step", step.id)
    return ev


def to_ical(
    plan: PlanCore,
    *,
    start: date | None = None,
    members: Iterable[MemberJoin] | None = None,
    campaigns: Iterable[Campaign] | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """The plan as an RFC 5545 calendar (bytes, CRLF lines).

    Args:
        plan: the plan.
        start: first date of weekly steps (default ``plan.start``, else
            :data:`DEFAULT_START`).
        members, campaigns: anchors for relative steps (default the plan's).
        stamp: the DTSTAMP (default: midnight UTC of the start date, so the
            output is reproducible; pass ``now`` if you want the real time).
    """
    first = start or plan.start or DEFAULT_START
    if isinstance(first, datetime):
        first = first.date()
    stamp = stamp or datetime.combine(first, time(0), tzinfo=UTC)
    tz = zone(plan.tz)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//suo//SOP calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", plan.title or plan.id)
    cal.add("x-wr-timezone", plan.tz)
    mem = list(plan.members if members is None else members)
    cam = list(plan.campaigns if campaigns is None else campaigns)
    for step in plan.steps:
        trig = step.trigger
        uid = f"{plan.id}/{step.id}@suo"
        if isinstance(trig, Weekly):
            dtstart = trig.first_on_or_after(first, tz)
            ev = _event(plan, step, uid, dtstart, stamp)
            ev.add("rrule", icalendar.vRecur.from_ical(trig.rrule()))
            _overrides(cal, plan, step, ev, dtstart, trig.zone(tz), stamp)
            cal.add_component(ev)
        elif isinstance(trig, Recurrence):
            ev = _event(plan, step, uid, trig.dtstart, stamp)
            ev.add("rrule", icalendar.vRecur.from_ical(trig.rule))
            exdates = [x for x in trig.exdates if isinstance(x, datetime)]
            dt_zone = trig.dtstart.tzinfo
            excluded_days = [x for x in trig.exdates if not isinstance(x, datetime)]
            if excluded_days:
                # A whole excluded day: EXDATE takes instants, so name every
                # instance the rule (without exclusions) has on that local day.
                plain = RRule(trig.rule, trig.dtstart, nonexistent=trig.nonexistent)
                for day in excluded_days:
                    start = datetime.combine(day, time(), dt_zone)
                    exdates.extend(plain.between(start, start + timedelta(days=1)))
            if exdates:
                ev.add(
                    "exdate",
                    [
                        x.astimezone(dt_zone) if x.tzinfo else x.replace(tzinfo=dt_zone)
                        for x in exdates
                    ],
                )
            _overrides(cal, plan, step, ev, trig.dtstart, trig.rrule.tz, stamp)
            cal.add_component(ev)
        elif isinstance(trig, Once):
            cal.add_component(_event(plan, step, uid, trig.at, stamp))
        else:
            for at, member, campaign in trig.expand(_FAR_PAST, _FAR_FUTURE, tz, mem, cam):
                who = member or campaign or ""
                extra = f"member: {member}" if member else f"campaign: {campaign}"
                cal.add_component(
                    _event(
                        plan,
                        step,
                        f"{plan.id}/{step.id}/{who}@suo",
                        at.astimezone(tz),
                        stamp,
                        extra,
                    )
                )
    # VTIMEZONE rules from the earliest event on (not icalendar's 1970 default),
    # so a zone's long-gone DST history does not bloat the file.
    starts = [e.decoded("DTSTART") for e in cal.walk("VEVENT")]
    lo = min((d.date() for d in starts), default=first)
    cal.add_missing_timezones(
        first_date=date(lo.year, 1, 1), last_date=max(date(2038, 1, 1), date(lo.year + 20, 1, 1))
    )
    data: bytes = cal.to_ical()
    return data


def _overrides(
    cal: icalendar.Calendar,
    plan: PlanCore,
    step: Step,
    ev: icalendar.Event,
    dtstart: datetime,
    tz: Any,
    stamp: datetime,
) -> None:
    """EXDATE the overridden dates of a recurring step; add replacement events."""
    hits = [o for o in plan.overrides if not o.steps or step.id in o.steps]
    if not hits:
        return
    days = sorted({o.on for o in hits})
    lo = datetime.combine(days[0], time(0), tzinfo=tz)
    hi = datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=tz)
    bare = step.trigger.expand(max(lo, dtstart), hi, tz, (), ())
    ex = []
    for at, _m, _c in bare:
        ov = next((o for o in hits if o.on == at.astimezone(tz).date()), None)
        if ov is None:
            continue
        ex.append(at)
        if ov.replace is not None:
            cal.add_component(
                _event(
                    plan, ov.replace, f"{plan.id}/{ov.replace.id}/{step.id}/{ov.on.isoformat()}@suo",
                    at, stamp, f"replaces: {step.id}" + (f" ({ov.reason})" if ov.reason else ""),
                )
            )  # fmt: skip
    if ex:
        ev.add("exdate", ex)
