"""Hypothesis drives random claim/release/finish sequences: every backend must match memory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from suo.storage.memory import MemoryStore
from suo.testing.backends import backend_params, isolated_store

T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
OCCS = st.sampled_from(["a", "b", "c"])
WORKERS = st.sampled_from(["w1", "w2", "w3"])
TIMES = st.integers(0, 60).map(lambda m: T0 + timedelta(minutes=m))


def machine_for(real: Any) -> type[RuleBasedStateMachine]:
    class SopVsModel(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.real = real
            self.model = MemoryStore()
            self.ns = uuid.uuid4().hex[:8]

        def occ(self, name: str) -> str:
            return f"{self.ns}-{name}"

        def both(self, method: str, *args: Any, **kwargs: Any) -> Any:
            a = getattr(self.model, method)(*args, **kwargs)
            b = getattr(self.real, method)(*args, **kwargs)
            assert a == b, f"{method}{args}{kwargs}: model {a} != backend {b}"
            return a

        @rule(name=OCCS, worker=WORKERS, at=TIMES, lease=st.integers(1, 20))
        def claim(self, name: str, worker: str, at: datetime, lease: int) -> None:
            self.both("claim_occurrence", self.occ(name), worker, at, timedelta(minutes=lease))

        @rule(name=OCCS, worker=WORKERS)
        def release(self, name: str, worker: str) -> None:
            self.both("release_occurrence", self.occ(name), worker)

        @rule(
            name=OCCS,
            status=st.sampled_from(["done", "skipped"]),
            by=WORKERS,
            at=TIMES,
            note=st.sampled_from(["", "ok", "无库存"]),
            worker=st.none() | WORKERS,
        )
        def finish(
            self, name: str, status: str, by: str, at: datetime, note: str, worker: str | None
        ) -> None:
            self.both(
                "finish_occurrence",
                self.occ(name),
                status=status,
                by=by,
                at=at,
                note=note,
                worker=worker,
            )

        @rule()
        def states(self) -> None:
            self.both("get_run_states", [self.occ(n) for n in ("a", "b", "c", "zz")])

    return SopVsModel


@pytest.fixture(params=backend_params(("sqlite", "postgres", "redis", "redis_cluster")))
def shared_store(request: pytest.FixtureRequest) -> Iterator[Any]:
    with isolated_store(request.param) as store:
        yield store


def test_sop_store_matches_memory_model(shared_store: Any) -> None:
    machine = machine_for(shared_store)
    machine.TestCase.settings = settings(max_examples=15, stateful_step_count=15, deadline=None)
    machine.TestCase().runTest()
