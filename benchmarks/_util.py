"""Shared timing and reporting for the benchmarks.

Every benchmark measures suo and its baseline in the same run, on the same
inputs, and prints both with their ratio. No timing assertions anywhere: the
numbers are for people to read.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any


def measure(fn: Callable[[], Any], *, number: int, repeat: int = 5) -> float:
    """Best-of-``repeat`` seconds per call of ``fn`` (each repeat runs it ``number`` times)."""
    fn()  # warm up caches, imports, connections
    best = float("inf")
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            best = min(best, (time.perf_counter() - t0) / number)
    finally:
        if gc_was:
            gc.enable()
    return best


def compare(
    fn: Callable[[], Any], base: Callable[[], Any], *, number: int, rounds: int = 7
) -> tuple[float, float]:
    """Best seconds per call of ``fn`` and of ``base``, measured in alternating rounds.

    Alternating keeps both sides under the same machine load, so the ratio
    holds even when absolute times drift.
    """
    fn()
    base()
    best_fn = best_base = float("inf")
    for _ in range(rounds):
        for which in (0, 1):
            f = fn if which == 0 else base
            t0 = time.perf_counter()
            for _ in range(number):
                f()
            t = (time.perf_counter() - t0) / number
            if which == 0:
                best_fn = min(best_fn, t)
            else:
                best_base = min(best_base, t)
    return best_fn, best_base


def measure_batch(fn: Callable[[], Any], *, items: int, repeat: int = 5) -> float:
    """Best-of-``repeat`` seconds per item for ``fn`` that processes ``items`` items per call."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) / items)
    return min(times)


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e9:.0f} ns"


def report(title: str, rows: list[tuple[str, float, str, float]], *, target: str = "") -> None:
    """Print rows of (suo label, suo s/op, baseline label, baseline s/op) with ratios.

    The ratio is suo time / baseline time: below 1 means suo is faster.
    """
    print(f"\n## {title}")
    if target:
        print(f"target: {target}")
    w1 = max(len(r[0]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    print(
        f"{'suo':<{w1}}  {'time/op':>10}   {'baseline':<{w2}}  {'time/op':>10}   ratio (suo/base)"
    )
    for label, t, base_label, tb in rows:
        ratio = t / tb if tb else float("nan")
        print(
            f"{label:<{w1}}  {fmt_time(t):>10}   {base_label:<{w2}}  {fmt_time(tb):>10}   {ratio:6.2f}x"
        )


def median(xs: list[float]) -> float:
    return statistics.median(xs)
