"""Run sync-style tests through the async methods: :class:`AsyncDriven`.

A test written against ``s.resolve(...)``, ``s.shorten(...)``... checks the
async path too when ``s`` is an :class:`AsyncDriven`: each of those calls goes
through ``aresolve``, ``ashorten``... on one event loop, so one body of tests
covers both drivers of the resolve path.

Example:
    >>> import asyncio
    >>> from suo.testing.aio import AsyncDriven
    >>> loop = asyncio.new_event_loop()
    >>> s = AsyncDriven("memory://", loop=loop)
    >>> _ = s.shorten("https://example.com/", alias="d")
    >>> s.resolve("d").kind.value, s.stats("d").clicks
    ('redirect', 1)
    >>> s.close(); loop.close()
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from suo.decision import Decision
from suo.shortener.model import Link, LinkPage, Stats
from suo.shortener.service import Shortener
from suo.shortener.visits import VisitLog
from suo.storage.aio import close_sides

__all__ = ["DRIVERS", "AsyncDriven", "driven"]

DRIVERS = ("sync", "async")
"""The two drivers of the resolve path, as test parameters."""

T = TypeVar("T")


class AsyncDriven(Shortener):
    """A :class:`~suo.shortener.Shortener` whose sync methods run its async ones.

    ``resolve``, ``explain``, ``shorten``, ``get``, ``stats``, ``visits``,
    ``links``, ``update`` and ``delete`` each run their ``a``-prefixed sibling
    to completion on ``loop``. ``close()`` closes the store's async side too.
    """

    def __init__(self, *args: Any, loop: asyncio.AbstractEventLoop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loop = loop

    def _wait(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def resolve(self, code: str, **kwargs: Any) -> Decision:
        return self._wait(self.aresolve(code, **kwargs))

    def explain(self, code: str, **kwargs: Any) -> Decision:
        return self._wait(self.aexplain(code, **kwargs))

    def shorten(self, url: str, **kwargs: Any) -> Link:
        return self._wait(self.ashorten(url, **kwargs))

    def get(self, code: str) -> Link:
        return self._wait(self.aget(code))

    def stats(self, code: str | None = None, **kwargs: Any) -> Stats:
        return self._wait(self.astats(code, **kwargs))

    def visits(self, code: str, **kwargs: Any) -> VisitLog:
        return self._wait(self.avisits(code, **kwargs))

    def links(self, **kwargs: Any) -> LinkPage:
        return self._wait(self.alinks(**kwargs))

    def update(self, code: str, **kwargs: Any) -> Link:
        return self._wait(self.aupdate(code, **kwargs))

    def delete(self, code: str) -> bool:
        return self._wait(self.adelete(code))

    def close(self) -> None:
        if not self.loop.is_closed():
            self._wait(close_sides(self.store))
        super().close()


@contextlib.contextmanager
def driven(driver: str, *args: Any, **kwargs: Any) -> Iterator[Shortener]:
    """A ``Shortener(*args, **kwargs)`` (driver ``"sync"``) or an :class:`AsyncDriven`
    on a fresh event loop (``"async"``), closed on the way out."""
    if driver == "sync":
        with Shortener(*args, **kwargs) as s:
            yield s
        return
    if driver != "async":
        raise ValueError(f"driver must be one of {DRIVERS}, got {driver!r}")
    loop = asyncio.new_event_loop()
    try:
        with AsyncDriven(*args, loop=loop, **kwargs) as s:
            yield s
    finally:
        loop.close()
