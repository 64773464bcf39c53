"""Conformance tests of :class:`~suo.sop.store.SopStore` (need a ``store`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from suo.sop.engine import DueQueue
from suo.sop.plan import Plan, Step
from suo.sop.triggers import Weekly
from suo.testing.helpers import race

T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Asia/Shanghai
LEASE = timedelta(minutes=10)


class SopStoreSuite:
    """Every backend must pass these unchanged."""

    def test_claim_is_exclusive_until_the_lease_lapses(self, store: Any) -> None:
        assert store.claim_occurrence("o1", "w1", T0, LEASE) is True
        assert store.claim_occurrence("o1", "w2", T0 + timedelta(minutes=5), LEASE) is False
        # The holder may renew.
        assert store.claim_occurrence("o1", "w1", T0 + timedelta(minutes=5), LEASE) is True
        assert store.claim_occurrence("o1", "w2", T0 + timedelta(minutes=14), LEASE) is False
        # After the lease (15 min from the renewal) another worker may take it.
        assert store.claim_occurrence("o1", "w2", T0 + timedelta(minutes=15), LEASE) is True
        state = store.get_run_states(["o1"])["o1"]
        assert state.status == "claimed"
        assert state.worker == "w2"
        assert state.claimed_at == T0 + timedelta(minutes=15)
        assert state.lease_until == T0 + timedelta(minutes=25)
        assert state.finished is False

    def test_get_run_states_returns_only_known_ids(self, store: Any) -> None:
        assert store.get_run_states([]) == {}
        assert store.get_run_states(["nope"]) == {}
        store.claim_occurrence("a", "w", T0, LEASE)
        store.finish_occurrence("b", status="done", by="ann", at=T0)
        states = store.get_run_states(["a", "b", "c", "a"])
        assert sorted(states) == ["a", "b"]
        assert states["b"].status == "done"
        assert states["b"].by == "ann"
        assert states["b"].worker is None

    def test_finish_once(self, store: Any) -> None:
        at = T0 + timedelta(minutes=1)
        assert store.finish_occurrence("f", status="done", by="ann", at=at, note="posted") is True
        assert store.finish_occurrence("f", status="skipped", by="bob", at=at) is False
        assert store.claim_occurrence("f", "w1", at, LEASE) is False
        s = store.get_run_states(["f"])["f"]
        assert (s.status, s.by, s.finished_at, s.note) == ("done", "ann", at, "posted")
        assert s.finished

    def test_finish_respects_live_claims_when_a_worker_is_named(self, store: Any) -> None:
        store.claim_occurrence("g", "w1", T0, LEASE)
        assert store.finish_occurrence("g", status="done", by="w2", at=T0, worker="w2") is False
        assert (
            store.finish_occurrence(
                "g", status="skipped", by="w1", at=T0, worker="w1", note="sold out"
            )
            is True
        )
        s = store.get_run_states(["g"])["g"]
        assert (s.status, s.worker, s.by, s.note) == ("skipped", "w1", "w1", "sold out")
        assert s.claimed_at == T0
        # A lapsed claim does not block another worker; no worker named = by hand.
        store.claim_occurrence("h", "w1", T0, LEASE)
        assert (
            store.finish_occurrence("h", status="done", by="w2", at=T0 + LEASE, worker="w2") is True
        )
        store.claim_occurrence("i", "w1", T0, LEASE)
        assert store.finish_occurrence("i", status="done", by="ops", at=T0) is True

    def test_release(self, store: Any) -> None:
        store.claim_occurrence("r", "w1", T0, LEASE)
        assert store.release_occurrence("r", "w2") is False
        assert store.release_occurrence("r", "w1") is True
        assert store.release_occurrence("r", "w1") is False
        assert store.get_run_states(["r"]) == {}
        assert store.claim_occurrence("r", "w2", T0, LEASE) is True
        store.finish_occurrence("r", status="done", by="w2", at=T0)
        assert store.release_occurrence("r", "w2") is False

    def test_claim_race_has_one_winner(self, store: Any) -> None:
        results = race(12, lambda i: store.claim_occurrence("race", f"w{i}", T0, LEASE))
        assert results.count(True) == 1, results
        assert results.count(False) == 11, results
        winner = f"w{results.index(True)}"
        assert store.get_run_states(["race"])["race"].worker == winner

    def test_finish_race_has_one_winner(self, store: Any) -> None:
        results = race(
            12,
            lambda i: store.finish_occurrence(
                "fin", status="done" if i % 2 else "skipped", by=f"p{i}", at=T0
            ),
        )
        assert results.count(True) == 1, results
        s = store.get_run_states(["fin"])["fin"]
        assert s.by == f"p{results.index(True)}"

    def test_due_queue_workers_never_share_an_occurrence(self, store: Any) -> None:
        plan = Plan(
            "race-plan",
            [Step(f"s{i}", Weekly("MO", f"09:{i:02d}"), f"Step {i}") for i in range(6)],
        )
        queue = DueQueue(store, plan, lookback=timedelta(hours=3))
        got = race(8, lambda i: [queue.claim_next(f"w{i}", now=T0) for _ in range(2)])
        ids = [d.id for batch in got for d in batch if d is not None]
        assert len(ids) == 6
        assert len(set(ids)) == 6
        assert queue.due(T0) == []
        assert len(queue.due(T0, include_claimed=True)) == 6
