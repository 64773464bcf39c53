"""Redis implementation of :class:`~suo.shortener.store.LinkStore`.

Keys (``p`` is the store prefix; braces hold the Cluster hash tag)::

    p:{<code>}:link     string  Link.to_dict() as JSON; SET NX claims the alias
    p:{<code>}:n        hash    clicks, visits, bots, first, last
    p:{<code>}:by       hash    platform:<p>, os:<o>, day:<YYYY-MM-DD> -> visits
    p:{tag:<tag>}:links zset    codes with that tag (score 0, ordered by code)
    p:{seq}:<name>      string  counters for sequence code generators
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from suo.errors import AliasTaken, NotFound
from suo.shortener.model import Link, Stats, Visit
from suo.shortener.store import first_conflict
from suo.storage._common import dumps, loads
from suo.storage.redis._base import RedisBase


class RedisLinks(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore` for links."""

    def _tag_key(self, tag: str) -> str:
        return str(self._key(f"tag:{tag}", "links"))

    def create_link(self, link: Link) -> None:
        keys = [self._key(link.code, k) for k in ("link", "n", "by")]
        if not self._script("link_create")(keys=keys, args=[_dump(link)]):
            raise AliasTaken(link.code)
        if link.tags:
            pipe = self._r.pipeline(transaction=False)
            for tag in link.tags:
                pipe.zadd(self._tag_key(tag), {link.code: 0})
            pipe.execute()

    def create_links(self, links: Sequence[Link]) -> None:
        if not links:
            return
        codes = [link.code for link in links]
        if len(set(codes)) < len(codes):
            raise AliasTaken(self._first_taken(codes) or codes[0])
        # Each claim (SET NX, counters from zero) is atomic; keys of different
        # links live in different Cluster slots, so on a conflict the ones
        # already claimed are rolled back.
        create = self._script("link_create")
        pipe = self._r.pipeline(transaction=False)
        for link in links:
            keys = [self._key(link.code, k) for k in ("link", "n", "by")]
            create(keys=keys, args=[_dump(link)], client=pipe)
        results = pipe.execute()
        if not all(results):
            won = [lk.code for lk, ok in zip(links, results, strict=True) if ok]
            undo = self._r.pipeline(transaction=False)
            for c in won:
                undo.delete(self._key(c, "link"))
            undo.execute()
            raise AliasTaken(self._first_taken(codes) or codes[0])
        if any(link.tags for link in links):
            pipe = self._r.pipeline(transaction=False)
            for link in links:
                for tag in link.tags:
                    pipe.zadd(self._tag_key(tag), {link.code: 0})
            pipe.execute()

    def _first_taken(self, codes: list[str]) -> str | None:
        pipe = self._r.pipeline(transaction=False)
        for code in codes:
            pipe.exists(self._key(code, "link"))
        found = {c for c, n in zip(codes, pipe.execute(), strict=True) if n}
        return first_conflict(codes, found)

    def get_link(self, code: str) -> Link | None:
        data = self._r.get(self._key(code, "link"))
        return None if data is None else Link.from_dict(loads(data))

    def replace_link(self, link: Link) -> bool:
        old = self._r.set(self._key(link.code, "link"), _dump(link), xx=True, get=True)
        if old is None:
            return False
        old_tags = set(loads(old).get("tags", ()))
        pipe = self._r.pipeline(transaction=False)
        for tag in old_tags - set(link.tags):
            pipe.zrem(self._tag_key(tag), link.code)
        for tag in set(link.tags) - old_tags:
            pipe.zadd(self._tag_key(tag), {link.code: 0})
        pipe.execute()
        return True

    def delete_link(self, code: str) -> bool:
        data = self._r.getdel(self._key(code, "link"))
        if data is None:
            return False
        pipe = self._r.pipeline(transaction=False)
        pipe.delete(self._key(code, "n"), self._key(code, "by"))
        for tag in loads(data).get("tags", ()):
            pipe.zrem(self._tag_key(tag), code)
        pipe.execute()
        return True

    def list_links(self, *, tag: str | None, after: str | None, limit: int) -> list[Link]:
        if tag is not None:
            lo = "-" if after is None else f"({after}"
            codes = self._r.zrangebylex(self._tag_key(tag), lo, "+", start=0, num=limit)
        else:
            # No global index: a full list is an admin task, so SCAN is fine.
            found = sorted(
                key.split("{", 1)[1].rsplit("}", 1)[0]
                for key in self._r.scan_iter(match=self._key("*", "link"), count=1000)
            )
            codes = [c for c in found if after is None or c > after][:limit]
        if not codes:
            return []
        datas = self._r.mget([self._key(c, "link") for c in codes])
        return [Link.from_dict(loads(d)) for d in datas if d is not None]

    def hit(self, code: str, visit: Visit, *, count: bool, cap: int | None) -> int | None:
        result = self._script("link_hit")(
            keys=[self._key(code, "n"), self._key(code, "by"), self._key(code, "link")],
            args=[
                int(visit.bot),
                int(count),
                -1 if cap is None else cap,
                visit.at.isoformat(),
                f"platform:{visit.platform}",
                f"os:{visit.os}",
                f"day:{visit.day}",
            ],
        )
        if int(result) == -2:
            raise NotFound(f"no link with code {code!r}")
        return None if int(result) < 0 else int(result)

    def link_stats(self, code: str) -> Stats:
        pipe = self._r.pipeline(transaction=False)
        pipe.hgetall(self._key(code, "n"))
        pipe.hgetall(self._key(code, "by"))
        n, by = pipe.execute()
        dims: dict[str, dict[str, int]] = {"platform": {}, "os": {}, "day": {}}
        for fld, value in by.items():
            dim, _, name = fld.partition(":")
            dims[dim][name] = int(value)
        return Stats(
            code=code,
            clicks=int(n.get("clicks", 0)),
            visits=int(n.get("visits", 0)),
            bots=int(n.get("bots", 0)),
            first_visit=_dt(n.get("first")),
            last_visit=_dt(n.get("last")),
            by_platform=dims["platform"],
            by_os=dims["os"],
            by_day=dims["day"],
        )

    def next_sequence(self, name: str) -> int:
        return int(self._r.incr(self._key("seq", name)))


def _dump(link: Link) -> str:
    return dumps(link.to_dict())


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
