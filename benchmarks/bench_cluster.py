"""suo on a Redis Cluster against redis-py on the same cluster, in the same run.

Run from the repository root (the numbers in docs/benchmarks.md come from it)::

    python -m benchmarks cluster [--quick]

It uses the cluster named by ``SUO_TEST_REDIS_CLUSTER_URL`` or starts a
local one (3 masters + 3 replicas of Debian's ``redis-server`` on loopback,
stopped by pid at the end). Rows:

* ``resolve()`` on the cluster vs one pipelined ``GET`` + ``INCR`` of the
  link's keys through redis-py's ``RedisCluster`` (the cluster's floor for
  "read the link, count the click");
* the same pair on the single Redis server of ``SUO_TEST_REDIS_URL``, for
  context (a cluster adds no round trip to a visit);
* ``list_links(tag=..., limit=100)`` on the cluster vs redis-py's
  ``ZRANGEBYLEX`` + ``mget_nonatomic`` of the same 100 records.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from benchmarks import _stores  # noqa: F401  (sets the test servers' defaults)
from benchmarks._util import compare, report
from benchmarks.bench_resolve import UA, redis_baseline
from suo import Shortener
from suo.testing.backends import isolated_store


@contextlib.contextmanager
def _cluster_url() -> Iterator[str]:
    url = os.environ.get("SUO_TEST_REDIS_CLUSTER_URL")
    if url:
        yield url
        return
    from suo.testing.redis_cluster import LocalRedisCluster

    with LocalRedisCluster(masters=3, replicas=1) as cluster:
        yield cluster.url


def _listing_baseline(store: Any, tag: str) -> Any:
    r = store._r
    index = store._tag_key(tag)

    def listing() -> int:
        codes = r.zrangebylex(index, "-", "+", start=0, num=100)
        return len(r.mget_nonatomic([store._key(c, "link") for c in codes]))

    return listing


def main(quick: bool) -> None:
    number = 50 if quick else 300
    rows: list[tuple[str, float, str, float]] = []
    with _cluster_url() as url:
        os.environ["SUO_TEST_REDIS_CLUSTER_URL"] = url
        try:
            for kind in ("redis_cluster", "redis"):
                try:
                    opened = isolated_store(kind)
                    store = opened.__enter__()
                except Exception as exc:  # a server that is not there: say so, go on
                    print(f"(skipping {kind}: {type(exc).__name__}: {exc})")
                    continue
                try:
                    s = Shortener(store)
                    s.shorten("https://example.com/", alias="bench")
                    ours, base = compare(
                        lambda s=s: s.resolve("bench", user_agent=UA),
                        redis_baseline(store),
                        number=number,
                    )
                    rows.append((f"resolve() on {kind}", ours, f"redis-py GET+INCR ({kind})", base))
                    if kind == "redis_cluster":
                        s.shorten_many(
                            [
                                {"url": f"https://example.com/{i}", "tags": ("bench",)}
                                for i in range(100)
                            ]
                        )
                        ours, base = compare(
                            lambda st=store: st.list_links(tag="bench", after=None, limit=100),
                            _listing_baseline(store, "bench"),
                            number=max(10, number // 10),
                        )
                        rows.append(
                            (
                                "list_links(tag, 100) on redis_cluster",
                                ours,
                                "ZRANGEBYLEX + mget_nonatomic",
                                base,
                            )
                        )
                finally:
                    opened.__exit__(None, None, None)
        finally:
            os.environ.pop("SUO_TEST_REDIS_CLUSTER_URL", None)
    report("Redis Cluster: suo vs redis-py on the same cluster", rows, target="<= 1.3x")
