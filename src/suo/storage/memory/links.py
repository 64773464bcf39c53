"""Memory implementation of :class:`~suo.shortener.store.LinkStore`."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from attrs import define, field

from suo.errors import AliasTaken, NotFound, StorageUnavailable
from suo.shortener.model import Link, Stats, Visit
from suo.shortener.store import first_conflict
from suo.storage.memory._base import MemoryBase

_DIMS = (None, "platform", "os", "outcome", "target", "referrer", "language")


@define
class _Counters:
    clicks: int = 0
    visits: int = 0
    bots: int = 0
    first: datetime | None = None
    last: datetime | None = None
    events: list[Visit] = field(factory=list)
    folded: int = 0  # events[:folded] are in the rollups
    hours: Counter[tuple[datetime, str | None, str | None]] = field(factory=Counter)
    visitors: set[str] = field(factory=set)

    def fold(self) -> None:
        # Rollups are built when asked for, so a visit costs one list append.
        hours = self.hours
        for v in self.events[self.folded :]:
            if v.bot:
                continue
            hour = v.at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            for dim in _DIMS:
                hours[(hour, dim, None if dim is None else getattr(v, dim))] += 1
        self.folded = len(self.events)


class MemoryLinks(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for links."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._links: dict[str, Link] = {}
        self._counters: dict[str, _Counters] = {}
        self._sequences: dict[str, int] = {}
        self._salts: dict[str, bytes] = {}

    def create_link(self, link: Link) -> None:
        with self._lock:
            if link.code in self._links:
                raise AliasTaken(link.code)
            self._links[link.code] = link
            self._counters[link.code] = _Counters()

    def create_links(self, links: Sequence[Link]) -> None:
        with self._lock:
            taken = first_conflict([link.code for link in links], self._links)
            if taken is not None:
                raise AliasTaken(taken)
            for link in links:
                self._links[link.code] = link
                self._counters[link.code] = _Counters()

    def get_link(self, code: str) -> Link | None:
        return self._links.get(code)

    def replace_link(self, link: Link) -> bool:
        with self._lock:
            if link.code not in self._links:
                return False
            self._links[link.code] = link
            return True

    def delete_link(self, code: str) -> bool:
        with self._lock:
            self._counters.pop(code, None)
            return self._links.pop(code, None) is not None

    def list_links(self, *, tag: str | None, after: str | None, limit: int) -> list[Link]:
        with self._lock:
            codes = sorted(
                c
                for c, link in self._links.items()
                if (after is None or c > after) and (tag is None or tag in link.tags)
            )
            return [self._links[c] for c in codes[:limit]]

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
        with self._lock:
            if deadline is not None and time.time() >= deadline:
                raise StorageUnavailable(
                    f"the visit to {code!r} came after its deadline; nothing was recorded"
                )
            c = self._counters.get(code)
            if c is None:
                raise NotFound(f"no link with code {code!r}")
            if visit.bot:
                c.bots += 1
                if event:
                    c.events.append(visit)
                return c.clicks
            result: int | None = c.clicks
            if count:
                if cap is not None and c.clicks >= cap:
                    result = None
                    visit = visit.with_outcome("exhausted")
                else:
                    c.clicks += 1
                    result = c.clicks
            c.visits += 1
            c.first = visit.at if c.first is None else c.first
            c.last = visit.at
            if event:
                c.events.append(visit)
                if visit.visitor is not None:
                    c.visitors.add(visit.visitor)
            return result

    def visits(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> Iterator[Visit]:
        with self._lock:
            c = self._counters.get(code)
            found = [] if c is None else list(c.events)
        found.sort(key=lambda v: v.at)
        return iter(
            [v for v in found if (start is None or v.at >= start) and (end is None or v.at < end)]
        )

    def visit_counts(
        self, codes: Sequence[str], *, start: datetime, end: datetime, by: str | None
    ) -> list[tuple[datetime, str | None, int]]:
        out: Counter[tuple[datetime, str | None]] = Counter()
        with self._lock:
            for code in dict.fromkeys(codes):
                c = self._counters.get(code)
                if c is None:
                    continue
                c.fold()
                for (hour, dim, key), n in c.hours.items():
                    if dim == by and start <= hour < end:
                        out[(hour, key)] += n
        return [(hour, key, n) for (hour, key), n in out.items()]

    def purge_visits(self, *, before: datetime, code: str | None = None) -> int:
        removed = 0
        with self._lock:
            for name, c in self._counters.items():
                if code is not None and name != code:
                    continue
                c.fold()
                kept = [v for v in c.events if v.at >= before]
                removed += len(c.events) - len(kept)
                c.events = kept
                c.folded = len(kept)
        return removed

    def daily_salt(self, day: str) -> bytes:
        with self._lock:
            salt = self._salts.get(day)
            if salt is None:
                salt = self._salts[day] = secrets.token_bytes(16)
                oldest = (date.fromisoformat(day) - timedelta(days=2)).isoformat()
                for old in [d for d in self._salts if d < oldest]:
                    del self._salts[old]
            return salt

    def link_stats(self, code: str) -> Stats:
        with self._lock:
            c = self._counters.get(code)
            if c is None:
                return Stats(code=code)
            c.fold()
            dims: dict[str, Counter[str]] = {d: Counter() for d in _DIMS if d is not None}
            days: Counter[str] = Counter()
            for (hour, dim, key), n in c.hours.items():
                if dim is None:
                    days[hour.date().isoformat()] += n
                elif key is not None:
                    dims[dim][key] += n
            return Stats(
                code=code,
                clicks=c.clicks,
                visits=c.visits,
                bots=c.bots,
                first_visit=c.first,
                last_visit=c.last,
                by_platform=dict(dims["platform"]),
                by_os=dict(dims["os"]),
                by_day=dict(days),
                uniques=len(c.visitors),
                by_outcome=dict(dims["outcome"]),
                by_target=dict(dims["target"]),
            )

    def next_sequence(self, name: str) -> int:
        with self._lock:
            value = self._sequences.get(name, 0) + 1
            self._sequences[name] = value
            return value
