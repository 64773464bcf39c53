"""Memory of the User-Agent cache: suo's two bounded caches against one LRU of 50,000.

The baseline is what ``suo.antiblock.detect`` kept before (one
``functools.lru_cache(maxsize=50_000)`` over the same classifier), built in
this run. Each side classifies 50,000 distinct UAs of one length, each a
fresh string as a server reads it from a request, and ``tracemalloc`` says
how many bytes stay allocated afterwards (the cache keeps every string it
holds alive). Then the time of a repeated (cached) UA on both sides.
"""

from __future__ import annotations

import functools
import gc
import importlib
import random
import string
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks._util import compare, fmt_time, report

BASE = (
    "Mozilla/5.0 (Linux; Android 14; V2232A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.49 "
)


def _retained(classify: Callable[[str], Any], clear: Callable[[], None], n: int, length: int,
              *, wide: bool = False) -> float:  # fmt: skip
    """Bytes still allocated after classifying ``n`` fresh distinct UAs of ``length`` chars."""
    rnd = random.Random(length)
    alphabet = "微信浏览器" if wide else string.ascii_letters
    pad = "".join(rnd.choice(alphabet) for _ in range(4096))
    clear()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        head = f"{BASE}{i:08d} "
        classify(head + pad[: max(0, length - len(head))])
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    clear()
    return float(after - before)


def main(quick: bool = False) -> None:
    detect_mod = importlib.import_module("suo.antiblock.detect")
    cached = functools.lru_cache(maxsize=50_000)(detect_mod._classify)
    limit = detect_mod.MAX_UA_LENGTH

    def baseline(user_agent: str) -> Any:
        # detect() as it was: one cache for every UA up to MAX_UA_LENGTH.
        if not isinstance(user_agent, str):
            raise TypeError(user_agent)
        if len(user_agent) <= limit:
            return cached(user_agent)
        return detect_mod._classify(user_agent[:limit])

    n = 10_000 if quick else 50_000
    print(f"\n## UA cache memory after {n:,} distinct UAs (tracemalloc, MB retained)")
    print(f"{'UA length':<22} {'suo':>8} {'one LRU of 50k':>15}   ratio (suo/base)")
    for label, length, wide in (
        ("2,000 chars ASCII", 2000, False),
        ("512 chars ASCII", 512, False),
        ("300 chars ASCII", 300, False),
        ("500 chars non-ASCII", 500, True),
    ):
        ours = _retained(detect_mod.detect, detect_mod.cache_clear, n, length, wide=wide)
        base = _retained(baseline, cached.cache_clear, n, length, wide=wide)
        print(f"{label:<22} {ours / 1e6:>8.1f} {base / 1e6:>15.1f}   {ours / base:6.2f}x")

    ua = BASE + "NetType/WIFI Language/zh_CN"
    detect_mod.detect(ua)
    baseline(ua)
    t_suo, t_base = compare(lambda: detect_mod.detect(ua), lambda: baseline(ua), number=200_000)
    report(
        "detect() on a cached UA",
        [("detect (two caches)", t_suo, "detect (one lru_cache)", t_base)],
    )
    t0 = time.perf_counter()
    detect_mod.cache_clear()
    print(f"(cache_clear took {fmt_time(time.perf_counter() - t0)})")


if __name__ == "__main__":
    main()
