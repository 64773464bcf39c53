"""Admission gates, all/any, capacity, probation and welcome messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import suo
from suo.community import (
    Admission,
    Applicant,
    Community,
    Member,
    PaidEntryGate,
    ParticipationGate,
    ReferralGate,
    welcome_message,
)
from suo.community.welcome import WELCOME_TEMPLATES
from suo.errors import InvalidInput
from suo.testing import race

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def store() -> Any:
    s = suo.open_store("memory://")
    s.add_member("g", Member(id="host", role="owner"), capacity=None)
    s.add_member("g", Member(id="gone", status="removed"), capacity=None)
    return s


GROUP = Community(name="会员群", kind="welfare", id="g", capacity=3)


def test_all_mode_needs_every_gate(store: Any) -> None:
    gate = Admission([ReferralGate(), ParticipationGate({"live-1111"}), PaidEntryGate(9.9)])
    ok = Applicant(id="a", referrer="host", activities={"live-1111"}, paid="9.90")
    d = gate.decide(store, GROUP, ok, at=T0)
    assert d.admitted
    assert bool(d)
    assert [r.gate for r in d.results] == ["referral", "participation", "paid entry", "capacity"]
    short = Applicant(id="b", referrer="host", activities={"live-1111"}, paid=5)
    d2 = gate.decide(store, GROUP, short, at=T0)
    assert not d2.admitted
    assert "paid entry: paid 5 < 9.9 CNY" in d2.reasons


def test_any_mode_needs_one_gate_but_capacity_always_binds(store: Any) -> None:
    gate = Admission([ReferralGate(), PaidEntryGate(99)], mode="any")
    assert gate.decide(store, GROUP, Applicant(id="a", paid=100), at=T0).admitted
    refused = gate.decide(store, GROUP, Applicant(id="b", referrer="gone"), at=T0)
    assert not refused.admitted
    assert "referral: gone is removed" in refused.reasons
    full = Community(name="full", id="g", capacity=1)
    d = gate.decide(store, full, Applicant(id="c", paid=100), at=T0)
    assert not d.admitted
    assert d.reasons[-1] == "capacity: full (1 of 1 seats taken)"


def test_referral_gate_reasons(store: Any) -> None:
    gate = Admission([ReferralGate()])
    reasons = {
        a.id: gate.decide(store, GROUP, a, at=T0).reasons[0]
        for a in (
            Applicant(id="x"),
            Applicant(id="y", referrer="y"),
            Applicant(id="z", referrer="stranger"),
        )
    }
    assert reasons == {
        "x": "referral: no referrer",
        "y": "referral: cannot refer oneself",
        "z": "referral: stranger is not a member",
    }


def test_admit_writes_member_with_probation(store: Any) -> None:
    gate = Admission([PaidEntryGate(0)], probation=timedelta(days=3))
    d = gate.admit(store, GROUP, Applicant(id="new", referrer="host", name="小王"), at=T0)
    assert d.admitted
    assert d.member == store.get_member("g", "new")
    assert d.member.joined_at == T0
    assert d.member.referrer == "host"
    assert d.member.on_probation(T0 + timedelta(days=2))
    assert not d.member.on_probation(T0 + timedelta(days=3))
    again = gate.admit(store, GROUP, Applicant(id="new"), at=T0)
    assert again.admitted
    assert again.reasons == ("new is already a member",)
    removed = gate.admit(store, GROUP, Applicant(id="gone"), at=T0)
    assert not removed.admitted
    assert "removed" in removed.reasons[0]


def test_closed_flash_community_refuses(store: Any) -> None:
    flash = Community(name="快闪", kind="flash", starts_at=T0, id="f")
    gate = Admission()
    assert gate.admit(store, flash, Applicant(id="a"), at=T0 + timedelta(hours=1)).admitted
    late = gate.admit(store, flash, Applicant(id="b"), at=T0 + timedelta(hours=72))
    assert not late.admitted
    assert "closed at 2026-11-28T12:00:00+00:00" in late.reasons[0]
    # people join before the start: the warm-up is part of a flash campaign
    assert gate.admit(store, flash, Applicant(id="c"), at=T0 - timedelta(hours=5)).admitted


def test_capacity_race_never_overfills() -> None:
    store = suo.open_store("memory://")
    group = Community(name="tiny", id="t", capacity=4)
    results = race(12, lambda i: Admission().admit(store, group, Applicant(id=f"u{i}"), at=T0))
    assert sum(d.admitted for d in results) == 4
    assert store.count_members("t") == 4


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInput, match="'all' or 'any'"):
        Admission(mode="most")
    with pytest.raises(InvalidInput, match="not a gate"):
        Admission(["referral"])  # type: ignore[list-item]
    with pytest.raises(InvalidInput, match="amount"):
        Applicant(id="a", paid="lots")
    with pytest.raises(InvalidInput, match="amount"):
        PaidEntryGate(-1)
    with pytest.raises(InvalidInput, match="activity"):
        ParticipationGate(())


@pytest.mark.parametrize("key", sorted(WELCOME_TEMPLATES, key=str))
def test_every_builtin_template_renders(key: Any) -> None:
    kind, lang = key
    c = Community(name="群", kind=kind, starts_at=T0)
    text = welcome_message(c, Member(id="u", name="Lin"), lang=lang)
    assert "Lin" in text
    assert "群" in text
    assert "{" not in text


def test_welcome_placeholders() -> None:
    flash = Community(name="双11", kind="flash", starts_at=T0)
    zh = welcome_message(flash, Member(id="u9"))
    assert "u9" in zh
    assert "2026-11-28 12:00" in zh
    en = welcome_message(flash, Member(id="u9", role="kol"), lang="en", template="{role}: {goal}!")
    assert en == "KOL: !"
    with pytest.raises(InvalidInput, match=r"unknown placeholders \['coupon'\]"):
        welcome_message(flash, Member(id="u"), template="use {coupon}")
    assert (
        welcome_message(flash, Member(id="u"), template="use {coupon}", extra={"coupon": "X1"})
        == "use X1"
    )
    with pytest.raises(InvalidInput, match="lang"):
        welcome_message(flash, Member(id="u"), lang="fr")
