"""Communities, members, roles, permissions: values, labels, lifetimes, round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import suo.community as community_pkg
from suo.community import (
    FLASH_DURATION,
    ROLE_LABELS,
    Community,
    CommunityKind,
    Member,
    MemberStatus,
    Permission,
    Role,
    can,
)
from suo.errors import CommunityError, InvalidInput

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_contract_value_sets() -> None:
    assert {k.value for k in CommunityKind} == {"traffic", "welfare", "flash"}
    assert {r.value for r in Role} == {"owner", "operator", "kol", "cheerleader", "member"}
    assert [r.label("zh") for r in Role] == ["总舵主", "运营官", "KOL", "气氛组", "成员"]
    assert [k.label("zh") for k in CommunityKind] == ["引流", "福利", "快闪"]
    assert [r.zh for r in Role] == [ROLE_LABELS[r]["zh"] for r in Role]
    assert (Role.KOL.en, CommunityKind.FLASH.zh) == ("KOL", "快闪")
    with pytest.raises(InvalidInput, match="'fr'"):
        Role.OWNER.label("fr")


def test_exports_are_sorted_and_importable() -> None:
    names = community_pkg.__all__
    # isort-style order, as ruff's RUF022 keeps it: CONSTANTS, Classes, functions
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(community_pkg, name) is not None


def test_community_defaults_and_generated_ids() -> None:
    a, b = Community(name="a", kind="traffic"), Community(name="b", kind=CommunityKind.WELFARE)
    assert a.id != b.id
    assert len(a.id) == 12
    assert Community(name="c", id="fixed").id == "fixed"
    assert a.kind is CommunityKind.TRAFFIC
    assert a.ends_at is None
    assert a.is_open(T0)
    with pytest.raises(InvalidInput, match="unknown community kind 'party'"):
        Community(name="x", kind="party")
    with pytest.raises(InvalidInput, match="community name"):
        Community(name=" ")
    with pytest.raises(InvalidInput, match="capacity"):
        Community(name="x", capacity=0)


def test_flash_hard_end_defaults_to_72_hours() -> None:
    flash = Community(name="f", kind="flash", starts_at=T0)
    assert flash.ends_at == T0 + timedelta(hours=72) == T0 + FLASH_DURATION
    assert flash.is_open(T0 + timedelta(hours=71, minutes=59))
    assert not flash.is_open(T0 + timedelta(hours=72))
    assert not flash.is_open(T0 - timedelta(seconds=1))
    assert not flash.is_closed(T0 - timedelta(seconds=1))
    assert flash.is_closed(T0 + timedelta(hours=72))
    short = Community(name="f", kind="flash", starts_at=T0, flash_duration=timedelta(hours=24))
    assert short.ends_at == T0 + timedelta(hours=24)
    unstarted = Community(name="f", kind="flash")
    assert unstarted.ends_at is None
    assert unstarted.start(T0).ends_at == T0 + FLASH_DURATION
    assert Community(name="w", kind="welfare").start(T0).ends_at is None
    with pytest.raises(InvalidInput, match="ends"):
        Community(name="x", starts_at=T0, ends_at=T0)
    with pytest.raises(InvalidInput, match="aware"):
        Community(name="x", starts_at=datetime(2026, 1, 1))


def test_permissions_are_data_checked_in_one_place() -> None:
    assert can("owner", "moderate")
    assert can(Role.OPERATOR, Permission.SEE_DASHBOARDS)
    assert can("kol", "post_announcements")
    assert not can("cheerleader", "moderate")
    assert not can("member", "see_dashboards")
    custom = {Role.MEMBER: frozenset({Permission.MODERATE})}
    assert can("member", "moderate", table=custom)
    Member(id="o", role="owner").require("moderate")
    with pytest.raises(CommunityError, match="may not moderate"):
        Member(id="m").require("moderate")
    with pytest.raises(InvalidInput, match="unknown permission"):
        can("owner", "fly")


def test_member_state_and_probation_end_by_themselves() -> None:
    m = Member(
        id="u",
        status="muted",
        muted_until=T0 + timedelta(hours=1),
        probation_until=T0 + timedelta(days=7),
    )
    assert m.state(T0) is MemberStatus.MUTED
    assert m.state(T0 + timedelta(hours=1)) is MemberStatus.ACTIVE
    assert m.on_probation(T0)
    assert not m.on_probation(T0 + timedelta(days=7))
    assert Member(id="r", status="removed").state(T0) is MemberStatus.REMOVED
    with pytest.raises(InvalidInput, match="unknown role"):
        Member(id="x", role="king")
    with pytest.raises(InvalidInput, match="member id"):
        Member(id="")


aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(
    st.text(min_size=1).filter(str.strip),
    st.sampled_from(list(CommunityKind)),
    st.one_of(st.none(), st.integers(1, 10_000)),
    st.one_of(st.none(), aware),
    st.lists(st.sampled_from(["example.com", "a.b.cn", "x.org"]), max_size=3),
)
def test_community_dict_roundtrip(
    name: str, kind: CommunityKind, cap: int | None, start: datetime | None, domains: list[str]
) -> None:
    c = Community(name=name, kind=kind, capacity=cap, starts_at=start, allowed_domains=domains)
    assert Community.from_dict(c.to_dict()) == c


@given(
    st.text(min_size=1).filter(str.strip),
    st.sampled_from(list(Role)),
    st.sampled_from(list(MemberStatus)),
    st.one_of(st.none(), aware),
    st.booleans(),
)
def test_member_dict_roundtrip(
    mid: str, role: Role, status: MemberStatus, when: datetime | None, approved: bool
) -> None:
    m = Member(
        id=mid, role=role, status=status, joined_at=when, muted_until=when, approved=approved
    )
    assert Member.from_dict(m.to_dict()) == m
