"""The campaign simulator: 1,000 runs of a welfare week, 10 communities of 500.

Target (issue #16): 1,000 runs of a week for 10 communities of 500 members
within 60 s on one core. The simulator is single-threaded; the time it
reports is CPU time of this process (``time.process_time``), which is what
"one core" means on a shared machine, with the wall time beside it.

Baseline, measured in the same run: the same simulation with
``exact=True``, which resolves every click on a post one by one and records
each as a visit event (the plain way), over fewer runs. The ratio is per run.

Growth: the time for 100 / 300 / 1,000 runs (10 communities) and for
2 / 5 / 10 communities (300 runs).
"""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from benchmarks._util import fmt_time, report
from suo.sim import Scenario, simulate
from suo.sop import templates


def _scenario(communities: int) -> Scenario:
    return Scenario(
        templates.welfare_weekly(),
        datetime(2026, 12, 7, tzinfo=ZoneInfo("Asia/Shanghai")),
        communities=communities,
        audience=500,
        platforms={"wechat": 0.75, "qq": 0.1, "browser": 0.15},
        open_rate={"fri-flash-sale": 0.5, "mon-coupon": 0.4, "*": 0.25},
        escape={"wechat": 0.6, "qq": 0.5},
        join_rate=0.1,
        purchase_rate={"fri-flash-sale": 0.2, "*": 0.03},
    )


def _timed(sc: Scenario, runs: int, *, exact: bool = False) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    simulate(sc, runs=runs, seed=1, exact=exact)
    return time.process_time() - c0, time.perf_counter() - w0


def main(quick: bool) -> None:
    target_runs = 100 if quick else 1000
    base_runs = 3 if quick else 20
    sc10 = _scenario(10)
    simulate(sc10, runs=1)  # warm up imports and caches

    cpu, wall = _timed(sc10, target_runs)
    print(
        f"\n{target_runs} runs x 7 days x 10 communities x 500 members: "
        f"{cpu:.1f} s CPU ({wall:.1f} s wall); target 60 s for 1000 runs"
    )

    fast_cpu, _ = _timed(sc10, base_runs)
    exact_cpu, _ = _timed(sc10, base_runs, exact=True)
    report(
        "per run of the week, 10 communities x 500",
        [
            (
                "suo.sim (one resolve per post+platform)",
                fast_cpu / base_runs,
                "exact=True (every click resolved)",
                exact_cpu / base_runs,
            )
        ],
        target="1000 runs within 60 s CPU on one core",
    )

    print("\n## growth with runs (10 communities)")
    print(f"{'runs':>6}  {'CPU':>9}  {'per run':>9}")
    for runs in (10, 30, 100) if quick else (100, 300, 1000):
        t = cpu if runs == target_runs else _timed(sc10, runs)[0]
        print(f"{runs:>6}  {t:>7.2f} s  {fmt_time(t / runs):>9}")

    runs = 30 if quick else 300
    print(f"\n## growth with communities (runs: {runs})")
    print(f"{'communities':>11}  {'CPU':>9}  {'per community-run':>17}")
    for n in (2, 5, 10):
        t = _timed(_scenario(n), runs)[0]
        print(f"{n:>11}  {t:>7.2f} s  {fmt_time(t / runs / n):>17}")


if __name__ == "__main__":
    main(quick=False)
