"""The due queue: what is due now, who claimed it, what was done or skipped.

:class:`DueQueue` joins a :class:`~suo.sop.Plan` (what should happen) with a
:class:`~suo.sop.store.SopStore` (what did happen). Occurrence ids are stable,
so the store needs no copy of the plan: a worker that restarts asks again and
gets the same ids. Claims are atomic in every backend and carry a lease, so
two workers never get the same occurrence and a crashed worker's claim
lapses.

Examples:
    >>> from datetime import datetime, timedelta
    >>> from zoneinfo import ZoneInfo
    >>> import suo
    >>> from suo.sop import DueQueue, templates
    >>> sh = ZoneInfo("Asia/Shanghai")
    >>> q = DueQueue(suo.open_store("memory://"), templates.welfare_weekly(), lookback=timedelta(hours=6))
    >>> now = datetime(2026, 11, 30, 10, 5, tzinfo=sh)  # a Monday
    >>> [d.occurrence.step.id for d in q.due(now)]
    ['mon-quote', 'mon-coupon']
    >>> first = q.due(now)[0]
    >>> q.claim(first.occurrence, "bot-1", now=now), q.claim(first.occurrence, "bot-2", now=now)
    (True, False)
    >>> q.complete(first.occurrence, by="bot-1", now=now, worker="bot-1")
    True
    >>> [d.occurrence.step.id for d in q.due(now)]
    ['mon-coupon']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from attrs import frozen

from suo._time import Clock, require_aware, utcnow
from suo.errors import ScheduleError
from suo.sop.plan import Occurrence, Plan
from suo.sop.store import RunState, SopStore
from suo.sop.triggers import Campaign, MemberJoin

__all__ = ["Due", "DueQueue"]


@frozen
class Due:
    """An occurrence that is due, with its run state (``None`` if untouched)."""

    occurrence: Occurrence
    state: RunState | None
    overdue: bool

    @property
    def id(self) -> str:
        """The occurrence id."""
        return self.occurrence.id

    @property
    def claimed_by(self) -> str | None:
        """The worker holding a claim on it, if any."""
        return None if self.state is None or self.state.status != "claimed" else self.state.worker


def _positive(value: timedelta, name: str) -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ScheduleError(f"{name} must be a positive timedelta, got {value!r}")
    return value


def _who(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 128:
        raise ScheduleError(
            f"{name} must be a non-empty name of at most 128 characters, got {value!r}"
        )
    return value


class DueQueue:
    """Due occurrences of one plan, with claims and completions in a store.

    Args:
        store: a :class:`~suo.sop.store.SopStore` (any suo store).
        plan: the plan.
        communities: as for :meth:`Plan.occurrences`.
        members: as for :meth:`Plan.occurrences`.
        campaigns: as for :meth:`Plan.occurrences`.
        clock: returns the current aware time (default: UTC wall clock).
        lookback: how far back an unfinished occurrence still counts as due.
        grace: an unfinished occurrence older than this is overdue.
        lease: how long a claim holds before another worker may take it.
    """

    def __init__(
        self,
        store: SopStore,
        plan: Plan,
        *,
        communities: Iterable[Any] | None = None,
        members: Iterable[MemberJoin] | None = None,
        campaigns: Iterable[Campaign] | None = None,
        clock: Clock = utcnow,
        lookback: timedelta = timedelta(days=1),
        grace: timedelta = timedelta(minutes=30),
        lease: timedelta = timedelta(minutes=10),
    ) -> None:
        if not isinstance(store, SopStore):
            raise ScheduleError(
                f"{type(store).__name__} does not implement SopStore (claim_occurrence, "
                "release_occurrence, finish_occurrence, get_run_states)"
            )
        self.store = store
        self.plan = plan
        self.communities = None if communities is None else list(communities)
        self.members = None if members is None else list(members)
        self.campaigns = None if campaigns is None else list(campaigns)
        self.clock = clock
        self.lookback = _positive(lookback, "lookback")
        self.grace = _positive(grace, "grace")
        self.lease = _positive(lease, "lease")

    def _now(self, now: datetime | None) -> datetime:
        return require_aware(self.clock() if now is None else now, "now")

    def _window(self, start: datetime, end: datetime) -> list[Occurrence]:
        return self.plan.occurrences(
            start, end, communities=self.communities, members=self.members, campaigns=self.campaigns
        )

    def upcoming(self, within: timedelta, now: datetime | None = None) -> list[Occurrence]:
        """Occurrences after ``now`` and up to ``now + within``."""
        now = self._now(now)
        return [o for o in self._window(now, now + within) if o.at > now]

    def due(self, now: datetime | None = None, *, include_claimed: bool = False) -> list[Due]:
        """Unfinished occurrences at or before ``now`` (within ``lookback``), by time.

        Live claims by any worker are left out unless ``include_claimed``.
        """
        now = self._now(now)
        occs = self._window(now - self.lookback, now + timedelta(microseconds=1))
        states = self.store.get_run_states([o.id for o in occs]) if occs else {}
        out = []
        for o in occs:
            s = states.get(o.id)
            if s is not None and s.finished:
                continue
            live = s is not None and s.lease_until is not None and s.lease_until > now
            if live and not include_claimed:
                continue
            out.append(Due(o, s, o.at + self.grace < now))
        return out

    def overdue(self, now: datetime | None = None) -> list[Due]:
        """Unfinished occurrences more than ``grace`` old (within ``lookback``), claimed or not."""
        return [d for d in self.due(now, include_claimed=True) if d.overdue]

    def claim(
        self, occurrence: Occurrence | str, worker: str, *, now: datetime | None = None
    ) -> bool:
        """Claim one occurrence for ``worker`` for ``lease``; True if it is theirs."""
        now = self._now(now)
        return self.store.claim_occurrence(_id(occurrence), _who(worker, "worker"), now, self.lease)

    def claim_next(self, worker: str, *, now: datetime | None = None) -> Due | None:
        """Claim the earliest due occurrence nobody holds; ``None`` when there is none."""
        now = self._now(now)
        for d in self.due(now):
            if self.claim(d.occurrence, worker, now=now):
                return d
        return None

    def release(self, occurrence: Occurrence | str, worker: str) -> bool:
        """Give back ``worker``'s claim so another worker can take it."""
        return self.store.release_occurrence(_id(occurrence), _who(worker, "worker"))

    def complete(
        self,
        occurrence: Occurrence | str,
        *,
        by: str,
        now: datetime | None = None,
        note: str = "",
        worker: str | None = None,
    ) -> bool:
        """Record it done by ``by``; False if already finished or held by another worker."""
        return self.store.finish_occurrence(
            _id(occurrence), status="done", by=_who(by, "by"), at=self._now(now), note=note,
            worker=None if worker is None else _who(worker, "worker"),
        )  # fmt: skip

    def skip(
        self,
        occurrence: Occurrence | str,
        *,
        by: str,
        reason: str,
        now: datetime | None = None,
        worker: str | None = None,
    ) -> bool:
        """Record it skipped by ``by`` with a ``reason`` (required: say why)."""
        if not isinstance(reason, str) or not reason.strip():
            raise ScheduleError("skip() needs a reason, e.g. reason='holiday, no post'")
        return self.store.finish_occurrence(
            _id(occurrence), status="skipped", by=_who(by, "by"), at=self._now(now), note=reason,
            worker=None if worker is None else _who(worker, "worker"),
        )  # fmt: skip

    def state(self, occurrence: Occurrence | str) -> RunState | None:
        """The run state of one occurrence, or ``None`` if nothing happened yet."""
        oid = _id(occurrence)
        return self.store.get_run_states([oid]).get(oid)


def _id(occurrence: Occurrence | str) -> str:
    if isinstance(occurrence, Occurrence):
        return occurrence.id
    if isinstance(occurrence, str) and occurrence:
        return occurrence
    raise ScheduleError(f"give an Occurrence or its id, got {occurrence!r}")
