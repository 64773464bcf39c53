"""The :class:`Store` protocol: what every store has besides its domain protocols."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """What every store has besides the domain protocols it implements.

    Attributes:
        url: the URL the store was opened with.
        in_process: ``True`` when the data lives in this process, so a call
            costs no I/O (the memory store). Callers use it to skip work that
            only pays off against a server: the Shortener's read cache, the
            ASGI app's thread-pool hop. SQL and Redis stores say ``False``.
    """

    url: str
    in_process: bool

    def close(self) -> None:
        """Release connections and pools."""
