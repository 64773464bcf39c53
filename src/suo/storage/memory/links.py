"""Memory implementation of :class:`~suo.shortener.store.LinkStore`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import define, field

from suo.errors import AliasTaken, NotFound
from suo.shortener.model import Link, Stats, Visit
from suo.shortener.store import first_conflict
from suo.storage.memory._base import MemoryBase


@define
class _Counters:
    clicks: int = 0
    visits: int = 0
    bots: int = 0
    first: datetime | None = None
    last: datetime | None = None
    platform: Counter[str] = field(factory=Counter)
    os: Counter[str] = field(factory=Counter)
    day: Counter[str] = field(factory=Counter)


class MemoryLinks(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for links."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._links: dict[str, Link] = {}
        self._counters: dict[str, _Counters] = {}
        self._sequences: dict[str, int] = {}

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

    def hit(self, code: str, visit: Visit, *, count: bool, cap: int | None) -> int | None:
        with self._lock:
            c = self._counters.get(code)
            if c is None:
                raise NotFound(f"no link with code {code!r}")
            if visit.bot:
                c.bots += 1
                return c.clicks
            result: int | None = c.clicks
            if count:
                if cap is not None and c.clicks >= cap:
                    result = None
                else:
                    c.clicks += 1
                    result = c.clicks
            c.visits += 1
            c.first = visit.at if c.first is None else c.first
            c.last = visit.at
            c.platform[visit.platform] += 1
            c.os[visit.os] += 1
            c.day[visit.day] += 1
            return result

    def link_stats(self, code: str) -> Stats:
        with self._lock:
            c = self._counters.get(code)
            if c is None:
                return Stats(code=code)
            return Stats(
                code=code,
                clicks=c.clicks,
                visits=c.visits,
                bots=c.bots,
                first_visit=c.first,
                last_visit=c.last,
                by_platform=dict(c.platform),
                by_os=dict(c.os),
                by_day=dict(c.day),
            )

    def next_sequence(self, name: str) -> int:
        with self._lock:
            value = self._sequences.get(name, 0) + 1
            self._sequences[name] = value
            return value
