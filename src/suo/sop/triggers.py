"""When a step happens: the five trigger kinds, and who or what they hang on.

* :class:`Weekly` — weekdays at a local time ("Mon, Wed 09:00").
* :class:`Recurrence` — an RFC 5545 RRULE with exclusion dates.
* :class:`AfterJoin` — N days or hours after a member joins (per member).
* :class:`CampaignOffset` — T-24h, T0, T+72h around a campaign (per campaign).
* :class:`Once` — one fixed instant.

Member- and campaign-relative triggers expand once per :class:`MemberJoin` /
:class:`Campaign` handed to :meth:`suo.sop.Plan.occurrences`.

Examples:
    >>> from datetime import datetime, timedelta
    >>> from zoneinfo import ZoneInfo
    >>> w = Weekly("MO,FR", "20:00")
    >>> w.describe()
    'weekly Mon, Fri 20:00'
    >>> CampaignOffset.parse("T-24h").offset == timedelta(hours=-24)
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from attrs import Factory, field, frozen

from suo.errors import ScheduleError
from suo.sop._tz import Nonexistent, check_nonexistent, combine, zone
from suo.sop.rrule import RRule

__all__ = [
    "AfterJoin",
    "Campaign",
    "CampaignOffset",
    "Instance",
    "MemberJoin",
    "Once",
    "Recurrence",
    "Trigger",
    "Weekly",
    "parse_days",
]

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_ALIASES = {
    **{c: i for i, c in enumerate(_DAY_CODES)},
    **{n.upper(): i for i, n in enumerate(_DAY_NAMES)},
    "MONDAY": 0, "TUESDAY": 1, "WEDNESDAY": 2, "THURSDAY": 3, "FRIDAY": 4, "SATURDAY": 5,
    "SUNDAY": 6, "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6,
    "周天": 6,
}  # fmt: skip

Instance = tuple[datetime, str | None, str | None]
"""One expanded instant: (aware datetime, member id or None, campaign id or None)."""


def _aware(value: Any, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ScheduleError(
            f"{name} must be an aware datetime (with a zoneinfo.ZoneInfo), got {value!r}"
        )
    return value


def parse_days(days: str | int | Iterable[str | int]) -> tuple[int, ...]:
    """Weekdays as sorted ints (Monday = 0) from ``"MO,WE"``, ``["mon", "周五"]`` or ints.

    Examples:
        >>> parse_days("MO,we,Fri")
        (0, 2, 4)
    """
    items: Iterable[str | int]
    if isinstance(days, str):
        items = [d for d in re.split(r"[,\s]+", days) if d]
    elif isinstance(days, int):
        items = [days]
    else:
        items = list(days)
    out: set[int] = set()
    for d in items:
        if isinstance(d, bool):
            raise ScheduleError(f"weekday {d!r} is not a day")
        if isinstance(d, int):
            if not 0 <= d <= 6:
                raise ScheduleError(f"weekday number {d} is outside 0 (Monday) .. 6 (Sunday)")
            out.add(d)
            continue
        key = str(d).strip().upper()
        if key not in _DAY_ALIASES:
            raise ScheduleError(f"unknown weekday {d!r}; use MO TU WE TH FR SA SU (or Mon .. Sun)")
        out.add(_DAY_ALIASES[key])
    if not out:
        raise ScheduleError("a weekly slot needs at least one weekday, e.g. 'MO,WE,FR'")
    return tuple(sorted(out))


_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def _parse_time(value: time | str) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ScheduleError(f"give a local wall time without tzinfo, got {value!r}")
        return value
    m = _HHMM.match(value) if isinstance(value, str) else None
    if m is not None:
        try:
            return time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
        except ValueError:
            pass
    raise ScheduleError(f"a local time must be like '09:00' or datetime.time(9, 0), got {value!r}")


def _parse_opt_time(value: time | str | None) -> time | None:
    return None if value is None else _parse_time(value)


def _exdates(value: Iterable[datetime | date]) -> tuple[datetime | date, ...]:
    return tuple(value)


def _tz_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    zone(value)  # validates
    return value


@frozen
class MemberJoin:
    """A member who joined at ``joined_at`` (aware), in ``community`` if given.

    Examples:
        >>> from datetime import datetime, UTC
        >>> MemberJoin("u1", datetime(2026, 12, 1, 10, tzinfo=UTC)).id
        'u1'
    """

    id: str
    joined_at: datetime = field()
    community: str | None = None

    @joined_at.validator
    def _check(self, _a: Any, value: Any) -> None:
        _aware(value, "MemberJoin.joined_at")


@frozen
class Campaign:
    """A campaign (flash sale, launch) running from ``start`` to ``end`` (aware).

    Examples:
        >>> from datetime import datetime, timedelta, UTC
        >>> c = Campaign("double12", datetime(2026, 12, 12, 12, tzinfo=UTC))
        >>> c.end - c.start
        datetime.timedelta(days=3)
    """

    id: str
    start: datetime = field()
    end: datetime = field(
        # A flash community has a hard end: 72 hours unless told otherwise.
        default=Factory(lambda self: self.start + timedelta(hours=72), takes_self=True)
    )
    community: str | None = None

    @start.validator
    def _check_start(self, _a: Any, value: Any) -> None:
        _aware(value, "Campaign.start")

    def __attrs_post_init__(self) -> None:
        _aware(self.end, "Campaign.end")
        if self.end < self.start:
            raise ScheduleError(f"campaign {self.id!r} ends ({self.end}) before it starts")


@runtime_checkable
class Trigger(Protocol):
    """What every trigger offers the plan."""

    kind: ClassVar[str]

    def expand(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        members: Sequence[MemberJoin],
        campaigns: Sequence[Campaign],
    ) -> list[Instance]:
        """Instances in ``[start, end)``; ``tz`` is the community's zone."""

    def describe(self) -> str:
        """A short human description ("weekly Mon 09:00")."""


@frozen
class Weekly:
    """Weekdays at a local wall-clock time, in ``tz`` (default: the community's).

    A slot in a DST gap moves forward by the gap (``nonexistent="shift"``, the
    default, so a 02:30 post still goes out on the spring-forward night), or
    is dropped with ``"skip"``; :func:`suo.sop.checks.check` reports either.

    Examples:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> w = Weekly("MO", "09:00")
        >>> [i[0].isoformat() for i in w.expand(datetime(2026, 11, 30, tzinfo=sh),
        ...     datetime(2026, 12, 8, tzinfo=sh), sh, (), ())]
        ['2026-11-30T09:00:00+08:00', '2026-12-07T09:00:00+08:00']
    """

    kind: ClassVar[str] = "weekly"

    days: tuple[int, ...] = field(converter=parse_days)
    at: time = field(converter=_parse_time)
    tz: str | None = field(default=None, converter=_tz_or_none)
    nonexistent: Nonexistent = field(default="shift", converter=check_nonexistent)

    def zone(self, default: tzinfo) -> tzinfo:
        """The zone this slot is read in."""
        return zone(self.tz) if self.tz else default

    def expand(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        members: Sequence[MemberJoin] = (),
        campaigns: Sequence[Campaign] = (),
    ) -> list[Instance]:
        tz = self.zone(tz)
        day = start.astimezone(tz).date() - timedelta(days=1)
        last = end.astimezone(tz).date() + timedelta(days=1)
        wanted = set(self.days)
        out: list[Instance] = []
        # Walk to the first wanted weekday, then step through the week pattern.
        while day <= last:
            if day.weekday() in wanted:
                at = combine(day, self.at, tz, self.nonexistent)
                if at is not None and start <= at < end:
                    out.append((at, None, None))
            day += timedelta(days=1)
        return out

    def rrule(self) -> str:
        """The equivalent RFC 5545 rule (the time comes from DTSTART)."""
        return "FREQ=WEEKLY;BYDAY=" + ",".join(_DAY_CODES[d] for d in self.days)

    def first_on_or_after(self, day: date, tz: tzinfo) -> datetime:
        """The first slot on or after local ``day`` (a DTSTART for iCalendar)."""
        tz = self.zone(tz)
        while day.weekday() not in self.days:
            day += timedelta(days=1)
        at = combine(day, self.at, tz, "shift")
        assert at is not None
        return at

    def gaps(self, start: datetime, end: datetime, tz: tzinfo) -> list[datetime]:
        """Slots in ``[start, end)`` whose local time falls in a DST gap (naive walls)."""
        tz = self.zone(tz)
        out = []
        day = start.astimezone(tz).date() - timedelta(days=1)
        last = end.astimezone(tz).date() + timedelta(days=1)
        while day <= last:
            if day.weekday() in self.days and combine(day, self.at, tz, "skip") is None:
                shifted = combine(day, self.at, tz, "shift")
                assert shifted is not None
                if start <= shifted < end:
                    out.append(datetime.combine(day, self.at))
            day += timedelta(days=1)
        return out

    def describe(self) -> str:
        where = f" ({self.tz})" if self.tz else ""
        return (
            "weekly "
            + ", ".join(_DAY_NAMES[d] for d in self.days)
            + f" {self.at.strftime('%H:%M')}{where}"
        )


@frozen
class Recurrence:
    """An RFC 5545 RRULE from an aware ``dtstart`` (its zone governs), with exdates.

    Examples:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> r = Recurrence("FREQ=MONTHLY;BYDAY=1SA", datetime(2026, 1, 3, 10, tzinfo=sh))
        >>> r.describe()
        'RRULE FREQ=MONTHLY;BYDAY=1SA from 2026-01-03 10:00 Asia/Shanghai'
    """

    kind: ClassVar[str] = "rrule"

    rule: str
    dtstart: datetime
    exdates: tuple[datetime | date, ...] = field(default=(), converter=_exdates)
    nonexistent: Nonexistent = field(default="skip", converter=check_nonexistent)
    rrule: RRule = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        rr = RRule(self.rule, self.dtstart, exdates=self.exdates, nonexistent=self.nonexistent)
        object.__setattr__(self, "rrule", rr)
        object.__setattr__(self, "rule", rr.rule)

    def expand(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        members: Sequence[MemberJoin] = (),
        campaigns: Sequence[Campaign] = (),
    ) -> list[Instance]:
        return [(at, None, None) for at in self.rrule.between(start, end)]

    def gaps(self, start: datetime, end: datetime, tz: tzinfo) -> list[datetime]:
        """Instances RFC 5545 drops because their local time is in a DST gap."""
        return self.rrule.nonexistent_between(start, end)

    def describe(self) -> str:
        key = getattr(self.dtstart.tzinfo, "key", None) or str(self.dtstart.tzinfo)
        return f"RRULE {self.rule} from {self.dtstart.strftime('%Y-%m-%d %H:%M')} {key}"


def _delta(value: timedelta | None) -> timedelta:
    return timedelta(0) if value is None else value


@frozen
class AfterJoin:
    """N days/hours after each member joins.

    With ``at``, the step happens on the local date of joining plus ``days``
    at that local time ("day 1 at 09:00"); without it, exactly ``days`` +
    ``hours`` + ``minutes`` after the join instant ("join day welcome" is
    ``AfterJoin()``).

    Examples:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> m = MemberJoin("u1", datetime(2026, 12, 1, 22, 15, tzinfo=sh))
        >>> a = AfterJoin(days=1, at="09:00")
        >>> a.expand(datetime(2026, 12, 1, tzinfo=sh), datetime(2026, 12, 9, tzinfo=sh), sh, [m], ())[0][0].isoformat()
        '2026-12-02T09:00:00+08:00'
    """

    kind: ClassVar[str] = "after_join"

    days: int = 0
    hours: int = 0
    minutes: int = 0
    at: time | None = field(default=None, converter=_parse_opt_time)

    def __attrs_post_init__(self) -> None:
        for name in ("days", "hours", "minutes"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ScheduleError(f"AfterJoin.{name} must be a whole number >= 0, got {v!r}")
        if self.at is not None and (self.hours or self.minutes):
            raise ScheduleError(
                "AfterJoin takes either at= (a local time on day N) or hours=/minutes=, not both"
            )

    @property
    def offset(self) -> timedelta:
        """The delay after joining (without ``at``)."""
        return timedelta(days=self.days, hours=self.hours, minutes=self.minutes)

    def when(self, member: MemberJoin, tz: tzinfo) -> datetime:
        """The instant for one member."""
        if self.at is None:
            return member.joined_at + self.offset
        day = member.joined_at.astimezone(tz).date() + timedelta(days=self.days)
        at = combine(day, self.at, tz, "shift")
        assert at is not None
        return at

    def expand(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        members: Sequence[MemberJoin] = (),
        campaigns: Sequence[Campaign] = (),
    ) -> list[Instance]:
        out: list[Instance] = []
        for m in members:
            at = self.when(m, tz)
            if start <= at < end:
                out.append((at, m.id, None))
        return out

    def describe(self) -> str:
        if self.at is not None:
            return f"day {self.days} after joining, {self.at.strftime('%H:%M')}"
        if self.offset == timedelta(0):
            return "on joining"
        return f"{_fmt_delta(self.offset)} after joining"


def _fmt_delta(d: timedelta) -> str:
    total = int(d.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    if total % 86400 == 0 and total > 4 * 86400:
        return f"{sign}{total // 86400}d"
    if total % 3600 == 0:
        return f"{sign}{total // 3600}h"
    return f"{sign}{total // 60}m"


_OFFSET = re.compile(r"^T(?:0|([+-])(\d+)([DHM]))$")


@frozen
class CampaignOffset:
    """An offset from a campaign's start (or end): T-24h, T0, T+72h.

    Examples:
        >>> from datetime import datetime, timedelta, UTC
        >>> c = Campaign("c1", datetime(2026, 12, 12, 12, tzinfo=UTC))
        >>> CampaignOffset.parse("T+72h").expand(c.start, c.end + timedelta(hours=1), UTC, (), [c])[0][0]
        datetime.datetime(2026, 12, 15, 12, 0, tzinfo=datetime.timezone.utc)
    """

    kind: ClassVar[str] = "campaign"

    offset: timedelta = timedelta(0)
    anchor: Literal["start", "end"] = "start"

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.offset, timedelta):
            raise ScheduleError(f"CampaignOffset.offset must be a timedelta, got {self.offset!r}")
        if self.anchor not in ("start", "end"):
            raise ScheduleError(
                f"CampaignOffset.anchor must be 'start' or 'end', got {self.anchor!r}"
            )

    @classmethod
    def parse(cls, text: str, *, anchor: Literal["start", "end"] = "start") -> CampaignOffset:
        """``"T-24h"``, ``"T0"``, ``"T+72h"``, ``"T+3d"``, ``"T-30m"``."""
        m = _OFFSET.match("".join(text.split()).upper()) if isinstance(text, str) else None
        if m is None:
            raise ScheduleError(f"campaign offset {text!r} must look like T-24h, T0, T+72h or T+3d")
        if m.group(1) is None:
            return cls(timedelta(0), anchor)
        n = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        unit = {"D": "days", "H": "hours", "M": "minutes"}[m.group(3)]
        return cls(timedelta(**{unit: n}), anchor)

    def expand(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        members: Sequence[MemberJoin] = (),
        campaigns: Sequence[Campaign] = (),
    ) -> list[Instance]:
        out: list[Instance] = []
        for c in campaigns:
            at = (c.start if self.anchor == "start" else c.end) + self.offset
            if start <= at < end:
                out.append((at.astimezone(tz), None, c.id))
        return out

    def describe(self) -> str:
        base = "T" if self.anchor == "start" else "END"
        return base + ("0" if not self.offset else _fmt_delta(self.offset))


@frozen
class Once:
    """One fixed aware instant.

    Examples:
        >>> from datetime import datetime, UTC
        >>> Once(datetime(2026, 12, 31, 23, tzinfo=UTC)).describe()
        'once 2026-12-31 23:00 UTC'
    """

    kind: ClassVar[str] = "once"

    at: datetime = field()

    @at.validator
    def _check(self, _a: Any, value: Any) -> None:
        _aware(value, "Once.at")

    def expand(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        members: Sequence[MemberJoin] = (),
        campaigns: Sequence[Campaign] = (),
    ) -> list[Instance]:
        return [(self.at, None, None)] if start <= self.at < end else []

    def describe(self) -> str:
        key = getattr(self.at.tzinfo, "key", None) or str(self.at.tzinfo)
        return f"once {self.at.strftime('%Y-%m-%d %H:%M')} {key}"


def utc_key(at: datetime) -> datetime:
    """The UTC instant, for sorting aware datetimes from different zones consistently."""
    return at.astimezone(UTC)
