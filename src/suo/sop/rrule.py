"""RFC 5545 recurrence rules over aware datetimes: :class:`RRule`.

``dateutil.rrule`` does the calendar arithmetic (BYxxx expansion, BYSETPOS,
WKST, invalid dates such as February 30). It works on wall-clock times, which
is what RFC 5545 wants ("the same local time regardless of time zone
changes"), so :class:`RRule` runs it on naive local times and attaches the
zone itself, one instance at a time, with the rules of :mod:`suo.sop._tz`:

* ``UNTIL`` and ``COUNT`` are applied here, not by dateutil, so that ``UNTIL``
  is compared as an instant (a ``Z`` value is UTC) and ``COUNT`` counts only
  instances that exist;
* a recurrence instance in a DST gap is ignored and not counted
  (RFC 5545 section 3.3.10) unless ``nonexistent="shift"``;
* an instance in a DST fold is the first of the two (RFC 5545 section 3.3.5);
* ``exdates`` are removed after ``COUNT`` (RFC 5545 section 3.8.5.3: the set
  is gathered first, then exclusions apply).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo

from dateutil import rrule as du

from suo._time import require_aware
from suo.errors import ScheduleError
from suo.sop._tz import Nonexistent, check_nonexistent, localize, zone

__all__ = ["RRule"]

_PARTS = frozenset(
    {
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYSECOND",
        "BYMINUTE",
        "BYHOUR",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
_FREQS = frozenset({"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


def _parse(rule: str) -> dict[str, str]:
    if not isinstance(rule, str):
        raise ScheduleError(f"an RRULE must be a string like 'FREQ=WEEKLY;BYDAY=MO', got {rule!r}")
    # Unfold content lines (RFC 5545 3.1) and drop the property name.
    text = re.sub(r"\r?\n[ \t]", "", rule).strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    text = "".join(text.split())
    if not text:
        raise ScheduleError("an empty RRULE; give at least FREQ, e.g. 'FREQ=WEEKLY;BYDAY=MO'")
    parts: dict[str, str] = {}
    for chunk in text.strip(";").split(";"):
        name, sep, value = chunk.partition("=")
        name = name.upper()
        if not sep or not value:
            raise ScheduleError(f"RRULE part {chunk!r} in {rule!r} is not NAME=VALUE")
        if name not in _PARTS:
            raise ScheduleError(
                f"unknown RRULE part {name!r} in {rule!r}; RFC 5545 defines "
                + ", ".join(sorted(_PARTS))
            )
        if name in parts:
            raise ScheduleError(f"RRULE part {name} appears twice in {rule!r}")
        parts[name] = value.upper()
    if "FREQ" not in parts:
        raise ScheduleError(f"RRULE {rule!r} has no FREQ (e.g. FREQ=WEEKLY)")
    if parts["FREQ"] not in _FREQS:
        raise ScheduleError(f"FREQ={parts['FREQ']} is not one of {', '.join(sorted(_FREQS))}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ScheduleError(f"RRULE {rule!r} has both COUNT and UNTIL; RFC 5545 allows one")
    return parts


def _to_instant(value: datetime | date, tz: tzinfo, name: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            local = localize(value, tz, "shift")
            assert local is not None  # shift never skips
            return local.astimezone(UTC)
        return value.astimezone(UTC)
    raise ScheduleError(f"{name} must be a datetime, got {value!r}")


class RRule:
    """An RFC 5545 recurrence rule anchored at an aware ``dtstart``.

    Iterating yields aware datetimes in ``dtstart``'s zone, in order, exact to
    RFC 5545 (the examples of its section 3.8.5.3 are part of suo's tests).

    Args:
        rule: the RECUR value, with or without the ``RRULE:`` prefix; folded
            lines are unfolded (``"FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"``).
        dtstart: the first instance; aware (``ZoneInfo`` gives DST-correct
            results). A dtstart in a DST gap means the instant with the
            offset before the gap (RFC 5545 3.3.5).
        exdates: instants to exclude (aware; naive ones are read in
            ``dtstart``'s zone), or dates (every instance on that local date).
        nonexistent: ``"skip"`` (RFC 5545 3.3.10: an instance whose local
            time falls in a DST gap is ignored and not counted) or
            ``"shift"`` (move it forward by the gap, 02:30 -> 03:30).

    Raises:
        ScheduleError: a malformed rule, both COUNT and UNTIL, a naive dtstart.

    Examples:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> r = RRule("FREQ=WEEKLY;COUNT=3", datetime(1997, 10, 21, 9, tzinfo=ny))
        >>> [d.isoformat() for d in r]
        ['1997-10-21T09:00:00-04:00', '1997-10-28T09:00:00-05:00', '1997-11-04T09:00:00-05:00']
    """

    __slots__ = (
        "_count",
        "_dtstart",
        "_exdates",
        "_exdays",
        "_parts",
        "_rr",
        "_start_wall",
        "_tz",
        "_until",
        "_until_day",
        "dtstart",
        "exdates",
        "nonexistent",
        "rule",
    )

    def __init__(
        self,
        rule: str,
        dtstart: datetime,
        *,
        exdates: Iterable[datetime | date] = (),
        nonexistent: Nonexistent = "skip",
    ) -> None:
        if not isinstance(dtstart, datetime):
            raise ScheduleError(f"dtstart must be an aware datetime, got {dtstart!r}")
        try:
            require_aware(dtstart, "dtstart")
        except ValueError as exc:
            raise ScheduleError(str(exc)) from None
        self.nonexistent: Nonexistent = check_nonexistent(nonexistent)
        parts = _parse(rule)
        self._parts = parts
        self.rule = ";".join(f"{k}={v}" for k, v in parts.items())
        tz = dtstart.tzinfo
        assert tz is not None
        pytz_name = getattr(tz, "zone", None)
        if hasattr(tz, "localize") and isinstance(pytz_name, str):
            # pytz zones cannot be attached with replace(); use the same zone from zoneinfo.
            tz = zone(pytz_name)
        self._tz = tz
        self._start_wall = dtstart.replace(tzinfo=None, fold=0)
        # DTSTART itself follows 3.3.5: a gap time means the offset before the gap.
        self._dtstart = localize(self._start_wall, tz, "shift")
        self.dtstart = dtstart
        self._count = int(parts["COUNT"]) if "COUNT" in parts else None
        if self._count is not None and self._count < 1:
            raise ScheduleError(f"COUNT must be 1 or more, got {self._count}")
        self._until: datetime | None
        self._until_day: date | None
        self._until, self._until_day = (
            self._parse_until(parts["UNTIL"]) if "UNTIL" in parts else (None, None)
        )
        rest = ";".join(f"{k}={v}" for k, v in parts.items() if k not in ("COUNT", "UNTIL"))
        try:
            rr = du.rrulestr(rest, dtstart=self._start_wall)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise ScheduleError(f"cannot read RRULE {rule!r}: {exc}") from None
        assert isinstance(rr, du.rrule)
        if self._until is not None:
            # A superset bound for dateutil's wall-clock walk; the exact test is by instant.
            wall = self._until.astimezone(tz).replace(tzinfo=None) + timedelta(days=2)
            rr = rr.replace(until=wall)
        elif self._until_day is not None:
            rr = rr.replace(until=datetime.combine(self._until_day, datetime.max.time()))
        self._rr = rr
        exs: set[datetime] = set()
        days: set[date] = set()
        for ex in exdates:
            if isinstance(ex, datetime):
                exs.add(_to_instant(ex, tz, "exdates"))
            elif isinstance(ex, date):
                days.add(ex)
            else:
                raise ScheduleError(f"exdates must hold datetimes or dates, got {ex!r}")
        self._exdates = frozenset(exs)
        self._exdays = frozenset(days)
        self.exdates: tuple[datetime | date, ...] = tuple(exdates)

    def _parse_until(self, value: str) -> tuple[datetime | None, date | None]:
        m = _UNTIL.match(value)
        if not m:
            raise ScheduleError(
                f"UNTIL={value} is not a DATE (19971224) or DATE-TIME (19971224T000000Z)"
            )
        try:
            day = datetime.strptime(m.group(1), "%Y%m%d").date()
            if m.group(2) is None:
                return None, day
            clock = datetime.strptime(m.group(2), "%H%M%S").time()
        except ValueError:
            raise ScheduleError(f"UNTIL={value} is not a real date and time") from None
        wall = datetime.combine(day, clock)
        if m.group(3):
            return wall.replace(tzinfo=UTC), None
        # A floating UNTIL is read in dtstart's zone (lenient; RFC wants Z here).
        return _to_instant(wall, self._tz, "UNTIL"), None

    @property
    def tz(self) -> tzinfo:
        """The zone instances are expressed in (``dtstart``'s)."""
        return self._tz

    @property
    def is_finite(self) -> bool:
        """True if the rule has COUNT or UNTIL."""
        return self._count is not None or self._until is not None or self._until_day is not None

    def _walk(self) -> Iterator[tuple[datetime, datetime | None]]:
        """(wall, instance or None if skipped) in wall order, before UNTIL/COUNT/EXDATE."""
        tz, mode, start_wall = self._tz, self.nonexistent, self._start_wall
        for wall in self._rr:
            if wall == start_wall:
                yield wall, self._dtstart
            else:
                yield wall, localize(wall, tz, mode)

    def _ordered(self) -> Iterator[datetime]:
        """Existing instances in time order, duplicates dropped (shifted gap times)."""
        pending: list[tuple[datetime, datetime]] = []  # (utc, local) shifted out of order
        for wall, at in self._walk():
            if at is None:
                continue
            if at.replace(tzinfo=None) != wall:  # shifted forward out of a gap
                heapq.heappush(pending, (at.astimezone(UTC), at))
                continue
            utc = at.astimezone(UTC)
            while pending and pending[0][0] <= utc:
                p_utc, p_at = heapq.heappop(pending)
                if p_utc != utc:
                    yield p_at
            yield at
        last: datetime | None = None
        while pending:
            p_utc, p_at = heapq.heappop(pending)
            if p_utc != last:
                yield p_at
            last = p_utc

    def __iter__(self) -> Iterator[datetime]:
        count, until, until_day = self._count, self._until, self._until_day
        exdates, exdays = self._exdates, self._exdays
        n = 0
        for at in self._ordered():
            if until is not None and at > until:
                return
            if until_day is not None and at.date() > until_day:
                return
            n += 1
            if count is not None and n > count:
                return
            if exdates and at.astimezone(UTC) in exdates:
                continue
            if exdays and at.date() in exdays:
                continue
            yield at

    def _aware(self, value: datetime, name: str) -> datetime:
        if not isinstance(value, datetime):
            raise ScheduleError(f"{name} must be a datetime, got {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            return _to_instant(value, self._tz, name)
        return value

    def between(self, start: datetime, end: datetime) -> list[datetime]:
        """Instances in ``[start, end)``, in order (naive bounds are read in dtstart's zone).

        Examples:
            >>> from datetime import datetime, UTC
            >>> r = RRule("FREQ=DAILY", datetime(2026, 1, 1, 9, tzinfo=UTC))
            >>> len(r.between(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)))
            31
        """
        start, end = self._aware(start, "start"), self._aware(end, "end")
        out: list[datetime] = []
        for at in self:
            if at >= end:
                break
            if at >= start:
                out.append(at)
        return out

    def nonexistent_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Wall-clock times (naive) the rule names in ``[start, end)`` that a DST gap removes.

        With ``nonexistent="skip"`` these are the instances RFC 5545 drops;
        :func:`suo.sop.checks.check` reports them so nothing vanishes silently.

        Examples:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> ny = ZoneInfo("America/New_York")
            >>> r = RRule("FREQ=DAILY", datetime(2007, 3, 10, 2, 30, tzinfo=ny))
            >>> r.nonexistent_between(datetime(2007, 3, 1, tzinfo=ny), datetime(2007, 3, 20, tzinfo=ny))
            [datetime.datetime(2007, 3, 11, 2, 30)]
        """
        if self.nonexistent != "skip":
            return []
        tz = self._tz
        start, end = self._aware(start, "start"), self._aware(end, "end")
        lo = start.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
        hi = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
        out: list[datetime] = []
        for wall, at in self._walk():
            if wall >= hi:
                break
            if at is None and wall >= lo:
                shifted = localize(wall, tz, "shift")
                assert shifted is not None
                if start <= shifted < end:
                    out.append(wall)
            if self._until is not None and at is not None and at > self._until:
                break
        return out

    def __str__(self) -> str:
        return self.rule

    def __repr__(self) -> str:
        extra = f", exdates={list(self.exdates)!r}" if self.exdates else ""
        if self.nonexistent != "skip":
            extra += f", nonexistent={self.nonexistent!r}"
        return f"RRule({self.rule!r}, {self.dtstart!r}{extra})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RRule):
            return NotImplemented
        return (self.rule, self.dtstart, self.exdates, self.nonexistent) == (
            other.rule,
            other.dtstart,
            other.exdates,
            other.nonexistent,
        )

    def __hash__(self) -> int:
        return hash((self.rule, self.dtstart, self.exdates, self.nonexistent))
