"""Referral links, attribution, rewards, leaderboard and the anti-fraud guards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import suo
from suo.community import (
    Admission,
    Applicant,
    Community,
    JoinSignals,
    Member,
    ReferralGate,
    Referrals,
    RewardTier,
    inviter_from,
)
from suo.errors import InvalidInput
from suo.testing import race

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
G = Community(name="裂变群", id="g")


@pytest.fixture
def env() -> tuple[Any, Referrals, Any]:
    store = suo.open_store("memory://")
    for mid in ("amy", "bob"):
        store.add_member("g", Member(id=mid), capacity=None)
    store.add_member("g", Member(id="muted", status="muted"), capacity=None)
    shortener = suo.Shortener(store, clock=lambda: T0)
    refs = Referrals(
        store,
        shortener,
        landing_url="https://example.com/join?utm=x",
        rewards=[RewardTier(3, "coupon"), RewardTier(5, "gift box")],
    )
    return store, refs, shortener


def test_personal_link_is_made_once(env: Any) -> None:
    _store, refs, shortener = env
    link = refs.link(G, "amy")
    assert refs.link(G, Member(id="amy")).code == link.code
    assert inviter_from(link.target) == "amy"
    assert "utm=x" in link.target
    assert "c=g" in link.target
    assert refs.link(G, "bob").code != link.code
    shortener.delete(link.code)
    assert refs.link(G, "amy").code != link.code


def test_rewards_unlock_at_thresholds_and_leaderboard(env: Any) -> None:
    _store, refs, _ = env
    unlocked = [refs.attribute(G, f"u{i}", "amy", at=T0).rewards_unlocked for i in range(5)]
    assert [tuple(t.reward for t in u) for u in unlocked] == [
        (),
        (),
        ("coupon",),
        (),
        ("gift box",),
    ]
    refs.attribute(G, "v1", "bob", at=T0)
    assert refs.leaderboard(G) == [("amy", 5), ("bob", 1)]
    assert refs.count(G, "amy") == 5
    assert [t.reward for t in refs.rewards_for(4)] == ["coupon"]


def test_an_invitee_is_attributed_once(env: Any) -> None:
    _store, refs, _ = env
    first = refs.attribute(G, "x", "amy", at=T0)
    assert (first.new, first.counted, first.total) == (True, True, 1)
    again = refs.attribute(G, "x", "bob", at=T0)
    assert (again.new, again.counted) == (False, False)
    assert again.reasons == ("already attributed to amy",)
    assert refs.leaderboard(G) == [("amy", 1)]


def test_guards(env: Any) -> None:
    _store, refs, _ = env
    assert refs.attribute(G, "amy", "amy", at=T0).reasons == ("self-referral",)
    assert refs.attribute(G, "n1", "stranger", at=T0).reasons == (
        "inviter stranger is not an active member",
    )
    assert not refs.attribute(G, "n2", "muted", at=T0).counted
    refs.register(G, "amy", JoinSignals(device="amy-phone", ip="10.0.0.1"))
    same = refs.attribute(G, "alt", "amy", at=T0, signals=JoinSignals(device="AMY-PHONE "))
    assert same.reasons == ("same device as the inviter",)
    farm = [
        refs.attribute(G, f"f{i}", "bob", at=T0, signals=JoinSignals(device="farm-1"))
        for i in range(4)
    ]
    assert [a.counted for a in farm] == [True, True, False, False]
    assert farm[2].reasons == ("2 earlier invitees share this device",)
    office = [
        refs.attribute(G, f"o{i}", "bob", at=T0, signals=JoinSignals(ip="1.2.3.4"))
        for i in range(6)
    ]
    assert [a.counted for a in office] == [True] * 5 + [False]
    assert refs.leaderboard(G) == [("bob", 7)]


def test_signals_are_stored_hashed(env: Any) -> None:
    store, refs, _ = env
    refs.attribute(G, "p", "amy", at=T0, signals=JoinSignals(phone="13812345678", ip="8.8.8.8"))
    (record,) = store.list_referrals("g")
    assert "13812345678" not in str(record)
    assert "8.8.8.8" not in str(record)
    assert len(record["data"]["phone"]) == 20


def test_concurrent_joins_count_each_invitee_once(env: Any) -> None:
    _store, refs, _ = env
    race(12, lambda i: refs.attribute(G, f"r{i % 4}", "amy", at=T0))
    assert refs.leaderboard(G) == [("amy", 4)]


def test_bad_input() -> None:
    store = suo.open_store("memory://")
    with pytest.raises(InvalidInput, match="landing_url"):
        Referrals(store, suo.Shortener(store), landing_url="/join")
    with pytest.raises(InvalidInput, match="invites"):
        RewardTier(0, "x")
    refs = Referrals(store, suo.Shortener(store), landing_url="https://e.com/")
    with pytest.raises(InvalidInput, match="aware"):
        refs.attribute(G, "a", "b", at=datetime(2026, 1, 1))


def test_join_admits_and_attributes(env: Any) -> None:
    store, refs, _ = env
    gate = Admission([ReferralGate()])
    decision, attribution = refs.join(gate, G, Applicant(id="new", referrer="amy"), at=T0)
    assert decision.admitted
    assert store.get_member("g", "new").referrer == "amy"
    assert attribution is not None
    assert (attribution.inviter, attribution.counted, attribution.total) == ("amy", True, 1)
    refused, none = refs.join(gate, G, Applicant(id="x", referrer="stranger"), at=T0)
    assert (refused.admitted, none) == (False, None)
    assert refs.leaderboard(G) == [("amy", 1)]
