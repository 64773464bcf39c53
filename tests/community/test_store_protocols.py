"""The community store split: each domain class needs only its part of the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import suo
from suo.community import (
    Community,
    ContentLibrary,
    Member,
    Message,
    Moderator,
    Referrals,
    RuleBook,
)
from suo.community.store import (
    CommunityStore,
    DocumentStore,
    LibraryStore,
    MemberDirectory,
    MemberStore,
    ModerationLog,
    ModeratorStore,
    ReferralLedger,
    ReferralsStore,
)
from suo.errors import InvalidInput
from suo.storage.memory import MemoryStore

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
SPAM = ["https://shop.example.com/deal", "加我微信 abc123 领优惠", "vx: shop8888 低价出"]
TEXTS = [*SPAM, "大家好！", "谢谢群主分享", "明天 10:30 见"]

# What a Moderator may call: the moderation log and the member directory.
MODERATOR_METHODS = (
    "add_strike",
    "strike_total",
    "record_message",
    "append_audit",
    "audit_log",
    "get_community",
    "get_member",
    "set_member_status",
)


class OnlyModeration:
    """A store exposing only the ModeratorStore methods (backed by a real memory store)."""

    def __init__(self) -> None:
        self._inner = MemoryStore()
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name not in MODERATOR_METHODS:
            raise AttributeError(name)
        method = getattr(self._inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return method(*args, **kwargs)

        return call

    def __dir__(self) -> list[str]:
        return list(MODERATOR_METHODS)


def _only_moderation() -> OnlyModeration:
    store = OnlyModeration()
    # runtime_checkable protocols look attributes up on the class; give it the methods
    for name in MODERATOR_METHODS:
        setattr(store, name, getattr(store, name))
    return store


def test_every_backend_protocol_is_the_union_of_the_parts() -> None:
    store = suo.open_store("memory://")
    for proto in (
        CommunityStore,
        MemberStore,
        MemberDirectory,
        ModerationLog,
        DocumentStore,
        ReferralLedger,
        ModeratorStore,
        LibraryStore,
        ReferralsStore,
    ):
        assert isinstance(store, proto), proto.__name__
    parts = [_methods(p) for p in (MemberStore, ModerationLog, DocumentStore, ReferralLedger)]
    assert sum(len(p) for p in parts) == len(set().union(*parts)) == 21  # disjoint
    assert set().union(*parts) == _methods(CommunityStore)
    assert _methods(ModeratorStore) == set(MODERATOR_METHODS)


def _methods(proto: type) -> set[str]:
    return {n for c in proto.__mro__ if c.__module__ == CommunityStore.__module__ for n in vars(c)
            if not n.startswith("_")}  # fmt: skip


def test_moderator_runs_on_a_store_with_only_the_moderation_part() -> None:
    store = _only_moderation()
    assert isinstance(store, ModeratorStore)
    assert not isinstance(store, CommunityStore)
    store._inner.add_member("g", Member(id="fan"), capacity=None)
    mod = Moderator(store, RuleBook.default())
    group = Community(name="g", id="g")
    actions = [
        mod.check(group, "fan", text, at=T0 + 2 * i * H).action.value
        for i, text in enumerate(SPAM, 1)
    ]
    assert actions == ["warn", "mute", "remove"]
    assert set(store.calls) <= set(MODERATOR_METHODS)
    assert "set_member_status" in store.calls
    removed = store._inner.get_member("g", "fan")
    assert removed is not None
    assert removed.status.value == "removed"
    assert [e.action for e in mod.audit(group)] == actions


def test_other_classes_say_which_part_is_missing() -> None:
    store = _only_moderation()
    with pytest.raises(InvalidInput, match="LibraryStore"):
        ContentLibrary(store)
    with pytest.raises(InvalidInput, match="ReferralsStore"):
        Referrals(store, None, landing_url="https://example.com/join")


def test_dry_run_counts_each_members_strikes_separately() -> None:
    mod = Moderator("memory://", RuleBook.default())
    group = Community(name="g", id="g")
    # the same ad from two members at the same instant: each gets a strike
    report = mod.dry_run(
        group, [Message(Member(id="a"), SPAM[0], T0), Message(Member(id="b"), SPAM[0], T0)]
    )
    assert [v.strikes for _m, v in report.results] == [1.0, 1.0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(TEXTS),
            st.integers(min_value=0, max_value=90),
        ),
        max_size=12,
    )
)
def test_dry_run_judges_like_check_on_a_fresh_store(
    script: list[tuple[str, str, int]],
) -> None:
    group = Community(name="g", id="g")
    messages = []
    at = T0
    for who, text, minutes in script:
        at += timedelta(minutes=minutes)
        messages.append(Message(Member(id=who), text, at))
    mod = Moderator("memory://", RuleBook.default())
    report = mod.dry_run(group, messages)
    assert mod.audit(group) == []  # the store is untouched
    live = Moderator("memory://", RuleBook.default())
    checked = [live.check(group, m.member, m.text, at=m.at) for m in messages]
    assert [v._replace(dry_run=False) for _m, v in report.results] == checked
