"""Time-zone helpers: look zones up, and turn wall-clock times into instants.

The rules for local times that do not exist (spring forward) or exist twice
(fall back) live here, in one place, so every trigger treats them alike:

* a time in a **fold** (it happens twice) means its first occurrence
  (``fold=0``), as RFC 5545 section 3.3.5 says;
* a time in a **gap** (it never happens) is either skipped, as RFC 5545
  section 3.3.10 requires of recurrence instances, or shifted by the length
  of the gap, which is what 3.3.5 says a lone DATE-TIME in a gap means
  (interpret it with the UTC offset before the gap: 02:30 becomes 03:30).
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from suo.errors import ScheduleError

Nonexistent = Literal["skip", "shift"]
"""What to do with a local time that falls in a DST gap."""

NONEXISTENT = ("skip", "shift")


@functools.lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name`` (cached), or :class:`ScheduleError`.

    Examples:
        >>> zone("Asia/Shanghai").key
        'Asia/Shanghai'
    """
    if not isinstance(name, str) or not name.strip():
        raise ScheduleError(f"a time zone must be an IANA name like 'Asia/Shanghai', got {name!r}")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder
        raise ScheduleError(
            f"unknown time zone {name!r}; use an IANA name such as 'Asia/Shanghai' or "
            "'America/New_York' (install the tzdata package if your system has no zone files)"
        ) from None


def tz_name(tz: tzinfo) -> str:
    """A printable name for a tzinfo: the IANA key when there is one."""
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    return str(tz)


def check_nonexistent(value: str) -> Nonexistent:
    """Validate a ``nonexistent=`` argument."""
    if value == "skip":
        return "skip"
    if value == "shift":
        return "shift"
    raise ScheduleError(f"nonexistent= must be 'skip' or 'shift', got {value!r}")


def in_gap(wall: datetime, tz: tzinfo) -> bool:
    """True if the naive wall-clock time ``wall`` never happens in ``tz`` (a DST gap)."""
    aware = wall.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) != wall


def localize(wall: datetime, tz: tzinfo, nonexistent: Nonexistent) -> datetime | None:
    """Attach ``tz`` to the naive wall time ``wall`` by the rules above.

    Returns ``None`` for a gap time when ``nonexistent="skip"``.

    Examples:
        >>> ny = zone("America/New_York")
        >>> localize(datetime(2007, 3, 11, 2, 30), ny, "shift").isoformat()
        '2007-03-11T03:30:00-04:00'
        >>> localize(datetime(2007, 3, 11, 2, 30), ny, "skip") is None
        True
        >>> localize(datetime(2007, 11, 4, 1, 30), ny, "skip").isoformat()
        '2007-11-04T01:30:00-04:00'
    """
    aware = wall.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) == wall:
        return aware
    if nonexistent == "skip":
        return None
    return back


def local_date(at: datetime, tz: tzinfo) -> date:
    """The calendar date of the instant ``at`` in ``tz``."""
    return at.astimezone(tz).date()


def combine(day: date, at: time, tz: tzinfo, nonexistent: Nonexistent) -> datetime | None:
    """``day`` at local ``at`` in ``tz`` (see :func:`localize`)."""
    return localize(datetime.combine(day, at), tz, nonexistent)
