"""Redis implementation of :class:`~suo.shortener.store.LinkStore`.

Keys (``p`` is the store prefix; braces hold the Cluster hash tag)::

    p:{<code>}:link            string  Link.to_dict() as JSON; SET NX claims the alias
    p:{<code>}:n               hash    clicks, visits, bots, first, last
    p:{<code>}:by              hash    v:<platform>|<os>|<outcome>|<target> and
                                       day:<YYYY-MM-DD> -> human visits (all time)
    p:{<code>}:u               HLL     visitor ids of human visits (uniques)
    p:{<code>}:eh              zset    hours (since the epoch) that have events
    p:{<code>}:e:<hour>        list    that hour's events, packed, in arrival order
    p:{<code>}:h:<day>         hash    hourly rollup of a UTC day: <HH> (all),
                                       <HH>|p|<platform>, <HH>|o|<os>,
                                       <HH>|x|<outcome>, <HH>|t|<target> -> visits
    p:{<code>}:hx:<day>        hash    <HH>|r|<referrer>, <HH>|l|<language> -> visits
    p:{<code>}:gone            string  a delete's pending cleanup (JSON: link, days,
                                       hours); exists only until that cleanup ends
    p:{tag:<tag>}:links        zset    codes with that tag (score 0, ordered by code)
    p:{seq}:<name>             string  counters for sequence code generators
    p:{salt}:<YYYY-MM-DD>      string  the day's visitor-id salt (hex), expires in 3 days

Everything of one link shares its hash tag, so a visit is one script (one
round trip) in one Cluster slot. docs/backends/redis.md explains the choices.
"""

from __future__ import annotations

import math
import secrets
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from redis.exceptions import NoScriptError, RedisError

from suo.errors import AliasTaken, NotFound, StorageError, StorageUnavailable
from suo.shortener.batching import HitCall
from suo.shortener.model import Link, Stats, Visit
from suo.shortener.store import first_conflict
from suo.storage._common import dumps, hit_margin, loads
from suo.storage.redis._base import RedisBase

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_HOUR_US = 3_600_000_000
_SEP = "\x1f"
_HH = [f"{h:02d}" for h in range(24)]
_ROLLUPS = ("h", "hx")
_FIELD = {
    "platform": "p",
    "os": "o",
    "outcome": "x",
    "target": "t",
    "referrer": "r",
    "language": "l",
}
"""The letter of each ``by`` field in the rollup hashes."""
_HOURS = tuple(_HH)
_HH_INDEX = {hh: i for i, hh in enumerate(_HH)}
_PAGE_HOURS = 24
"""Event lists read per round trip by :meth:`RedisLinks.visits`."""
_PURGE_BATCH = 256
"""Event lists one purge script call handles (bounds how long it blocks the server)."""
_SALT_TTL = 3 * 24 * 3600


def _micros(at: datetime) -> int:
    """Microseconds since the epoch, exact."""
    return (at - _EPOCH) // _US


def _glob(text: str) -> str:
    """``text`` with the glob characters of ``SCAN MATCH`` escaped."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


def _pack(visit: Visit, offset: int) -> str:
    """The event as stored (the hit script reads it too).

    Compact form: ten fields joined by ``\\x1f`` — offset in the hour (µs),
    bot (``1`` or empty), platform, os, language, referrer, target, visitor,
    utm (JSON, or empty), outcome; ``None`` is the empty string. A value the
    compact form cannot hold (an empty string, a ``\\x1f``), or an A/B variant, switches to
    ``J`` + JSON of the first nine + ``\\x1f`` + outcome (JSON text has no raw
    ``\\x1f``). Either way the event starts with the offset's digits (after
    ``J[``), which the purge script reads, and ends with the outcome, which
    the hit script replaces by ``exhausted`` when the cap refuses the click.
    """
    v = visit
    fields = (v.platform, v.os, v.outcome, v.language, v.referrer, v.target, v.visitor)
    # An A/B visit always takes the JSON form, its variant a tenth element
    # (link_hit.lua reads the first nine and ignores it).
    if v.variant is not None or any(f is not None and (not f or _SEP in f) for f in fields):
        row: list[Any] = [offset, v.bot, v.platform, v.os, v.language, v.referrer, v.target,
                          v.visitor, dict(v.utm)]  # fmt: skip
        if v.variant is not None:
            row.append(v.variant)
        return f"J{dumps(row)}{_SEP}{v.outcome}"
    return _SEP.join(
        (
            str(offset),
            "1" if v.bot else "",
            v.platform,
            v.os,
            v.language or "",
            v.referrer or "",
            v.target or "",
            v.visitor or "",
            dumps(dict(v.utm)) if v.utm else "",
            v.outcome,
        )
    )


def _unpack(code: str, hour: int, value: str) -> Visit:
    """The :class:`Visit` stored as ``value`` in the list of ``hour``."""
    if value.startswith("J"):
        cut = value.index(_SEP)
        row = loads(value[1:cut])
        off, bot, platform, os_, lang, ref, target, visitor, utm = row[:9]
        variant = row[9] if len(row) > 9 else None
        outcome = value[cut + 1 :]
    else:
        parts = value.split(_SEP, 9)
        off = int(parts[0])
        bot = parts[1] == "1"
        platform, os_, outcome = parts[2], parts[3], parts[9]
        lang, ref, target, visitor = (p or None for p in parts[4:8])
        utm = loads(parts[8]) if parts[8] else None
        variant = None
    at = _EPOCH + timedelta(microseconds=hour * _HOUR_US + int(off))
    return Visit(
        at, platform, os_, bot, outcome, code, lang, ref, target, utm, visitor, variant=variant
    )


class RedisLinks(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore` for links."""

    def _tag_key(self, tag: str) -> str:
        return str(self._key(f"tag:{tag}", "links"))

    def _create_keys(self, code: str) -> list[str]:
        return [self._key(code, k) for k in ("link", "n", "by", "gone")]

    def _index_tags(self, links: Sequence[Link]) -> None:
        """Add each link's code to its tags' indexes (other slots), before the record exists.

        An index entry whose record is missing or lacks the tag (a create that
        failed after this step, a taken alias) is skipped by :meth:`list_links`,
        so this order never shows a half-made link, and never hides a made one.
        """
        if any(link.tags for link in links):
            pipe = self._r.pipeline(transaction=False)
            for link in links:
                for tag in link.tags:
                    pipe.zadd(self._tag_key(tag), {link.code: 0})
            pipe.execute()

    def create_link(self, link: Link) -> None:
        self._index_tags([link])
        create = self._script("link_create")
        claimed = int(create(keys=self._create_keys(link.code), args=[_dump(link)]))
        if claimed == 2:
            # An earlier delete of this code stopped before its cleanup ended: end it
            # first (it removes the old link's tag entries), then index and claim again.
            self.delete_link(link.code)
            self._index_tags([link])
            claimed = int(create(keys=self._create_keys(link.code), args=[_dump(link)]))
        if claimed != 1:
            raise AliasTaken(link.code)

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
        results: list[int] = []
        self._index_tags(links)
        for attempt in range(2):
            pipe = self._r.pipeline(transaction=False)
            for link in links:
                create(keys=self._create_keys(link.code), args=[_dump(link)], client=pipe)
            results = [int(r) for r in pipe.execute()]
            pending = [lk.code for lk, r in zip(links, results, strict=True) if r == 2]
            if not pending or attempt:
                break
            # Earlier deletes of some codes left their cleanup unfinished: end it, roll
            # back this round's claims and claim again.
            for c in pending:
                self.delete_link(c)
            self._undo_claims([lk.code for lk, r in zip(links, results, strict=True) if r == 1])
            self._index_tags([lk for lk in links if lk.code in pending])
        if any(r != 1 for r in results):
            self._undo_claims([lk.code for lk, r in zip(links, results, strict=True) if r == 1])
            raise AliasTaken(self._first_taken(codes) or codes[0])

    def _undo_claims(self, codes: list[str]) -> None:
        """Remove links just claimed (no visit can have reached them): record and counters."""
        if not codes:
            return
        undo = self._r.pipeline(transaction=False)
        for c in codes:
            # One slot per code, so one DEL per code works on a Cluster too.
            undo.execute_command("DEL", self._key(c, "link"), self._key(c, "n"), self._key(c, "by"))
        undo.execute()

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
        # New tags are indexed before the record says so, old ones dropped after:
        # a failure between the steps leaves entries that list_links skips, and
        # the same replace again completes it.
        self._index_tags([link])
        old = self._r.set(self._key(link.code, "link"), _dump(link), xx=True, get=True)
        if old is None:
            return False
        gone = set(loads(old).get("tags", ())) - set(link.tags)
        if gone:
            pipe = self._r.pipeline(transaction=False)
            for tag in gone:
                pipe.zrem(self._tag_key(tag), link.code)
            pipe.execute()
        return True

    def delete_link(self, code: str) -> bool:
        found = self._script("link_delete")(
            keys=[self._key(code, k) for k in ("link", "n", "by", "u", "eh", "gone")]
        )
        if not found:
            return False
        plan = loads(found[1])
        days, hours = plan["days"] or [], plan["hours"] or []  # Lua's cjson writes [] as {}
        # The link and its counters are gone, so no visit writes here any more:
        # the event lists and rollups it listed go now, in batches (all in the
        # link's slot), then its tag entries (other slots), and the :gone record
        # last. Each step is idempotent: a delete that fails midway leaves :gone,
        # and the next delete (or create) of the code finishes the job.
        keys = [self._key(code, f"e:{h}") for h in hours]
        keys += [self._key(code, f"{r}:{d}") for d in days for r in _ROLLUPS]
        pipe = self._r.pipeline(transaction=False)
        for i in range(0, len(keys), 500):
            pipe.execute_command("UNLINK", *keys[i : i + 500])
        for tag in loads(plan["link"]).get("tags", ()):
            pipe.zrem(self._tag_key(tag), code)
        pipe.execute()
        self._r.delete(self._key(code, "gone"))
        return True

    def list_links(self, *, tag: str | None, after: str | None, limit: int) -> list[Link]:
        if tag is not None:
            return self._list_tagged(tag, after, limit)
        # No global index: a full list is an admin task, so SCAN is fine.
        found = sorted(
            key.split("{", 1)[1].rsplit("}", 1)[0]
            for key in self._r.scan_iter(match=self._key("*", "link"), count=1000)
        )
        codes = [c for c in found if after is None or c > after][:limit]
        if not codes:
            return []
        datas = self._mget([self._key(c, "link") for c in codes])
        return [Link.from_dict(loads(d)) for d in datas if d is not None]

    def _list_tagged(self, tag: str, after: str | None, limit: int) -> list[Link]:
        """Links carrying ``tag`` in code order: the index, checked against each record.

        Usually one ``ZRANGEBYLEX`` and one read of the records. An index entry
        whose record is gone or no longer carries the tag (left by a step that
        failed midway) is skipped, and the next entries are read in its place.
        """
        out: list[Link] = []
        index = self._tag_key(tag)
        while len(out) < limit:
            want = limit - len(out)
            lo = "-" if after is None else f"({after}"
            codes = self._r.zrangebylex(index, lo, "+", start=0, num=want)
            if not codes:
                break
            for data in self._mget([self._key(c, "link") for c in codes]):
                if data is not None:
                    link = Link.from_dict(loads(data))
                    if tag in link.tags:
                        out.append(link)
            if len(codes) < want:
                break
            after = codes[-1]
        return out

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
        if deadline is None:
            deadline = time.time() + self.socket_timeout - hit_margin(self.socket_timeout)
        keys, args = self._hit_call(code, visit, count, cap, event, deadline)
        answer = self._hit_answer(code, int(self._script("link_hit")(keys=keys, args=args)))
        if isinstance(answer, Exception):
            raise answer
        return answer

    def hit_many(self, calls: Sequence[HitCall]) -> list[int | Exception | None]:
        """:meth:`hit` for each call, in one ``MULTI``/``EXEC`` (one round trip).

        Each visit is its own ``link_hit`` script run with its own deadline
        (``None``: now + the socket timeout, as :meth:`hit`), and ``EXEC`` runs
        them all at one moment with one reply: a batch is recorded whole or
        not at all, as a single visit is, so a caller that gave up on the
        reply (503) finds none of its visits counted before their deadlines
        and some after. See :mod:`suo.shortener.batching`.
        """
        if not calls:
            return []
        script = self._script("link_hit")
        default = time.time() + self.socket_timeout - hit_margin(self.socket_timeout)
        raw: list[Any] = []
        runs: list[tuple[list[str], list[str]]] = []
        sent: list[int] = []
        for i, c in enumerate(calls):
            try:
                runs.append(
                    self._hit_call(
                        c.code,
                        c.visit,
                        c.count,
                        c.cap,
                        c.event,
                        default if c.deadline is None else c.deadline,
                    )
                )
            except Exception as exc:  # this visit's own error (as hit raises it), not sent
                raw.append(exc)
            else:
                raw.append(None)
                sent.append(i)
        for i, r in zip(sent, self._pipelined(script.sha, runs), strict=True):
            raw[i] = r
        lost = [i for i in sent if isinstance(raw[i], NoScriptError)]
        if lost:
            # The server lost its scripts (a restart, SCRIPT FLUSH): those runs did
            # not happen. Load the script and run just them again.
            script.sha = self._r.script_load(script.script)
            again = [runs[sent.index(i)] for i in lost]
            for i, r in zip(lost, self._pipelined(script.sha, again), strict=True):
                raw[i] = r
        return [
            r if isinstance(r, Exception) and not isinstance(r, RedisError)
            else self._hit_answer(c.code, r)
            for c, r in zip(calls, raw, strict=True)
        ]  # fmt: skip

    def _pipelined(self, sha: str, runs: list[tuple[list[str], list[str]]]) -> list[Any]:
        # A transaction, not a bare pipeline: a bare one runs its scripts one by one,
        # so a stall in the middle would leave the first visits counted while
        # every caller is told the store was unavailable.
        with self._r.pipeline(transaction=True) as p:
            for keys, args in runs:
                p.evalsha(sha, len(keys), *keys, *args)
            return list(p.execute(raise_on_error=False))

    def _hit_answer(self, code: str, result: Any) -> int | Exception | None:
        """What one ``link_hit`` run means: the click count, ``None`` (capped) or an error."""
        if isinstance(result, Exception):
            error = self._engine_error(result) or StorageError(
                f"Redis error ({self._safe_url}): {result}"
            )
            error.__cause__ = result
            return error
        result = int(result)
        if result == -2:
            return NotFound(f"no link with code {code!r}")
        if result == -3:
            return StorageUnavailable(
                f"Redis ({self._safe_url}) ran the visit to {code!r} after its deadline "
                "(the server was stalled); nothing was recorded"
            )
        return None if result < 0 else result

    def _hit_call(
        self,
        code: str,
        visit: Visit,
        count: bool,
        cap: int | None,
        event: bool,
        deadline: float | None = None,
    ) -> tuple[list[str], list[str]]:
        """The keys and arguments of the ``link_hit`` script for one visit.

        Few and packed: redis-py spends about half a microsecond per argument,
        which is most of what a visit costs on the client. Bulk loaders
        pipeline the script with these (benchmarks/bench_visits_redis.py).
        ``deadline`` (epoch seconds, ``None``: none) is when the script must
        refuse to record the visit, by the server's ``TIME``.
        """
        base = f"{self.prefix}:{{{code}}}:"
        kind = "b" if visit.bot else "v" if not count else "c" if cap is None else f"c{cap}"
        until = "" if deadline is None or deadline == math.inf else str(int(deadline * 1e6))
        if not event:
            return [base + "n", base + "link"], [kind, visit.at.isoformat(), until]
        hour, offset = divmod(_micros(visit.at), _HOUR_US)
        day = visit.day
        keys = [
            base + "n", base + "link", base + "by", f"{base}e:{hour}", base + "eh",
            base + "u", f"{base}h:{day}", f"{base}hx:{day}",
        ]  # fmt: skip
        return keys, [kind, visit.at.isoformat(), until, _pack(visit, offset)]

    def visits(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> Iterator[Visit]:
        lo = "-inf" if start is None else _micros(start) // _HOUR_US
        hi = "+inf" if end is None else (_micros(end) - 1) // _HOUR_US
        return self._visit_pages(code, lo, hi, start, end)

    def _visit_pages(
        self,
        code: str,
        lo: int | str,
        hi: int | str,
        start: datetime | None,
        end: datetime | None,
    ) -> Iterator[Visit]:
        """Events page by page: a few hours' lists per round trip, each sorted by time.

        A generator runs after :meth:`visits` returned, outside its error
        wrapping, so it wraps engine errors itself.
        """
        try:
            index = self._key(code, "eh")
            while True:
                hours = self._r.zrangebyscore(index, lo, hi, start=0, num=_PAGE_HOURS)
                if not hours:
                    return
                pipe = self._r.pipeline(transaction=False)
                for h in hours:
                    pipe.lrange(self._key(code, f"e:{h}"), 0, -1)
                for h, values in zip(hours, pipe.execute(), strict=True):
                    hour = int(h)
                    found = [_unpack(code, hour, v) for v in values]
                    found.sort(key=lambda v: v.at)  # stable: ties keep arrival order
                    for v in found:
                        if (start is None or v.at >= start) and (end is None or v.at < end):
                            yield v
                lo = f"({hours[-1]}"
        except Exception as exc:
            error = self._engine_error(exc)
            if error is None:
                raise
            raise error from exc

    def visit_counts(
        self, codes: Sequence[str], *, start: datetime, end: datetime, by: str | None
    ) -> list[tuple[datetime, str | None, int]]:
        letter = None if by is None else _FIELD.get(by)
        if by is not None and letter is None:
            raise ValueError(f"cannot count visits by {by!r}")
        tag = f"{letter}|"
        rollup = "hx" if letter in ("r", "l") else "h"
        # Hours since the epoch: [lo, hi) are the hours that start in [start, end).
        lo = -(-_micros(start) // _HOUR_US)
        hi = -(-_micros(end) // _HOUR_US)
        if lo >= hi:
            return []
        epoch_day = _EPOCH.date().toordinal()
        days = range(lo // 24, (hi - 1) // 24 + 1)
        wanted = [(code, d) for code in dict.fromkeys(codes) for d in days]
        out: dict[tuple[int, str | None], int] = {}
        for i in range(0, len(wanted), 128):
            chunk = wanted[i : i + 128]
            pipe = self._r.pipeline(transaction=False)
            for code, d in chunk:
                day = date.fromordinal(epoch_day + d).isoformat()
                # Every hour's total: by=None, and the visits without a value.
                pipe.hmget(self._key(code, f"h:{day}"), _HOURS)
                if letter is not None:
                    pipe.hgetall(self._key(code, f"{rollup}:{day}"))
            replies = iter(pipe.execute())
            for _code, d in chunk:
                totals = next(replies)
                found = next(replies) if letter is not None else None
                base = d * 24
                rest = [int(n) if n else 0 for n in totals]
                if found:
                    for fld, n in found.items():
                        if fld[3:5] == tag:
                            hh = _HH_INDEX[fld[:2]]
                            count = int(n)
                            rest[hh] -= count
                            if lo <= base + hh < hi:
                                key = (base + hh, fld[5:])
                                out[key] = out.get(key, 0) + count
                for hh, count in enumerate(rest):
                    if count and lo <= base + hh < hi:
                        key = (base + hh, None)
                        out[key] = out.get(key, 0) + count
        return [(_EPOCH + timedelta(hours=hour), key, n) for (hour, key), n in out.items()]

    def purge_visits(self, *, before: datetime, code: str | None = None) -> int:
        if code is None:
            match = _glob(self.prefix) + ":{*}:eh"
            codes = {
                key[len(self.prefix) + 2 : -4] for key in self._r.scan_iter(match=match, count=1000)
            }
        else:
            codes = {code}
        cut = _micros(before)
        cut_hour, cut_offset = divmod(cut, _HOUR_US)
        purge = self._script("visits_purge")
        removed = 0
        for c in sorted(codes):
            index = self._key(c, "eh")
            while True:
                hours = self._r.zrangebyscore(index, "-inf", cut_hour, start=0, num=_PURGE_BATCH)
                if not hours:
                    break
                keys = [index] + [self._key(c, f"e:{h}") for h in hours]
                removed += int(purge(keys=keys, args=[cut_hour, cut_offset, *hours]))
                if int(hours[-1]) >= cut_hour or len(hours) < _PURGE_BATCH:
                    break
        return removed

    def daily_salt(self, day: str) -> bytes:
        the_day = date.fromisoformat(day)
        key = self._key("salt", day)
        mine = secrets.token_hex(16)
        # Set-if-absent returning the value already there: one atomic step, so
        # racing processes all end up with the first one's salt.
        old = self._r.set(key, mine, nx=True, get=True, ex=_SALT_TTL)
        if old is None:
            # Set just now: older days' salts go (they also expire on their own).
            self._r.delete(
                *(
                    self._key("salt", (the_day - timedelta(days=d)).isoformat())
                    for d in range(3, 10)
                )
            )
            return bytes.fromhex(mine)
        return bytes.fromhex(old)

    def link_stats(self, code: str) -> Stats:
        pipe = self._r.pipeline(transaction=False)
        pipe.hgetall(self._key(code, "n"))
        pipe.hgetall(self._key(code, "by"))
        pipe.execute_command("PFCOUNT", self._key(code, "u"))  # a Cluster pipeline blocks .pfcount
        n, by, uniques = pipe.execute()
        dims: dict[str, Counter[str]] = {
            d: Counter() for d in ("platform", "os", "day", "outcome", "target")
        }
        for fld, value in by.items():
            if fld.startswith("v:"):
                platform, os_, outcome, target = fld[2:].split("|", 3)
                visits = int(value)
                dims["platform"][platform] += visits
                dims["os"][os_] += visits
                dims["outcome"][outcome] += visits
                if target:
                    dims["target"][target] += visits
            else:  # day:<YYYY-MM-DD>, and platform:/os: of data from before v:
                dim, _, name = fld.partition(":")
                if dim in dims:
                    dims[dim][name] += int(value)
        return Stats(
            code=code,
            clicks=int(n.get("clicks", 0)),
            visits=int(n.get("visits", 0)),
            bots=int(n.get("bots", 0)),
            first_visit=_dt(n.get("first")),
            last_visit=_dt(n.get("last")),
            by_platform=dict(dims["platform"]),
            by_os=dict(dims["os"]),
            by_day=dict(dims["day"]),
            uniques=int(uniques),
            by_outcome=dict(dims["outcome"]),
            by_target=dict(dims["target"]),
        )

    def next_sequence(self, name: str) -> int:
        return int(self._r.incr(self._key("seq", name)))


def _dump(link: Link) -> str:
    return dumps(link.to_dict())


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
