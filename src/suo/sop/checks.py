"""Checks to run before scheduling: report problems, never drop anything silently.

:func:`check` expands a plan and lists :class:`Problem` s:

* ``clash`` — one role has two different steps in one community whose slots
  overlap (the operator cannot post the quote and the coupon at 10:00 both);
* ``quiet_hours`` — a step lands in the community's quiet hours (local time);
* ``cap`` — a recipient would get more messages in a day/week/month than a
  :class:`MessageCap` allows (mass messages by default);
* ``dst_gap`` — a local time that does not exist on a DST change day; a
  weekly slot was moved forward, an RRULE instance was dropped (RFC 5545);
* ``override`` — a holiday override skipped or replaced an occurrence (info);
* ``unplaced`` — a member- or campaign-relative step with nothing to hang on.

Message caps. WeCom (企业微信) limits how many mass messages (群发) one
external contact (customer) receives from one enterprise. The published
numbers have changed over the years: third-party WeCom help pages describe
"at most 1 mass message per customer per day from the enterprise's admins"
(e.g. Weiban's help centre, 2023) and earlier "at most 4 per customer per
month from the same admin", with 1 per day from each member. suo ships both as
:data:`WECOM_CUSTOMER_DAILY` and :data:`WECOM_CUSTOMER_MONTHLY`, uses the
daily one by default, and lets you set your own: check the current limits in
your WeCom admin console ("客户联系 → 群发工具") before relying on either.

Examples:
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from suo.sop import Plan, Step, Weekly
    >>> sh = ZoneInfo("Asia/Shanghai")
    >>> plan = Plan("p", [Step("a", Weekly("MO", "23:00"), "Late post"),
    ...                   Step("b", Weekly("MO", "23:10"), "Another")])
    >>> sorted({p.kind for p in check(plan, datetime(2026, 11, 30, tzinfo=sh), datetime(2026, 12, 7, tzinfo=sh))})
    ['clash', 'quiet_hours']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any, Literal

from attrs import evolve, field, frozen

from suo.errors import ScheduleError
from suo.sop._tz import zone
from suo.sop.model import CHANNELS, Occurrence, PlanCore, Where
from suo.sop.triggers import Campaign, MemberJoin

__all__ = [
    "WECOM_CUSTOMER_DAILY",
    "WECOM_CUSTOMER_MONTHLY",
    "Limits",
    "MessageCap",
    "Problem",
    "check",
]

Period = Literal["day", "week", "month"]


def _channels(value: Iterable[str]) -> tuple[str, ...]:
    out = tuple(value)
    bad = [c for c in out if c not in CHANNELS]
    if bad:
        raise ScheduleError(f"unknown channels {bad}; use {CHANNELS}")
    return out


@frozen
class MessageCap:
    """At most ``limit`` messages per recipient per ``period`` on ``channels``.

    A community-wide message (no member) reaches every member, so it counts
    for each of them; a member-relative message counts for that member.

    Examples:
        >>> MessageCap(4, "month").describe()
        'at most 4 mass messages per recipient per month'
    """

    limit: int
    period: Period = "month"
    channels: tuple[str, ...] = field(default=("mass",), converter=_channels)
    name: str = ""
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.limit, int) or self.limit < 0:
            raise ScheduleError(f"MessageCap.limit must be a whole number >= 0, got {self.limit!r}")
        if self.period not in ("day", "week", "month"):
            raise ScheduleError(
                f"MessageCap.period must be day, week or month, got {self.period!r}"
            )

    def bucket(self, at: datetime) -> str:
        """The period ``at`` (local) falls in: ``2026-12-01``, ``2026-W49``, ``2026-12``."""
        if self.period == "day":
            return at.date().isoformat()
        if self.period == "week":
            y, w, _ = at.isocalendar()
            return f"{y}-W{w:02d}"
        return f"{at.year}-{at.month:02d}"

    def describe(self) -> str:
        what = "/".join(self.channels)
        return self.name or f"at most {self.limit} {what} messages per recipient per {self.period}"


WECOM_CUSTOMER_DAILY = MessageCap(
    1,
    "day",
    name="WeCom: 1 enterprise mass message per customer per day",
    source="WeCom admin mass messages (客户群发), as described by WeCom help pages in 2023",
)
"""WeCom's per-customer daily limit on enterprise mass messages (the default cap)."""

WECOM_CUSTOMER_MONTHLY = MessageCap(
    4,
    "month",
    name="WeCom: 4 mass messages per customer per month from one admin",
    source="WeCom's earlier rule for admin-created mass messages (企业群发), 2020-2021",
)
"""WeCom's earlier per-customer monthly limit; use it if your account still has it."""


def _caps_tuple(value: Iterable[MessageCap]) -> tuple[MessageCap, ...]:
    return tuple(value)


def _quiet(value: tuple[time, time] | tuple[str, str] | None) -> tuple[time, time] | None:
    if value is None:
        return None
    try:
        a, b = value
        ta = a if isinstance(a, time) else time.fromisoformat(a)
        tb = b if isinstance(b, time) else time.fromisoformat(b)
    except (TypeError, ValueError):
        raise ScheduleError(
            f"quiet_hours must be (start, end) like ('22:00', '08:00'), got {value!r}"
        ) from None
    return ta, tb


@frozen
class Limits:
    """What :func:`check` enforces.

    Attributes:
        quiet_hours: local (start, end); may wrap midnight. ``None``: no quiet hours.
        quiet_channels: channels the quiet hours apply to.
        caps: per-recipient message caps.

    Examples:
        >>> Limits(quiet_hours=("23:00", "07:00")).quiet_hours
        (datetime.time(23, 0), datetime.time(7, 0))
    """

    quiet_hours: tuple[time, time] | None = field(default=(time(22), time(8)), converter=_quiet)
    quiet_channels: tuple[str, ...] = field(default=CHANNELS, converter=_channels)
    caps: tuple[MessageCap, ...] = field(default=(WECOM_CUSTOMER_DAILY,), converter=_caps_tuple)

    def is_quiet(self, local: time) -> bool:
        """True if the local wall time ``local`` is inside the quiet hours."""
        if self.quiet_hours is None:
            return False
        a, b = self.quiet_hours
        if a <= b:
            return a <= local < b
        return local >= a or local < b


@frozen
class Problem:
    """One thing to look at before scheduling.

    Attributes:
        kind: clash, quiet_hours, cap, dst_gap, override or unplaced.
        severity: ``error`` (fix it), ``warning`` (probably fix it), ``info``.
        message: what is wrong and what to do, for a person.
        community: the community id (``""`` for the anonymous one).
        occurrences: the occurrences involved.
    """

    kind: str
    severity: str
    message: str
    community: str = ""
    occurrences: tuple[Occurrence, ...] = ()

    def __str__(self) -> str:
        where = f"[{self.community}] " if self.community else ""
        return f"{self.severity}: {self.kind}: {where}{self.message}"


def _fmt(o: Occurrence) -> str:
    who = f" for {o.member}" if o.member else (f" ({o.campaign})" if o.campaign else "")
    return f"{o.step.id} '{o.step.title}' {o.at.strftime('%a %Y-%m-%d %H:%M')}{who}"


def _clashes(occs: list[Occurrence], cid: str) -> list[Problem]:
    out: list[Problem] = []
    active: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occs:  # sorted by time
        live = [a for a in active[o.role] if a.end > o.at]
        for a in live:
            if a.step.id != o.step.id:
                out.append(
                    Problem(
                        "clash",
                        "error",
                        f"role {o.role!r} has two steps at once: {_fmt(a)} (until "
                        f"{a.end.strftime('%H:%M')}) and {_fmt(o)}; move one or give it to another role",
                        cid,
                        (a, o),
                    )
                )
        live.append(o)
        active[o.role] = live
    return out


def _quiet_problems(occs: list[Occurrence], limits: Limits, cid: str) -> list[Problem]:
    if limits.quiet_hours is None:
        return []
    a, b = limits.quiet_hours
    return [
        Problem(
            "quiet_hours",
            "warning",
            f"{_fmt(o)} is inside quiet hours {a.strftime('%H:%M')}-{b.strftime('%H:%M')} "
            f"({o.at.tzname()}); move it or change Limits.quiet_hours",
            cid,
            (o,),
        )
        for o in occs
        if o.step.channel in limits.quiet_channels
        and limits.is_quiet(o.at.timetz().replace(tzinfo=None))
    ]


def _caps(occs: list[Occurrence], limits: Limits, cid: str) -> list[Problem]:
    out: list[Problem] = []
    for cap in limits.caps:
        everyone: dict[str, list[Occurrence]] = defaultdict(list)
        personal: dict[tuple[str, str], list[Occurrence]] = defaultdict(list)
        for o in occs:
            if o.step.channel not in cap.channels:
                continue
            bucket = cap.bucket(o.at)
            if o.member is None:
                everyone[bucket].append(o)
            else:
                personal[(o.member, bucket)].append(o)
        for bucket, items in everyone.items():
            if len(items) > cap.limit:
                out.append(
                    Problem(
                        "cap",
                        "error",
                        f"every member would get {len(items)} messages in {bucket}, over "
                        f"{cap.describe()}; the ones past the cap: "
                        + "; ".join(_fmt(o) for o in items[cap.limit :]),
                        cid,
                        tuple(items[cap.limit :]),
                    )
                )
        for (member, bucket), items in personal.items():
            total = everyone.get(bucket, []) + items
            if len(total) > cap.limit:
                total.sort(key=lambda o: o.utc)
                out.append(
                    Problem(
                        "cap",
                        "error",
                        f"member {member!r} would get {len(total)} messages in {bucket}, over "
                        f"{cap.describe()}",
                        cid,
                        tuple(total[cap.limit :]),
                    )
                )
    return out


def check(
    plan: PlanCore,
    start: datetime,
    end: datetime,
    limits: Limits | None = None,
    *,
    communities: Iterable[Any] | None = None,
    members: Iterable[MemberJoin] | None = None,
    campaigns: Iterable[Campaign] | None = None,
) -> list[Problem]:
    """Every :class:`Problem` of ``plan`` in ``[start, end)``; an empty list means go.

    Args:
        plan: the plan.
        start: aware datetime, inclusive.
        end: aware datetime, exclusive.
        limits: quiet hours and caps (default :class:`Limits()`).
        communities: as for :meth:`~suo.sop.Plan.occurrences`.
        members: as for :meth:`~suo.sop.Plan.occurrences`.
        campaigns: as for :meth:`~suo.sop.Plan.occurrences`.
    """
    limits = Limits() if limits is None else limits
    start, end = plan.bounds(start, end)
    comms = None if communities is None else list(communities)
    mem = None if members is None else list(members)
    cam = None if campaigns is None else list(campaigns)
    problems: list[Problem] = []
    kinds = {s.trigger.kind for s in plan.steps}
    if "after_join" in kinds and not (plan.members if mem is None else mem):
        problems.append(
            Problem(
                "unplaced",
                "warning",
                "the plan has member-relative steps but no members were given; pass members=",
            )
        )
    if "campaign" in kinds and not (plan.campaigns if cam is None else cam):
        problems.append(
            Problem(
                "unplaced",
                "warning",
                "the plan has campaign-relative steps but no campaigns were given; pass campaigns=",
            )
        )
    bare = evolve(plan, overrides=()) if plan.overrides else None
    bare_iter = (
        bare.iter_by_community(start, end, comms, members=mem, campaigns=cam)
        if bare is not None
        else None
    )
    gaps_done: set[str] = set()
    for cid, occs in plan.iter_by_community(start, end, comms, members=mem, campaigns=cam):
        problems += _clashes(occs, cid)
        problems += _quiet_problems(occs, limits, cid)
        problems += _caps(occs, limits, cid)
        if bare_iter is not None:
            _bcid, before = next(bare_iter)
            kept = {(o.step.id, o.utc, o.member, o.campaign) for o in occs if o.replaces is None}
            kept |= {(o.replaces, o.utc, o.member, o.campaign) for o in occs if o.replaces}
            replaced = {(o.replaces, o.utc, o.member, o.campaign): o for o in occs if o.replaces}
            for o in before:
                key = (o.step.id, o.utc, o.member, o.campaign)
                if key in replaced:
                    r = replaced[key]
                    problems.append(
                        Problem(
                            "override",
                            "info",
                            f"{_fmt(o)} is replaced by {r.step.id} '{r.step.title}' (holiday override)",
                            cid,
                            (o, r),
                        )
                    )
                elif key not in kept:
                    reason = next(
                        (ov.reason for ov in plan.overrides if ov.matches(o.step.id, o.at.date())),
                        "",
                    )
                    problems.append(
                        Problem(
                            "override",
                            "info",
                            f"{_fmt(o)} is skipped (holiday override{': ' + reason if reason else ''})",
                            cid,
                            (o,),
                        )
                    )
    wheres = [Where("")] if comms is None else [Where.of(c) for c in comms]
    for w in wheres:
        tzname = w.tz or plan.tz
        if tzname in gaps_done:
            continue
        gaps_done.add(tzname)
        tz = zone(tzname)
        for step in plan.steps:
            gaps = getattr(step.trigger, "gaps", None)
            if gaps is None:
                continue
            for wall in gaps(start, end, tz):
                moved = getattr(step.trigger, "nonexistent", "skip") == "shift"
                what = (
                    "moved forward past the gap"
                    if moved
                    else "dropped, as RFC 5545 3.3.10 requires"
                )
                problems.append(
                    Problem(
                        "dst_gap",
                        "warning",
                        f"step {step.id} '{step.title}' at {wall.strftime('%Y-%m-%d %H:%M')} does not "
                        f"exist in {tzname} (DST change); it is {what}",
                    )
                )
    return problems
