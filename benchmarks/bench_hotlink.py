"""One hot link on PostgreSQL: resolves per second with 16 threads on ONE code.

Baseline: raw psycopg, 16 threads, each with its own connection, running
``UPDATE ... SET n = n + 1 WHERE id = 1 RETURNING n`` on one row inside a
transaction with ``SET LOCAL synchronous_commit = off`` (the cheapest
correct counter on one row that PostgreSQL offers). suo runs
``Shortener.resolve`` on one link (tracking "events": the visit is also
appended as an event and counted into the hourly rollups), first with the
default ``durable_visits=False``, then with ``durable_visits=True`` (a
durable disk flush per visit, as before). Both sides are measured in
alternating rounds of the same run; loopback only, bounded in time and
count. The ratio is suo's throughput over the baseline's (higher is better).

Target: >= 0.5x with the default.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from benchmarks._stores import PG
from suo.errors import ConfigurationError
from suo.shortener import Shortener
from suo.testing.backends import drop_store, store_url

THREADS = 16
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.44"


def _run(work: Callable[[int], Callable[[], Any]], *, seconds: float, cap: int) -> float:
    """Operations per second of ``THREADS`` threads each looping ``work(i)()``.

    Stops after ``seconds`` or ``cap`` operations in all, whichever comes first.
    """
    done = [0] * THREADS
    stop = threading.Event()
    per_thread = cap // THREADS
    ready = threading.Barrier(THREADS + 1)

    def loop(i: int) -> None:
        op = work(i)
        op()  # connect and warm up outside the timed part
        ready.wait()
        n = 0
        while not stop.is_set() and n < per_thread:
            op()
            n += 1
        done[i] = n

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    ready.wait()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - t0)


def _baseline(schema: str) -> tuple[Callable[[int], Callable[[], Any]], Callable[[], None]]:
    import psycopg

    dsn = PG.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{schema}".bench_counter (id int PRIMARY KEY, n bigint)')
        conn.execute(f'INSERT INTO "{schema}".bench_counter VALUES (1, 0)')
    conns: list[Any] = []
    update = f'UPDATE "{schema}".bench_counter SET n = n + 1 WHERE id = 1 RETURNING n'

    def work(_i: int) -> Callable[[], Any]:
        conn = psycopg.connect(dsn)
        conns.append(conn)
        cur = conn.cursor()

        def op() -> Any:
            with conn.transaction():
                cur.execute("SET LOCAL synchronous_commit = off")
                cur.execute(update)
                return cur.fetchone()

        return op

    def close() -> None:
        for conn in conns:
            conn.close()
        conns.clear()

    return work, close


def _suo(store: Any) -> Callable[[int], Callable[[], Any]]:
    s = Shortener(store)
    s.shorten("https://example.com/", alias="hot")

    def work(_i: int) -> Callable[[], Any]:
        return lambda: s.resolve("hot", user_agent=UA, ip="203.0.113.7")

    return work


def main(quick: bool) -> None:
    seconds = 2.0 if quick else 5.0
    rounds = 2 if quick else 3
    cap = 200_000
    url, options = store_url("postgres")
    from suo.storage import open_store

    variants: list[tuple[str, Any]] = [("suo resolve (default)", open_store(url, **options))]
    try:
        durable = open_store(url, **options, durable_visits=True)
        variants.append(("suo resolve (durable_visits=True)", durable))
    except ConfigurationError:  # an older suo without the option
        variants[0] = ("suo resolve", variants[0][1])
    store = variants[0][1]
    schema = options["schema"]
    base_work, base_close = _baseline(schema)
    try:
        best: dict[str, float] = {}
        works = {label: _suo(st) if i == 0 else None for i, (label, st) in enumerate(variants)}
        if len(variants) > 1:  # the same link, read through a second store
            s2 = Shortener(variants[1][1])
            works[variants[1][0]] = lambda _i: (
                lambda: s2.resolve("hot", user_agent=UA, ip="203.0.113.7")
            )
        for _ in range(rounds):
            for label, work in [*works.items(), ("baseline", base_work)]:
                assert work is not None
                rate = _run(work, seconds=seconds, cap=cap)
                best[label] = max(best.get(label, 0.0), rate)
                base_close()
        total = store.link_stats("hot").clicks
    finally:
        base_close()
        for _label, st in variants[1:]:
            st.close()
        drop_store("postgres", store)
    base = best.pop("baseline")
    print(f"\n## one hot link on PostgreSQL, {THREADS} threads, best of {rounds} rounds")
    print("target: >= 0.5x (suo throughput / baseline throughput)")
    print(
        f"baseline: raw psycopg UPDATE ... RETURNING, SET LOCAL synchronous_commit = off: {base:,.0f}/s"
    )
    for label, rate in best.items():
        print(f"{label:<36} {rate:>9,.0f}/s   {rate / base:5.2f}x")
    print(f"(clicks counted by suo in all rounds: {total})")
