"""The due queue over a real store (every backend for the races, memory for the rest)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import suo
from suo.errors import ScheduleError
from suo.sop import DueQueue, MemberJoin, templates

SH = ZoneInfo("Asia/Shanghai")
MON_1005 = datetime(2026, 11, 30, 10, 5, tzinfo=SH)


@pytest.fixture
def mem() -> Any:
    store = suo.open_store("memory://")
    yield store
    store.close()


def test_due_lists_unfinished_past_occurrences(mem: Any) -> None:
    q = DueQueue(
        mem, templates.welfare_weekly(), lookback=timedelta(hours=3), clock=lambda: MON_1005
    )
    due = q.due()
    assert [d.occurrence.step.id for d in due] == ["mon-quote", "mon-coupon"]
    assert [d.overdue for d in due] == [True, False]  # 08:30 is past the 30-minute grace
    assert [d.occurrence.step.id for d in q.overdue()] == ["mon-quote"]
    assert q.upcoming(timedelta(days=3))[0].step.id == "wed-live-preview"


def test_claim_complete_skip_cycle(mem: Any) -> None:
    q = DueQueue(mem, templates.welfare_weekly(), lookback=timedelta(hours=3))
    quote, coupon = (d.occurrence for d in q.due(MON_1005))
    assert q.claim(quote, "w1", now=MON_1005)
    assert not q.claim(quote.id, "w2", now=MON_1005)
    assert [d.occurrence for d in q.due(MON_1005)] == [coupon]
    claimed = q.due(MON_1005, include_claimed=True)[0]
    assert claimed.claimed_by == "w1"
    # w1 crashes: after the lease, w2 takes it over.
    later = MON_1005 + q.lease
    assert q.claim_next("w2", now=later).occurrence == quote  # type: ignore[union-attr]
    assert not q.complete(quote, by="w1", now=later, worker="w1")
    assert q.complete(quote, by="w2", now=later, worker="w2", note="posted")
    assert q.state(quote).status == "done"  # type: ignore[union-attr]
    assert q.state(quote).finished_at == later  # type: ignore[union-attr]
    with pytest.raises(ScheduleError, match="reason"):
        q.skip(coupon, by="ann", reason=" ")
    assert q.skip(coupon, by="ann", reason="coupon system down", now=later)
    assert not q.complete(coupon, by="ann", now=later)
    assert q.due(later) == []
    assert q.overdue(later) == []
    assert q.claim_next("w3", now=later) is None


def test_release_lets_another_worker_claim(mem: Any) -> None:
    q = DueQueue(mem, templates.welfare_weekly(), lookback=timedelta(hours=3))
    d = q.claim_next("w1", now=MON_1005)
    assert d is not None
    assert d.occurrence.step.id == "mon-quote"
    assert q.release(d.occurrence, "w1")
    assert q.claim_next("w2", now=MON_1005).occurrence == d.occurrence  # type: ignore[union-attr]


def test_member_steps_are_due_per_member(mem: Any) -> None:
    members = [MemberJoin(f"m{i}", datetime(2026, 12, 1, 9, i, tzinfo=SH)) for i in range(3)]
    q = DueQueue(mem, templates.traffic_onboarding(), members=members, lookback=timedelta(hours=1))
    due = q.due(datetime(2026, 12, 1, 9, 6, tzinfo=SH))
    assert sorted((d.occurrence.member, d.occurrence.step.id) for d in due) == [
        ("m0", "free-materials"), ("m0", "welcome"), ("m1", "free-materials"), ("m1", "welcome"),
        ("m2", "welcome"),
    ]  # fmt: skip


def test_bad_arguments(mem: Any) -> None:
    plan = templates.welfare_weekly()
    with pytest.raises(ScheduleError, match="SopStore"):
        DueQueue(object(), plan)  # type: ignore[arg-type]
    with pytest.raises(ScheduleError, match="lease"):
        DueQueue(mem, plan, lease=timedelta(0))
    q = DueQueue(mem, plan)
    with pytest.raises(ScheduleError, match="worker"):
        q.claim("x", "", now=MON_1005)
    with pytest.raises(ScheduleError, match="Occurrence"):
        q.claim("", "w", now=MON_1005)
    with pytest.raises(suo.errors.InvalidInput, match="aware"):
        q.due(datetime(2026, 1, 1))


def test_state_survives_reopening_a_sqlite_file(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/sop.db"
    plan = templates.welfare_weekly()
    s1 = suo.open_store(url)
    q1 = DueQueue(s1, plan, lookback=timedelta(hours=3))
    first = q1.claim_next("w1", now=MON_1005)
    assert first is not None
    q1.complete(first.occurrence, by="w1", now=MON_1005, worker="w1")
    s1.close()
    s2 = suo.open_store(url)
    q2 = DueQueue(s2, templates.welfare_weekly(), lookback=timedelta(hours=3))
    assert [d.occurrence.step.id for d in q2.due(MON_1005)] == ["mon-coupon"]
    assert q2.state(first.id).by == "w1"  # type: ignore[union-attr]
    s2.close()
