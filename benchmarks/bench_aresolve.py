"""``await Shortener.aresolve`` vs ``Shortener.resolve`` in a thread pool, per backend.

What an async web handler pays per visit either way, with 16 visits in flight
(the ASGI adapter's default pool size): the baseline is today's way for a
framework handler, ``await loop.run_in_executor(pool, s.resolve, code)`` with a
16-thread pool; suo's is ``await s.aresolve(code)`` on the loop (memory: direct
calls; PostgreSQL: async SQLAlchemy on psycopg; Redis: redis.asyncio; SQLite:
its calls in a worker thread). Both count a click per visit on the same link;
rounds alternate in one event loop, best round counts.

Target (issue 14): the native path needs no thread pool for a network store
and is no slower than it (ratio <= 1.0x).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks._stores import available, bench_store
from benchmarks._util import report
from suo.shortener import Shortener
from suo.storage.aio import close_sides

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
IN_FLIGHT = 16


async def _rounds(s: Shortener, visits: int, rounds: int) -> tuple[float, float]:
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="bench")

    async def native() -> None:
        for _ in range(visits // IN_FLIGHT):
            await s.aresolve("bench", user_agent=UA)

    async def threaded() -> None:
        for _ in range(visits // IN_FLIGHT):
            await loop.run_in_executor(pool, lambda: s.resolve("bench", user_agent=UA))

    async def timed(fn: Any) -> float:
        t0 = time.perf_counter()
        await asyncio.gather(*(fn() for _ in range(IN_FLIGHT)))
        return (time.perf_counter() - t0) / (visits // IN_FLIGHT * IN_FLIGHT)

    try:
        await timed(native)  # warm-up: connections, scripts, imports
        await timed(threaded)
        best_native = best_threaded = float("inf")
        for r in range(rounds):
            order = (native, threaded) if r % 2 == 0 else (threaded, native)
            for fn in order:
                t = await timed(fn)
                if fn is native:
                    best_native = min(best_native, t)
                else:
                    best_threaded = min(best_threaded, t)
        return best_native, best_threaded
    finally:
        pool.shutdown(wait=True)
        await close_sides(s.store)


def main(quick: bool) -> None:
    rows = []
    for kind in available():
        with bench_store(kind) as store:
            s = Shortener(store)
            s.shorten("https://example.com/", alias="bench")
            visits = {"memory": 4000, "sqlite": 800}.get(kind, 1600)
            if quick:
                visits //= 4
            ours, base = asyncio.run(_rounds(s, visits, 3 if quick else 5))
            mode = "thread" if kind == "sqlite" else "native"
            rows.append(
                (
                    f"await aresolve() on {kind} ({mode})",
                    ours,
                    "resolve() in a 16-thread pool",
                    base,
                )
            )
    report(
        f"aresolve vs resolve in a thread pool, {IN_FLIGHT} visits in flight (time per visit)",
        rows,
        target="<= 1.0x on the network stores, no thread",
    )
