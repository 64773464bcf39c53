"""What password throttling and A/B splits need from a store: :class:`CounterStore`.

Two small atomic primitives with an expiry, keyed by strings the shortener
builds (``pw:<code>:...``, ``ab:<code>:...``):

* :meth:`CounterStore.bump` -- add one to a counter that starts a new window
  when it has expired (``INCR`` + ``PEXPIRE`` in one Lua call on Redis, one
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in SQL);
* :meth:`CounterStore.claim` -- set a value unless one is there, returning
  whichever is stored (``SET NX`` on Redis, ``ON CONFLICT`` in SQL).

Both hold across processes and workers, because the engine does the work.
Every suo store implements it (memory, SQLite, PostgreSQL, Redis).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

__all__ = ["CounterStore"]


@runtime_checkable
class CounterStore(Protocol):
    """Expiring counters and set-once values, atomic in the engine."""

    def bump(self, key: str, *, ttl: float | None, now: datetime, by: int = 1) -> int:
        """Add ``by`` (one) to counter ``key`` and return its value after that.

        A missing or expired counter starts again at ``by`` and then lives ``ttl``
        seconds (``None``: forever). The expiry is not extended by later bumps:
        a counter is a fixed window. ``by=-1`` gives back a reserved try.
        """

    def count(self, key: str, *, now: datetime) -> tuple[int, float]:
        """Counter ``key``'s value and the seconds until it expires (``(0, 0.0)`` if none)."""

    def claim(self, key: str, value: str, *, ttl: float | None, now: datetime) -> str:
        """Store ``value`` under ``key`` unless a live value is there; return the stored one."""

    def peek(self, key: str, *, now: datetime) -> str | None:
        """The live value under ``key``, or ``None``."""
