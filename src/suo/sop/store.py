"""What the SOP engine needs from a store: the :class:`SopStore` protocol.

One record per occurrence id, created on first claim or finish. Every method
that can race is one atomic step in the engine (an upsert with a condition,
a Lua script), so of two workers claiming one occurrence exactly one wins,
and an occurrence is finished (done or skipped) at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from attrs import frozen

from suo._time import iso as _iso

__all__ = ["RunState", "SopStore", "Status"]

Status = Literal["claimed", "done", "skipped"]


@frozen
class RunState:
    """What happened to one occurrence.

    Attributes:
        occurrence: the occurrence id.
        status: ``claimed`` (a worker holds it until ``lease_until``), ``done``
            or ``skipped``.
        worker: who claimed it last (``None`` if never claimed).
        claimed_at: when it was claimed.
        lease_until: when the claim lapses and another worker may take it.
        by: who completed or skipped it.
        finished_at: when it was completed or skipped.
        note: the reason for a skip, or a note on completion.
    """

    occurrence: str
    status: Status
    worker: str | None = None
    claimed_at: datetime | None = None
    lease_until: datetime | None = None
    by: str | None = None
    finished_at: datetime | None = None
    note: str = ""

    @property
    def finished(self) -> bool:
        """True once done or skipped."""
        return self.status in ("done", "skipped")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (times as ISO 8601)."""
        return {
            "occurrence": self.occurrence,
            "status": self.status,
            "worker": self.worker,
            "claimed_at": _iso(self.claimed_at),
            "lease_until": _iso(self.lease_until),
            "by": self.by,
            "finished_at": _iso(self.finished_at),
            "note": self.note,
        }


@runtime_checkable
class SopStore(Protocol):
    """Per-occurrence run state, with an atomic claim."""

    def claim_occurrence(
        self, occurrence: str, worker: str, at: datetime, lease: timedelta
    ) -> bool:
        """Claim ``occurrence`` for ``worker`` until ``at + lease``; True if it is now theirs.

        Succeeds when there is no record, or the record is a claim whose lease
        has lapsed (``lease_until <= at``), or a claim by the same worker (a
        renewal). Fails for a live claim by another worker and for a finished
        occurrence. Atomic: of N racing workers exactly one gets True.
        """

    def release_occurrence(self, occurrence: str, worker: str) -> bool:
        """Drop ``worker``'s unfinished claim; True if there was one."""

    def finish_occurrence(
        self,
        occurrence: str,
        *,
        status: Literal["done", "skipped"],
        by: str,
        at: datetime,
        note: str = "",
        worker: str | None = None,
    ) -> bool:
        """Mark done or skipped, once; True if this call finished it.

        Fails if it is already finished, or (with ``worker``) if another
        worker holds a live claim. Without ``worker`` anyone may finish it
        (an operator ticking it off by hand). Atomic like the claim.
        """

    def get_run_states(self, occurrences: Sequence[str]) -> dict[str, RunState]:
        """States of those ids that have one (ids without a record are absent)."""
