"""Type-checked (not run) use of suo.sim: mypy --strict must accept it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from suo.sim import Dist, LivePool, QRFill, Scenario, SimResult, simulate
from suo.sop import templates


def plan_a_week() -> tuple[float, float, list[QRFill]]:
    sc = Scenario(
        templates.welfare_weekly(),
        datetime(2026, 12, 7, tzinfo=UTC),
        communities=["north", "south"],
        audience=(300, 500),
        platforms={"wechat": 0.9, "browser": 0.1},
        open_rate={"fri-flash-sale": 0.5, "*": 0.2},
        pool=LivePool(cap=200, restock_on=("full",), restock_delay=timedelta(hours=1)),
    )
    result: SimResult = simulate(sc, runs=10, seed=3, levels=(0.1, 0.5, 0.9))
    joins: Dist = result.total("joins", "north")
    return joins.q(0.5), result.dry_chance(), result.qr_fills("south")
