"""Group commit for the click path: concurrent visits of one process share a round trip.

Every counted visit is one atomic write on the store (a Lua script on Redis,
one statement on PostgreSQL). Under load, a server's threads issue those
writes side by side, each waiting for its own round trip. A
:class:`HitBatcher` lets them share it, the way databases group commits:

* the first visit to arrive writes alone, at once (no added wait when idle);
* visits that arrive while a write is on the wire queue up; when it returns,
  the first of them takes the whole queue to the store in one call
  (:meth:`BatchHitStore.hit_many`: one Redis ``MULTI``/``EXEC``, one PostgreSQL
  transaction), and every visit gets its own answer.

Nothing about a single visit changes: each still runs its own atomic step
(so caps stay exact), its own deadline is checked by the engine, and each
gets its own click count, ``None`` (refused by the cap) or error. A visit
waits at most for the write before its own and its own write.

:class:`~suo.shortener.Shortener` uses one automatically when its store has
``hit_many`` and is not in-process (``Shortener(..., batch_visits=False)``
turns it off). The built-in Redis, PostgreSQL and SQLite stores have it;
the memory store (nothing to share) and Redis Cluster (a pipeline there
splits by node) do not.

Example:
    >>> import suo
    >>> from suo.shortener.batching import BatchHitStore
    >>> isinstance(suo.open_store("memory://"), BatchHitStore)
    False
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from suo.errors import ConfigurationError, StorageUnavailable
from suo.shortener.model import Visit

__all__ = ["MAX_BATCH", "BatchHitStore", "HitBatcher", "HitCall"]

MAX_BATCH = 64
"""The most visits one store call carries; more wait for the next call."""


@dataclass(frozen=True, slots=True)
class HitCall:
    """One visit for :meth:`BatchHitStore.hit_many`: the arguments of ``LinkStore.hit``."""

    code: str
    visit: Visit
    count: bool
    cap: int | None
    event: bool = True
    deadline: float | None = None


@runtime_checkable
class BatchHitStore(Protocol):
    """A store that records several visits in one call."""

    def hit_many(self, calls: Sequence[HitCall]) -> list[int | Exception | None]:
        """What ``hit`` would answer for each call, in order, from one round trip.

        Each call is its own atomic step, as if made alone: one failing call
        (a deleted code: :class:`~suo.errors.NotFound`; a late one:
        :class:`~suo.errors.StorageUnavailable`) is returned in its place and
        the others still count. An error of the whole call (the connection
        died) is raised, and then the engine recorded either none of the
        visits or, on Redis, some of them before their deadlines.
        """


class _Waiting:
    __slots__ = ("call", "done", "leads", "result")

    def __init__(self, call: HitCall) -> None:
        self.call = call
        self.done = threading.Event()
        self.leads = False
        self.result: int | BaseException | None = None


class HitBatcher:
    """``hit`` with the signature of ``LinkStore.hit``, sharing store calls between threads.

    Attributes:
        calls: store calls made so far.
        visits: visits written by them (``visits / calls`` is the mean batch).

    Example:
        >>> import suo, threading
        >>> from datetime import datetime, UTC
        >>> from suo.shortener.batching import HitBatcher
        >>> from suo.storage.memory import MemoryStore
        >>> class Store(MemoryStore):  # a batch-capable store, for the example
        ...     def hit_many(self, calls):
        ...         return [self.hit(c.code, c.visit, count=c.count, cap=c.cap) for c in calls]
        >>> store = Store()
        >>> _ = suo.Shortener(store).shorten("https://example.com/", alias="a")
        >>> batcher = HitBatcher(store)
        >>> from suo.shortener.model import Visit
        >>> visit = Visit(at=datetime.now(UTC))
        >>> threads = [threading.Thread(target=batcher.hit, args=("a", visit),
        ...                             kwargs={"count": True, "cap": 10}) for _ in range(20)]
        >>> for t in threads: t.start()
        >>> for t in threads: t.join()
        >>> store.link_stats("a").clicks, batcher.visits
        (10, 20)
    """

    def __init__(self, store: BatchHitStore, *, max_batch: int = MAX_BATCH) -> None:
        if not isinstance(store, BatchHitStore):
            raise ConfigurationError(f"{store!r} has no hit_many: it can't batch visits")
        if max_batch < 1:
            raise ConfigurationError(f"max_batch must be at least 1, got {max_batch}")
        self.store: BatchHitStore = store
        self.max_batch = max_batch
        self.calls = 0
        self.visits = 0
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._leader: _Waiting | None = None  # the visit whose thread makes the store call

    def hit(
        self,
        code: str,
        visit: Visit,
        *,
        count: bool,
        cap: int | None,
        event: bool = True,
        deadline: float | None = None,
    ) -> int | None:
        """Record one visit as ``LinkStore.hit`` does, in a store call shared with others."""
        me = _Waiting(HitCall(code, visit, count, cap, event, deadline))
        with self._lock:
            self._queue.append(me)
            if self._leader is None:
                self._leader = me
                me.leads = True
        try:
            if not me.leads:
                me.done.wait()  # set with this visit's answer, or to lead the next call
            if me.leads:
                self._lead(me)
        except BaseException:  # interrupted (Ctrl-C in a notebook): strand no one
            self._leave(me)
            raise
        result = me.result
        if isinstance(result, BaseException):
            raise result
        return result

    def _pass_on(self, me: _Waiting) -> _Waiting | None:
        """With the lock held: if ``me`` leads, hand the lead to the first in line."""
        if self._leader is not me:
            return None
        following = self._queue[0] if self._queue else None
        self._leader = following
        if following is not None:
            following.leads = True
        return following

    def _leave(self, me: _Waiting) -> None:
        """``me`` stops waiting: out of the queue, and a turn to lead passes on."""
        with self._lock:
            if me in self._queue:
                self._queue.remove(me)
            following = self._pass_on(me)
        if following is not None:
            following.done.set()

    def _lead(self, me: _Waiting) -> None:
        batch: list[_Waiting] = []
        results: Sequence[int | BaseException | None] | None = None
        try:
            with self._lock:
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
            try:
                results = self.store.hit_many([w.call for w in batch])
                if len(results) != len(batch):  # a broken third-party store: fail loudly
                    raise RuntimeError(f"hit_many returned {len(results)} answers for {len(batch)}")
            except BaseException as exc:  # every waiting visit gets an answer, none hangs
                if isinstance(exc, Exception):
                    results = [exc if w is me else _copy(exc) for w in batch]
                else:  # an interrupt is this thread's own: the others hear "not written"
                    gone = StorageUnavailable("interrupted before the visit was written")
                    results = [exc if w is me else _copy(gone) for w in batch]
        finally:
            # Whatever happened above (even an interrupt between two lines), every
            # visit of the batch gets an answer and the next in line the lead.
            if results is None:
                gone = StorageUnavailable("interrupted before the visit was written")
                results = [_copy(gone) for _ in batch]
            with self._lock:
                self.calls += 1
                self.visits += len(batch)
                following = self._pass_on(me)
            for waiting, result in zip(batch, results, strict=True):
                waiting.result = result
                if waiting is not me:
                    waiting.done.set()
            if following is not None:
                following.done.set()

    def __repr__(self) -> str:
        return f"HitBatcher({self.store!r}, calls={self.calls}, visits={self.visits})"


def _copy(exc: BaseException) -> BaseException:
    """A copy of ``exc`` for another thread to raise (each raise writes its traceback)."""
    try:
        twin = copy.copy(exc)
    except Exception:  # an exception that can't be copied: share it
        return exc
    twin.__cause__ = exc.__cause__
    twin.__traceback__ = None
    return twin
