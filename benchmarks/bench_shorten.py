"""``shorten()`` one at a time vs ``shorten_many()`` per backend.

Target (issue 2): bulk creation >= 5x the one-at-a-time rate on SQL and Redis.
The baseline here is suo's own one-at-a-time ``shorten()`` on the same store.
"""

from __future__ import annotations

import itertools
import time

from benchmarks._stores import available, bench_store
from benchmarks._util import fmt_time
from suo.shortener import Shortener

_counter = itertools.count()


def main(quick: bool) -> None:
    n = 200 if quick else 2000
    print("\n## shorten() vs shorten_many()")
    print("target: shorten_many >= 5x the one-at-a-time rate on SQL and Redis")
    print(
        f"{'backend':10} {'shorten() per link':>20} {'shorten_many() per link':>25} {'speed-up':>10}"
    )
    for kind in available():
        with bench_store(kind) as store:
            s = Shortener(store)
            urls = [f"https://example.com/p/{next(_counter)}?utm_source=wechat" for _ in range(n)]
            t0 = time.perf_counter()
            for url in urls:
                s.shorten(url)
            one = (time.perf_counter() - t0) / n
            urls = [f"https://example.com/p/{next(_counter)}?utm_source=wechat" for _ in range(n)]
            t0 = time.perf_counter()
            for i in range(0, n, 500):
                s.shorten_many(urls[i : i + 500])
            many = (time.perf_counter() - t0) / n
            print(f"{kind:10} {fmt_time(one):>20} {fmt_time(many):>25} {one / many:>9.1f}x")
