"""Argument readers shared by the CLI commands."""

from __future__ import annotations

import re
from datetime import timedelta

from suo.errors import InvalidInput

__all__ = ["parse_duration", "read_duration"]

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def read_duration(text: str) -> timedelta | None:
    """``45s``, ``30m``, ``12h``, ``1d`` or ``2w`` as a timedelta; ``None`` when it is not one.

    Example:
        >>> read_duration("90m"), read_duration("tomorrow")
        (datetime.timedelta(seconds=5400), None)
    """
    m = _DURATION.match(text)
    if m is None:
        return None
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def parse_duration(
    text: str, option: str, *, error: type[InvalidInput] = InvalidInput
) -> timedelta:
    """The duration ``text`` given for ``option``, or ``error`` saying what to give instead.

    Example:
        >>> parse_duration("2w", "--lease")
        datetime.timedelta(days=14)
        >>> parse_duration("soon", "--lease")
        Traceback (most recent call last):
        ...
        suo.errors.InvalidInput: --lease 'soon': give a duration like 45s, 30m, 12h, 1d or 2w
    """
    value = read_duration(text)
    if value is None:
        raise error(f"{option} {text!r}: give a duration like 45s, 30m, 12h, 1d or 2w")
    return value
