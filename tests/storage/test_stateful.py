"""Hypothesis drives random operation sequences against each backend and the memory model.

Memory is the reference: after every step the backend must answer exactly as
the model does. One store per backend is shared by all examples; each example
works in its own namespace (a code prefix, a tag and sequence names of its
own), so examples never see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from suo.antiblock.policy import AccessPolicy
from suo.errors import AliasTaken
from suo.shortener.model import Link, Visit
from suo.storage.memory import MemoryStore
from suo.testing.backends import backend_params, isolated_store

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
NAMES = st.sampled_from(["a", "b", "c", "d", "e"])
PLATFORMS = st.sampled_from(["wechat", "qq", "browser", "weibo"])
OSES = st.sampled_from(["ios", "android", "windows"])
TIMES = st.integers(min_value=0, max_value=3 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m))


def _exc_name(fn: Any) -> Any:
    try:
        return ("ok", fn())
    except AliasTaken as exc:
        return ("AliasTaken", exc.alias)


def machine_for(real: Any) -> type[RuleBasedStateMachine]:
    class StoreVsModel(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.real = real
            self.model = MemoryStore()
            self.ns = uuid.uuid4().hex[:8]

        def code(self, name: str) -> str:
            return f"{self.ns}{name}"

        def link(self, name: str, target: int, tags: list[str], cap: int | None, pol: bool) -> Link:
            return Link(
                code=self.code(name),
                target=f"https://example.com/{target}",
                created_at=T0,
                max_clicks=cap,
                tags=tuple(f"{self.ns}{t}" for t in tags),
                policy=AccessPolicy.anti_block() if pol else None,
            )

        def both(self, method: str, *args: Any, **kwargs: Any) -> Any:
            a = _exc_name(lambda: getattr(self.model, method)(*args, **kwargs))
            b = _exc_name(lambda: getattr(self.real, method)(*args, **kwargs))
            assert a == b, f"{method}{args}{kwargs}: model {a} != backend {b}"
            return a

        @initialize()
        def start(self) -> None:
            pass

        @rule(
            name=NAMES,
            dest=st.integers(0, 3),
            tags=st.lists(st.sampled_from(["x", "y"]), max_size=2, unique=True),
            cap=st.none() | st.integers(1, 3),
            pol=st.booleans(),
        )
        def create(self, name: str, dest: int, tags: list[str], cap: int | None, pol: bool) -> None:
            self.both("create_link", self.link(name, dest, tags, cap, pol))

        @rule(names=st.lists(NAMES, min_size=1, max_size=3), dest=st.integers(0, 3))
        def create_many(self, names: list[str], dest: int) -> None:
            self.both("create_links", [self.link(n, dest, ["x"], None, False) for n in names])

        @rule(
            name=NAMES,
            dest=st.integers(0, 3),
            tags=st.lists(st.sampled_from(["x", "y"]), max_size=2, unique=True),
        )
        def replace(self, name: str, dest: int, tags: list[str]) -> None:
            self.both("replace_link", self.link(name, dest, tags, None, False))

        @rule(name=NAMES)
        def delete(self, name: str) -> None:
            self.both("delete_link", self.code(name))

        @rule(name=NAMES)
        def get(self, name: str) -> None:
            self.both("get_link", self.code(name))

        @rule(
            name=NAMES,
            at=TIMES,
            platform=PLATFORMS,
            os=OSES,
            bot=st.booleans(),
            count=st.booleans(),
            cap=st.none() | st.integers(1, 3),
            event=st.booleans(),
            visitor=st.none() | st.sampled_from(["v1", "v2", "v3"]),
            referrer=st.none() | st.sampled_from(["t.cn", "mp.weixin.qq.com"]),
            live=st.none() | st.sampled_from(["1", "2"]),
        )
        def hit(
            self,
            name: str,
            at: datetime,
            platform: str,
            os: str,
            bot: bool,
            count: bool,
            cap: int | None,
            event: bool,
            visitor: str | None,
            referrer: str | None,
            live: str | None,
        ) -> None:
            if self.model.get_link(self.code(name)) is None:
                # The service only records visits for links that exist: make it.
                self.both("create_link", self.link(name, 0, [], cap, False))
            visit = Visit(
                at=at, platform=platform, os=os, bot=bot, code=self.code(name),
                visitor=visitor, referrer=referrer, target=live,
                utm={"utm_source": "x"} if visitor == "v1" else None,
            )  # fmt: skip
            self.both("hit", self.code(name), visit, count=count and not bot, cap=cap, event=event)
            self.both("link_stats", self.code(name))

        @rule(name=NAMES, start=st.none() | TIMES, end=st.none() | TIMES)
        def events(self, name: str, start: datetime | None, end: datetime | None) -> None:
            model = list(self.model.visits(self.code(name), start=start, end=end))
            real = list(self.real.visits(self.code(name), start=start, end=end))
            assert model == real

        @rule(
            names=st.lists(NAMES, min_size=1, max_size=3),
            hours=st.tuples(st.integers(0, 80), st.integers(1, 80)),
            by=st.none() | st.sampled_from(["platform", "os", "outcome", "target", "referrer"]),
        )
        def counts(self, names: list[str], hours: tuple[int, int], by: str | None) -> None:
            start = T0 + timedelta(hours=hours[0])
            end = start + timedelta(hours=hours[1])
            codes = [self.code(n) for n in names]
            model = self.model.visit_counts(codes, start=start, end=end, by=by)
            real = self.real.visit_counts(codes, start=start, end=end, by=by)
            assert sorted(model, key=repr) == sorted(real, key=repr)

        @rule(name=st.none() | NAMES, before=TIMES)
        def purge(self, name: str | None, before: datetime) -> None:
            code = None if name is None else self.code(name)
            if code is None:  # purging every code would reach other examples' data
                return
            self.both("purge_visits", before=before, code=code)

        @rule(name=st.sampled_from(["s1", "s2"]))
        def sequence(self, name: str) -> None:
            self.both("next_sequence", f"{self.ns}{name}")

        @rule(tag=st.sampled_from(["x", "y"]), after=st.none() | NAMES, limit=st.integers(1, 4))
        def listing(self, tag: str, after: str | None, limit: int) -> None:
            self.both(
                "list_links",
                tag=f"{self.ns}{tag}",
                after=None if after is None else self.code(after),
                limit=limit,
            )

        @rule(name=NAMES)
        def stats(self, name: str) -> None:
            self.both("link_stats", self.code(name))

    return StoreVsModel


@pytest.fixture(
    params=backend_params(("sqlite", "sqlite-file", "postgres", "redis", "redis_cluster"))
)
def shared_store(request: pytest.FixtureRequest) -> Iterator[Any]:
    with isolated_store(request.param) as store:
        yield store


def test_backend_matches_memory_model(shared_store: Any) -> None:
    machine = machine_for(shared_store)
    machine.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
    machine.TestCase().runTest()
