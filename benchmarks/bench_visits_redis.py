"""Load about a million visit events of one link into Redis and measure.

Run from the repository root with a Redis server (the numbers in
docs/backends/redis.md come from it)::

    SUO_TEST_REDIS_URL=redis://127.0.0.1:6379/0 python -m benchmarks visits_redis [--quick]

``--quick`` loads 100,000 events instead of 1,000,000.

The events are spread over a year, arrive in time order and go through the
``link_hit`` script (the one ``hit`` runs), pipelined 1000 at a time. Then it
prints bytes per event (``MEMORY USAGE`` of the link's keys), the latency of
``link_stats`` and ``visit_counts``, the HyperLogLog's uniques against the
exact count, a full ``visits()`` stream, and a purge of the older half. The
store (a key prefix of its own) is dropped at the end.
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from suo.shortener.model import Link, Visit
from suo.storage.redis import RedisStore
from suo.testing.backends import isolated_store

END = datetime(2026, 12, 1, tzinfo=UTC)
START = END - timedelta(days=365)
REFERRERS = [f"m{i}.example.com" for i in range(30)] + ["mp.weixin.qq.com", "t.cn"]


def _events(n: int, rng: random.Random) -> tuple[list[Visit], int]:
    """``n`` visits in time order over the year, and the exact number of distinct visitors."""
    step = (END - START) / n
    seen: set[int] = set()
    out = []
    for i in range(n):
        bot = rng.random() < 0.1
        visitor = None if bot else rng.getrandbits(20) | (i // 2700) << 20  # repeats within a day
        if visitor is not None:
            seen.add(visitor)
        out.append(
            Visit(
                START + step * i + timedelta(microseconds=rng.randrange(1000)),
                "bot" if bot else rng.choice(["wechat"] * 4 + ["browser"] * 3 + ["qq", "weibo"]),
                rng.choice(["ios"] * 4 + ["android"] * 4 + ["windows", "mac"]),
                bot,
                rng.choice(["redirect"] * 17 + ["guide", "guide", "page"]),
                "big",
                rng.choice(["zh-cn"] * 8 + ["en-us", None]),
                rng.choice(REFERRERS) if rng.random() < 0.5 else None,
                None,
                {"utm_source": "moments", "utm_campaign": "双12"} if rng.random() < 0.3 else None,
                None if visitor is None else f"{visitor:016x}",
            )
        )
    return out, len(seen)


def _ms(fn: Callable[[], Any], repeat: int = 15) -> tuple[float, Any]:
    """Median milliseconds of ``fn`` and its last result."""
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def _link_bytes(store: RedisStore, code: str) -> dict[str, int]:
    r = store._r
    sizes: dict[str, int] = {"events": 0, "rollups": 0, "totals": 0}
    for key in r.scan_iter(match=store._key(code, "*"), count=1000):
        kind = key.rsplit("}:", 1)[1].split(":", 1)[0]
        group = {"e": "events", "eh": "events", "h": "rollups", "hx": "rollups"}
        sizes[group.get(kind, "totals")] += int(r.memory_usage(key, samples=0) or 0)
    return sizes


def main(quick: bool = False) -> None:
    """Run with 100,000 events (``quick``) or 1,000,000."""
    run(100_000 if quick else 1_000_000)


def run(n: int) -> None:
    rng = random.Random(2026)
    visits, exact = _events(n, rng)
    with isolated_store("redis") as store:
        assert isinstance(store, RedisStore)
        store.create_link(Link(code="big", target="https://example.com/", created_at=START))
        used0 = int(store._r.info("memory")["used_memory"])
        script = store._script("link_hit")
        t0 = time.perf_counter()
        for i in range(0, n, 1000):
            pipe = store._r.pipeline(transaction=False)
            for v in visits[i : i + 1000]:
                keys, args = store._hit_call("big", v, not v.bot, None, True)
                script(keys=keys, args=args, client=pipe)
            pipe.execute()
        load = time.perf_counter() - t0
        used1 = int(store._r.info("memory")["used_memory"])
        sizes = _link_bytes(store, "big")
        print(f"loaded {n} events in {load:.1f} s ({n / load:.0f}/s, pipelined by 1000)")
        print(
            f"bytes/event: events {sizes['events'] / n:.1f}, rollups {sizes['rollups'] / n:.1f},"
            f" totals {sizes['totals'] / n:.2f}, all {sum(sizes.values()) / n:.1f}"
            f" (INFO used_memory delta {(used1 - used0) / n:.1f}, shared server: noisy)"
        )
        ms, stats = _ms(lambda: store.link_stats("big"))
        print(f"link_stats: {ms:.2f} ms; visits {stats.visits}, by_day {len(stats.by_day)} days")
        err = (stats.uniques - exact) / exact
        print(f"uniques: HLL {stats.uniques} vs exact {exact}: error {err:+.3%}")
        windows: list[tuple[int, str | None]] = [
            (7, None), (7, "platform"), (7, "referrer"), (90, None), (90, "os"),
            (90, "referrer"), (365, None), (365, "platform"), (365, "referrer"),
        ]  # fmt: skip
        for days, by in windows:

            def counts(d: int = days, b: str | None = by) -> Any:
                return store.visit_counts(["big"], start=END - timedelta(days=d), end=END, by=b)

            ms, rows = _ms(counts, repeat=7)
            print(f"visit_counts {days:>3} days by {by}: {ms:.2f} ms, {len(rows)} rows")
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        streamed = sum(1 for _ in store.visits("big"))
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"visits(): {streamed} events in {time.perf_counter() - t0:.1f} s,"
            f" peak RSS grew {(rss1 - rss0) / 1024:.1f} MiB"
        )
        t0 = time.perf_counter()
        removed = store.purge_visits(before=START + timedelta(days=182, hours=5, minutes=30))
        print(f"purge older half: {removed} events in {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        store.delete_link("big")
        print(f"delete_link: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
