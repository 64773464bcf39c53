"""What a :class:`~suo.shortener.Shortener` does while its store is unreachable.

When the store raises :class:`~suo.errors.StorageUnavailable` (it cannot be
reached, or did not answer within its timeout), the Shortener keeps answering
what it safely can, from memory:

* **Cached links keep redirecting.** A link read from the store within the
  last ``stale_for`` seconds (default 600) is served from this process's copy,
  even when its read-cache entry (``cache_ttl``) has run out. A change made by
  another process during the outage shows when the store is back.
* **Their visits are buffered.** The visit of an uncapped, non-live link goes
  into a bounded in-process buffer (``buffer_size``, default 10,000 visits)
  and is written to the store, with its original time, once the store answers
  again; a visit that finds the buffer full is dropped and counted in
  :attr:`OutageStatus.dropped`. The buffer lives in this process: visits still
  in it when the process stops are lost.
* **Caps and live codes fail closed.** A link with ``max_clicks`` or a live
  code needs the store to decide (the cap's count, the live slot); its visit
  raises ``StorageUnavailable`` (``suo.web`` answers 503 with ``Retry-After``).
  Exactness of caps is never traded for availability.
* **Visitors don't wait on a dead store.** After the first failure the store
  is tried again at most once per ``retry_every`` seconds (one visitor's
  request probes it); every other request is answered at once from memory.
* **Two log lines per outage.** One WARNING on the logger ``suo.outage`` when
  the store goes down and one when it comes back, with how many requests were
  answered, refused, buffered and dropped meanwhile: no traceback per request.

The buffer is flushed on the calls that follow the store's return (a chunk
of ``flush_chunk`` visits each), or at once by :meth:`Outage.flush`, which a
periodic job may call; no background thread is started.

Example:
    >>> import suo
    >>> s = suo.Shortener("memory://")
    >>> st = s.outage.status()
    >>> st.down, st.buffered, st.dropped
    (False, 0, 0)
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from attrs import frozen
from cachetools import LRUCache

from suo.errors import InvalidInput, NotFound, StorageUnavailable

if TYPE_CHECKING:
    from suo.shortener.model import Link, Visit
    from suo.shortener.store import LinkStore

__all__ = ["Outage", "OutageStatus"]

log = logging.getLogger("suo.outage")


@frozen
class OutageStatus:
    """A snapshot of :class:`Outage` counters (``Shortener.outage.status()``).

    Attributes:
        down: the store is considered unreachable right now.
        since: when the current outage began (aware UTC), ``None`` when up.
        answered: requests answered from memory during the current (or last) outage.
        refused: requests refused (``StorageUnavailable``) during the current (or last) outage.
        buffered: visits waiting in the buffer now.
        dropped: visits dropped since this Shortener started (buffer full, or
            their link was deleted before they could be written).
        flushed: buffered visits written to the store since this Shortener started.
        outages: how many outages this Shortener has seen.
    """

    down: bool
    since: datetime | None
    answered: int
    refused: int
    buffered: int
    dropped: int
    flushed: int
    outages: int


class Outage:
    """The outage state of one Shortener: stale copies, the visit buffer, counters.

    Made by :class:`~suo.shortener.Shortener` (``outage_buffer``,
    ``outage_stale_for``, ``outage_retry_every``); read it as
    ``shortener.outage``. See the module docstring for the behaviour.
    """

    def __init__(
        self,
        store: LinkStore,
        set_hit: Callable[[Callable[..., int | None] | None], None],
        *,
        buffer_size: int = 10_000,
        stale_for: float = 600.0,
        retry_every: float = 1.0,
        keep: int = 10_000,
        flush_chunk: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if buffer_size < 0:
            raise InvalidInput(f"outage_buffer must be 0 or more visits, got {buffer_size}")
        if stale_for < 0 or retry_every < 0:
            raise InvalidInput(
                "outage_stale_for and outage_retry_every must be 0 or more seconds, "
                f"got {stale_for} and {retry_every}"
            )
        self.store = store
        self.buffer_size = buffer_size
        self.stale_for = stale_for
        self.retry_every = retry_every
        self.flush_chunk = max(1, flush_chunk)
        self._set_hit = set_hit
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._stale: LRUCache[str, tuple[Link, float]] | None = (
            LRUCache(maxsize=keep) if keep > 0 and stale_for > 0 else None
        )
        self._buffer: deque[tuple[str, Visit, bool, bool]] = deque()
        self.down = False
        """True while the store is considered unreachable (read it freely; no lock)."""
        self._since: datetime | None = None
        self._since_mono = 0.0
        self._next_try = 0.0
        self._answered = self._refused = 0
        self._dropped = self._flushed = self._outages = 0
        self._flushing = False

    # -- state ----------------------------------------------------------------

    def status(self) -> OutageStatus:
        """The counters now (see :class:`OutageStatus`)."""
        with self._lock:
            return OutageStatus(
                down=self.down,
                since=self._since,
                answered=self._answered,
                refused=self._refused,
                buffered=len(self._buffer),
                dropped=self._dropped,
                flushed=self._flushed,
                outages=self._outages,
            )

    def failed(self, exc: BaseException) -> None:
        """Note that the store failed with ``exc``; logs once when an outage begins."""
        with self._lock:
            if self.down:
                # Not from a try of ours (should_try sets the next one): keep
                # the schedule, or steady traffic would postpone every retry.
                return
            self._next_try = self._monotonic() + self.retry_every
            self.down = True
            self._outages += 1
            self._since = datetime.now(UTC)
            self._since_mono = self._monotonic()
            self._answered = self._refused = 0
            # Until the store is back, each visit's hit goes through _guarded_hit,
            # which answers at once instead of waiting for a timeout.
            self._set_hit(self._guarded_hit)
        log.warning(
            "suo: the store is unavailable (%s: %s); serving cached links from memory, "
            "buffering their visits (up to %d), refusing capped links and live codes; "
            "retrying every %.1f s",
            type(exc).__name__,
            exc,
            self.buffer_size,
            self.retry_every,
        )

    def should_try(self) -> bool:
        """While down: whether this call may try the store (one call per ``retry_every``)."""
        if not self.down:
            return True
        now = self._monotonic()
        with self._lock:
            if now < self._next_try:
                return False
            self._next_try = now + self.retry_every
            return True

    def recovered(self) -> None:
        """Note that the store answered; logs once when an outage ends, then flushes a chunk."""
        with self._lock:
            was_down = self.down
            if was_down:
                self.down = False
                self._since = None
                took = self._monotonic() - self._since_mono
                counts = (self._answered, self._refused, len(self._buffer), self._dropped)
            if not self._buffer:
                self._set_hit(None)
        if was_down:
            log.warning(
                "suo: the store is back after %.1f s; meanwhile %d requests answered from "
                "memory, %d refused, %d visits buffered (writing them now), %d dropped so far",
                took,
                *counts,
            )
        self.flush(limit=self.flush_chunk)

    # -- links ------------------------------------------------------------------

    def keep(self, code: str, link: Link) -> None:
        """Remember ``link`` as read from the store just now (for :meth:`stale`)."""
        stale = self._stale
        if stale is not None:
            entry = (link, self._monotonic())
            with self._lock:
                stale[code] = entry

    def forget(self, code: str) -> None:
        """Drop the remembered copy of ``code`` (it was changed or deleted here)."""
        if self._stale is not None:
            with self._lock:
                self._stale.pop(code, None)

    def stale(self, code: str, exc: StorageUnavailable | None = None) -> Link:
        """The remembered copy of ``code`` while the store is down, or raise.

        Raises:
            StorageUnavailable: no copy of it, one older than ``stale_for``
                seconds, or a live code (whose targets need the store);
                chained to ``exc``, the store's own error, if given.
        """
        entry = None
        if self._stale is not None:
            with self._lock:
                entry = self._stale.get(code)
        why = f"link {code!r} is not in this process's memory"
        if entry is not None and self._monotonic() - entry[1] <= self.stale_for:
            if entry[0].live is None:
                return entry[0]
            why = f"{code!r} is a live code: its targets are in the store"
        self._count_refused()
        raise self._unavailable(why) from exc

    # -- visits -----------------------------------------------------------------

    def record(
        self,
        recorder: Any,
        code: str,
        visit: Visit,
        *,
        count: bool,
        cap: int | None,
        live: bool,
        event: bool,
        exc: StorageUnavailable,
    ) -> int:
        """Answer a visit whose hit raised ``exc``: buffer it, or re-raise ``exc``.

        A visit to a capped link or a live code is refused (``exc`` re-raised);
        the visit of any other link is buffered (or dropped when the buffer is
        full). ``recorder`` is the Shortener's recorder: a dry run
        (:meth:`~suo.shortener.Shortener.explain`) records nothing.
        """
        self.failed(exc)
        if cap is not None or live:
            self._count_refused()
            raise exc
        if not recorder.claims:  # explain(): nothing to write
            return 0
        with self._lock:
            self._answered += 1
            if len(self._buffer) < self.buffer_size:
                self._buffer.append((code, visit, count, event))
            else:
                self._dropped += 1
        return 0

    def flush(self, *, limit: int | None = None) -> int:
        """Write buffered visits to the store (at most ``limit``); returns how many.

        Stops at the first ``StorageUnavailable`` (the visit goes back to the
        front of the buffer and the outage goes on). A visit whose link was
        deleted meanwhile is dropped and counted.
        """
        written = 0
        with self._lock:
            if self._flushing:  # one flusher at a time keeps the order
                return 0
            self._flushing = True
        try:
            while limit is None or written < limit:
                with self._lock:
                    if not self._buffer:
                        if not self.down:
                            self._set_hit(None)
                        break
                    item = self._buffer.popleft()
                code, visit, count, event = item
                try:
                    self.store.hit(code, visit, count=count, cap=None, event=event)
                except NotFound:
                    with self._lock:
                        self._dropped += 1
                    continue
                except StorageUnavailable as exc:
                    with self._lock:
                        self._buffer.appendleft(item)
                    self.failed(exc)
                    break
                written += 1
                with self._lock:
                    self._flushed += 1
        finally:
            with self._lock:
                self._flushing = False
        return written

    # -- internals ----------------------------------------------------------------

    def unavailable_hit(self, code: str, visit: Visit, **options: Any) -> int | None:
        """A ``hit`` that raises at once: :meth:`~suo.shortener.Shortener.explain` while down."""
        raise self._unavailable("not retried yet")

    def _guarded_hit(
        self,
        code: str,
        visit: Visit,
        *,
        count: bool,
        cap: int | None,
        event: bool = True,
        deadline: float | None = None,
    ) -> int | None:
        """The recorder's ``hit`` while down, or while buffered visits wait."""
        if self.down and not self.should_try():
            raise self._unavailable("not retried yet")
        try:
            result = self.store.hit(
                code, visit, count=count, cap=cap, event=event, deadline=deadline
            )
        except StorageUnavailable as exc:
            self.failed(exc)
            raise
        self.recovered()
        return result

    def refuse(self, why: str) -> StorageUnavailable:
        """Count a request refused because the store is down; the error to raise."""
        self._count_refused()
        return self._unavailable(why)

    def _count_refused(self) -> None:
        with self._lock:
            self._refused += 1

    def _unavailable(self, why: str) -> StorageUnavailable:
        since = self._since
        when = "" if since is None else f" since {since:%H:%M:%S} UTC"
        return StorageUnavailable(f"the link store is unavailable{when} ({why}); try again shortly")
