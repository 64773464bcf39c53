"""Hypothesis strategies for simulator inputs: small, so each example runs in milliseconds."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from suo.sim import LivePool, Scenario
from suo.sop import templates

rates = st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]) | st.floats(0, 1)
platforms = st.sampled_from(
    [{"wechat": 1.0}, {"browser": 1.0}, {"wechat": 0.5, "qq": 0.25, "browser": 0.25}]
)
pools = st.builds(
    LivePool,
    cap=st.integers(1, 12),
    initial=st.integers(1, 2),
    strategy=st.sampled_from(["fill_first", "round_robin", "weighted"]),
    restock_on=st.sampled_from([(), ("full",), ("nearly_full",), ("empty",)]),
    restock_delay=st.sampled_from([timedelta(0), timedelta(minutes=20), timedelta(hours=3)]),
)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    sh = ZoneInfo("Asia/Shanghai")
    return Scenario(
        templates.welfare_weekly(),
        datetime(2026, 12, 7, tzinfo=sh),
        days=draw(st.integers(1, 7)),
        communities=draw(st.integers(1, 3)),
        audience=draw(st.integers(1, 30)),
        platforms=draw(platforms),
        open_rate=draw(rates),
        escape=draw(rates),
        join_rate=draw(rates),
        purchase_rate=draw(rates),
        pool=draw(pools),
        response=draw(st.sampled_from([timedelta(0), timedelta(minutes=30), timedelta(hours=2)])),
    )
