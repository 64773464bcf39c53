"""Time helpers. Domain code never reads the wall clock: it gets a ``Clock``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from suo.errors import InvalidInput

Clock = Callable[[], datetime]
"""A zero-argument callable returning an aware ``datetime`` (the current time)."""


def utcnow() -> datetime:
    """The default clock: the current time, aware, in UTC."""
    return datetime.now(UTC)


def require_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` if it carries a time zone, else raise ``InvalidInput``."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidInput(
            f"{name} must be an aware datetime (with tzinfo), got naive {value!r}; "
            "use datetime.now(timezone.utc) or attach a zoneinfo.ZoneInfo"
        )
    return value


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text of an aware time, keeping its offset (``None`` stays ``None``)."""
    return None if value is None else value.isoformat()


def iso_utc(value: datetime | None) -> str | None:
    """ISO 8601 text of an aware time, in UTC (``None`` stays ``None``)."""
    return None if value is None else value.astimezone(UTC).isoformat()


def from_iso(value: str | None) -> datetime | None:
    """Read :func:`iso` / :func:`iso_utc` output back (``None`` stays ``None``)."""
    return None if value is None else datetime.fromisoformat(value)
