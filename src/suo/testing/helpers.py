"""Small helpers for tests of suo and of code built on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from suo._time import require_aware

__all__ = ["EXTRA_FOR_MODULE", "ManualClock", "race"]

EXTRA_FOR_MODULE = {
    "sqlalchemy": "sql",
    "psycopg": "postgres",
    "redis": "redis",
    "zxingcpp": "qr",
    "PIL": "qr",
    "ua_parser": "analytics",
    "user_agents": "analytics",
    "uvicorn": "serve",
    "pandas": "dataframe",
    "pyarrow": "dataframe",
    "matplotlib": "plot",
    "numpy": "sim",
    "fastapi": "api",
    "multipart": "api",
    "limits": "api",
    "pytest": "test",
    "hypothesis": "test",
}
"""Top-level module of an optional dependency -> the extra that installs it
(``pip install 'suo[<extra>]'``): what a test names when it skips for a missing one."""


class ManualClock:
    """A clock that stands still until told to move: pass it as ``clock=``.

    Examples:
        >>> from datetime import datetime, timezone
        >>> clock = ManualClock(datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc))
        >>> clock.advance(hours=2)
        datetime.datetime(2026, 11, 30, 11, 0, tzinfo=datetime.timezone.utc)
        >>> clock() == clock.now
        True
    """

    def __init__(self, now: datetime) -> None:
        self.now = require_aware(now, "now")

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**parts)``; returns the new now."""
        self.now += delta if delta is not None else timedelta(**parts)
        return self.now


def race(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run ``fn(i)`` for ``i`` in ``range(n)`` in ``n`` threads released together.

    Returns each call's result, or the exception it raised, in order: the
    shape that race tests assert on ("exactly one winner, n-1 AliasTaken").

    Examples:
        >>> sorted(race(4, lambda i: i * i))
        [0, 1, 4, 9]
    """
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        try:
            return fn(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))
