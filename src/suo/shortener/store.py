"""What the shortener needs from a store: the :class:`LinkStore` and :class:`LiveStore` protocols.

Backends implement it (``suo.storage.memory``, ``.sql``, ``.redis``); the
conformance suite in :mod:`suo.testing` checks that they agree with the memory
model. Every method that can race is one atomic operation in the engine.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from suo.shortener.model import Link, Stats, Visit

if TYPE_CHECKING:
    from suo.shortener.live.values import LiveEvent, LiveSlot, LiveTarget

__all__ = ["LinkStore", "LiveStore", "first_conflict"]


def first_conflict(codes: Sequence[str], existing: Collection[str]) -> str | None:
    """The first code that is in ``existing`` or repeats an earlier one, else ``None``."""
    seen: set[str] = set()
    for code in codes:
        if code in existing or code in seen:
            return code
        seen.add(code)
    return None


@runtime_checkable
class LinkStore(Protocol):
    """Plain create/read/update/delete of links, plus the atomic click counter."""

    def create_link(self, link: Link) -> None:
        """Insert ``link``; raise :class:`~suo.errors.AliasTaken` if its code exists.

        The existence check and the insert are one atomic step in the engine
        (unique constraint, ``SET NX``), so of N racing callers exactly one wins.
        """

    def create_links(self, links: Sequence[Link]) -> None:
        """Insert many links at once, all or nothing.

        If any code exists already or repeats an earlier one in ``links``, raise
        :class:`~suo.errors.AliasTaken` for the first such code (in ``links``
        order) and leave the store unchanged. :func:`first_conflict` computes it.
        """

    def get_link(self, code: str) -> Link | None:
        """The link with this code, or ``None``."""

    def replace_link(self, link: Link) -> bool:
        """Store a changed link under its existing code; ``False`` if it is gone."""

    def delete_link(self, code: str) -> bool:
        """Delete a link with its counters and visits; ``False`` if it was not there."""

    def list_links(self, *, tag: str | None, after: str | None, limit: int) -> list[Link]:
        """Links ordered by code, codes strictly greater than ``after``, at most ``limit``.

        With ``tag``, only links carrying that tag.
        """

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
        """Record one visit atomically and return the click count after it.

        With ``count`` the visit is a click: it increments the counter unless
        ``cap`` is set and already reached, in which case nothing is counted,
        the visit is recorded with outcome ``"exhausted"`` and ``None`` is
        returned. Without ``count`` the visit is only recorded (bots, guide
        pages) and the current count is returned.

        With ``event`` (tracking ``"events"``) the visit is also appended as an
        event, with the rollups the store keeps of it; without, only the
        totals change. The link's own row never grows with its visits.

        Raises :class:`~suo.errors.NotFound` when no link has this code (it was
        deleted after a caller cached it), and records nothing then: counters
        of a deleted code must never come back to life.

        ``deadline`` (a :func:`time.time` value) is when the engine must stop
        recording this visit: one the engine reaches later raises
        :class:`~suo.errors.StorageUnavailable` and records nothing, so a
        caller that gave up waiting (and answered 503) is never counted.
        ``None``: the store's own default (Redis: now + its socket timeout,
        PostgreSQL: now + its statement timeout, each less
        :func:`~suo.storage._common.hit_margin`; in-process stores write
        before returning, so none); ``math.inf``: no deadline.
        """

    def visits(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> Iterator[Visit]:
        """The visit events of ``code`` with ``start <= at < end``, oldest first.

        Bots included (flagged). An iterator: a store may stream them in pages.
        """

    def visit_counts(
        self, codes: Sequence[str], *, start: datetime, end: datetime, by: str | None
    ) -> list[tuple[datetime, str | None, int]]:
        """Human visits (bots left out) of ``codes`` per UTC hour in ``[start, end)``.

        ``start`` and ``end`` are whole UTC hours. Each row is ``(hour start in
        UTC, key, count)``; ``key`` is the visit's ``by`` field (``platform``,
        ``os``, ``outcome``, ``target``, ``referrer`` or ``language``; a missing
        value is ``None``), or ``None`` when ``by`` is ``None``. Rows with no
        visits are left out; the order does not matter.
        """

    def purge_visits(self, *, before: datetime, code: str | None = None) -> int:
        """Delete visit events older than ``before`` (of one code, or all); how many.

        Totals, rollups and the uniques already counted stay: they hold no
        visitor ids. Used for retention.
        """

    def daily_salt(self, day: str) -> bytes:
        """The random salt of the UTC day ``day`` (``YYYY-MM-DD``) for visitor ids.

        Made on first use with an atomic set-if-absent, so every process gets
        the same bytes for a day; salts of days more than two days older than
        ``day`` are deleted then, so old visitor ids cannot be recomputed.
        """

    def link_stats(self, code: str) -> Stats:
        """Counters and breakdowns for one link (zeros for an unknown code).

        ``clicks``, ``visits`` and ``bots`` are exact totals; breakdowns and
        ``uniques`` count human visits recorded as events.
        """

    def next_sequence(self, name: str) -> int:
        """Atomically increment and return the named counter (starts at 1)."""

    def close(self) -> None:
        """Release connections. The store is unusable afterwards."""


@runtime_checkable
class LiveStore(Protocol):
    """What live codes need from a store. Every method is atomic in the engine."""

    def add_live_targets(self, code: str, slots: Sequence[LiveSlot]) -> None:
        """Store new targets of ``code`` (ids already assigned, all new)."""

    def live_targets(self, code: str) -> list[LiveSlot]:
        """Every target of ``code``, retired ones too, in id order."""

    def claim_live_target(self, code: str, target_id: int, *, now: datetime) -> int | None:
        """Take one slot: ``used += 1`` if the target is not retired, not expired at
        ``now`` and under its cap, as one atomic step. Returns ``used`` after it, or
        ``None`` when the target had no room (or does not exist)."""

    def release_live_target(self, code: str, target_id: int) -> None:
        """Give back one slot taken by :meth:`claim_live_target` (``used -= 1``,
        never below zero), as one atomic step."""

    def update_live_target(
        self, code: str, target_id: int, target: LiveTarget, *, reset: bool
    ) -> LiveSlot | None:
        """Replace a target's payload, cap, expiry and weight, keeping ``used``
        (or with ``reset`` setting it to 0 and adding 1 to ``epoch``). ``None``
        when the target does not exist or is retired."""

    def retire_live_target(self, code: str, target_id: int) -> bool:
        """Take a target out of rotation; ``False`` if missing or retired already."""

    def record_live_event(self, event: LiveEvent) -> bool:
        """Store ``event`` unless one with its ``(code, key)`` exists; ``True`` if stored."""

    def live_events(self, code: str) -> list[LiveEvent]:
        """The recorded events of ``code`` in ``seq`` order (ties by ``at``, then key)."""

    def delete_live(self, code: str) -> None:
        """Forget every target, counter and event of ``code``."""

    def next_sequence(self, name: str) -> int:
        """Atomically increment and return the named counter (shared with links)."""
