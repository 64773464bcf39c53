"""Conformance tests of :class:`~suo.community.store.CommunityStore` (need a ``store`` fixture)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suo.community.model import AuditEntry, Community, Member, MemberStatus
from suo.community.moderation import Moderator
from suo.community.rules import RuleBook
from suo.storage.memory import MemoryStore
from suo.testing.helpers import race

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
_SPAM = (
    "https://shop.example.com/deal",
    "加我微信 abc123 领优惠",
    "Add my WeChat: cheapbags88 for discounts",
)


_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("strike"),
            st.sampled_from(["a", "b"]),
            st.integers(0, 60),  # days after T0
            st.sampled_from([0.5, 1.0, 2.0]),
            st.one_of(st.none(), st.sampled_from(["e1", "e2", "e3"])),
        ),
        st.tuples(
            st.just("message"),
            st.sampled_from(["a", "b"]),
            st.integers(0, 30),  # seconds after T0
            st.sampled_from(["x", "y"]),
            st.none(),
        ),
        st.tuples(
            st.just("referral"),
            st.sampled_from(["a", "b"]),
            st.integers(0, 5),  # invitee number
            st.booleans(),
            st.none(),
        ),
        st.tuples(
            st.just("join"),
            st.sampled_from(["a", "b", "c", "d"]),
            st.integers(1, 3),  # capacity
            st.sampled_from(["active", "muted", "removed"]),
            st.none(),
        ),
        st.tuples(
            st.just("status"),
            st.sampled_from(["a", "b", "c", "d"]),
            st.integers(0, 0),
            st.sampled_from(["active", "muted", "removed"]),
            st.none(),
        ),
        st.tuples(
            st.just("doc"),
            st.sampled_from(["d1", "d2", "d3"]),
            st.integers(0, 3),  # 0: delete, else a version number
            st.lists(st.sampled_from(["t1", "t2"]), max_size=2, unique=True),
            st.none(),
        ),
    ),
    max_size=14,
)


class CommunityStoreSuite:
    """Every backend must pass these unchanged."""

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=_OPS)
    def test_same_answers_as_the_memory_model(self, store: Any, ops: list[Any]) -> None:
        # Each example gets a community of its own, so examples never see each other.
        cid = "p" + uuid.uuid4().hex[:10]
        model = MemoryStore()
        windows = [timedelta(seconds=10), timedelta(seconds=25)]
        for kind, member, n, value, event in ops:
            if kind == "strike":
                kw = {"at": T0 + n * DAY, "weight": value, "window": timedelta(days=30)}
                got = store.add_strike(cid, member, event=event, **kw)
                assert got == model.add_strike(cid, member, event=event, **kw)
            elif kind == "message":
                kw = {"at": T0 + timedelta(seconds=n), "digest": value, "windows": windows}
                assert store.record_message(cid, member, **kw) == model.record_message(
                    cid, member, **kw
                )
            elif kind == "referral":
                kw = {"inviter_id": member, "invitee_id": f"i{n}", "at": T0, "counted": value}
                assert store.record_referral(cid, **kw) == model.record_referral(cid, **kw)
            elif kind == "join":
                who = Member(id=member, status=value, joined_at=T0)
                assert store.add_member(cid, who, capacity=n) == model.add_member(
                    cid, who, capacity=n
                )
            elif kind == "status":
                status = MemberStatus(value)
                assert store.set_member_status(cid, member, status, None) == (
                    model.set_member_status(cid, member, status, None)
                )
            elif n == 0:
                assert store.delete_doc(cid, "x", member) == model.delete_doc(cid, "x", member)
            else:
                store.save_doc(cid, "x", member, {"v": n}, tags=value)
                model.save_doc(cid, "x", member, {"v": n}, tags=value)
        assert store.referral_leaderboard(cid) == model.referral_leaderboard(cid)
        assert store.list_members(cid) == model.list_members(cid)
        assert store.count_members(cid) == model.count_members(cid)
        for tag in (None, "t1", "t2"):
            assert store.list_docs(cid, "x", tag=tag) == model.list_docs(cid, "x", tag=tag)
        for member in ("a", "b"):
            for day in (0, 30, 61):
                kw = {"at": T0 + day * DAY, "window": timedelta(days=30)}
                assert store.strike_total(cid, member, **kw) == model.strike_total(
                    cid, member, **kw
                )

    def test_community_roundtrip(self, store: Any) -> None:
        c = Community(
            name="双11快闪群",
            kind="flash",
            id="c1",
            goal="卖货",
            capacity=200,
            starts_at=T0,
            allowed_domains=("example.org",),
            sop_plan="flash-72h",
        )
        store.save_community(c)
        assert store.get_community("c1") == c
        assert store.get_community("nope") is None
        store.save_community(c.with_changes(name="renamed"))
        assert store.get_community("c1").name == "renamed"
        store.save_community(Community(name="b", id="b0"))
        assert [x.id for x in store.list_communities()] == ["b0", "c1"]

    def test_members_roundtrip_and_status(self, store: Any) -> None:
        m = Member(
            id="u1",
            role="kol",
            joined_at=T0,
            referrer="u0",
            probation_until=T0 + 7 * DAY,
            approved=True,
            name="小明",
        )
        assert store.add_member("c1", m, capacity=None) is True
        assert store.get_member("c1", "u1") == m
        assert store.get_member("c1", "u2") is None
        assert store.get_member("other", "u1") is None
        until = T0 + timedelta(hours=1)
        assert store.set_member_status("c1", "u1", MemberStatus.MUTED, until) is True
        got = store.get_member("c1", "u1")
        assert (got.status, got.muted_until, got.name) == (MemberStatus.MUTED, until, "小明")
        assert store.set_member_status("c1", "ghost", MemberStatus.REMOVED, None) is False
        store.add_member("c1", Member(id="a0"), capacity=None)
        assert [x.id for x in store.list_members("c1")] == ["a0", "u1"]
        assert store.count_members("c1") == 2
        store.set_member_status("c1", "a0", MemberStatus.REMOVED, None)
        assert store.count_members("c1") == 1
        assert store.get_member("c1", "a0").status is MemberStatus.REMOVED

    def test_capacity_counts_non_removed_members(self, store: Any) -> None:
        assert store.add_member("c", Member(id="a"), capacity=2)
        assert store.add_member("c", Member(id="b"), capacity=2)
        assert store.add_member("c", Member(id="x"), capacity=2) is False
        # updating an existing member is not a new seat
        assert store.add_member("c", Member(id="a", role="operator"), capacity=2)
        assert store.get_member("c", "a").role.value == "operator"
        store.set_member_status("c", "b", MemberStatus.REMOVED, None)
        assert store.add_member("c", Member(id="x"), capacity=2)
        assert store.count_members("c") == 2

    def test_capacity_race_admits_exactly_capacity(self, store: Any) -> None:
        results = race(12, lambda i: store.add_member("race", Member(id=f"m{i}"), capacity=5))
        assert sum(r is True for r in results) == 5
        assert store.count_members("race") == 5

    def test_strikes_add_and_decay(self, store: Any) -> None:
        window = timedelta(days=30)
        assert store.add_strike("c", "m", at=T0, weight=1, window=window) == 1.0
        assert store.add_strike("c", "m", at=T0 + DAY, weight=0.5, window=window) == 1.5
        assert store.add_strike("c", "other", at=T0, weight=2, window=window) == 2.0
        assert store.strike_total("c", "m", at=T0 + DAY, window=window) == 1.5
        # the first strike decays 30 days after it was given
        assert store.strike_total("c", "m", at=T0 + 30 * DAY, window=window) == 0.5
        assert store.add_strike("c", "m", at=T0 + 31 * DAY, weight=1, window=window) == 1.0
        assert store.strike_total("x", "m", at=T0, window=window) == 0.0

    def test_strike_events_count_once(self, store: Any) -> None:
        window = timedelta(days=30)
        add = store.add_strike
        assert add("c", "m", at=T0, weight=1, window=window, event="e1") == 1.0
        assert add("c", "m", at=T0, weight=1, window=window, event="e1") == 1.0
        assert add("c", "other", at=T0, weight=1, window=window, event="e1") == 1.0
        assert add("c", "m", at=T0 + DAY, weight=2, window=window, event="e2") == 3.0
        # a later add may ask about an earlier moment: strikes after it are not counted
        assert add("c", "m", at=T0, weight=1, window=window, event="e1") == 1.0
        results = race(8, lambda i: add("c", "r", at=T0, weight=1, window=window, event="same"))
        assert results == [1.0] * 8

    def test_strike_race_loses_no_increment(self, store: Any) -> None:
        window = timedelta(days=30)
        results = race(12, lambda i: store.add_strike("c", "m", at=T0, weight=1, window=window))
        assert sorted(results) == [float(n) for n in range(1, 13)]
        assert store.strike_total("c", "m", at=T0, window=window) == 12.0

    def test_record_message_counts_per_window(self, store: Any) -> None:
        short, long = timedelta(seconds=10), timedelta(minutes=10)
        ws = [short, long]
        assert store.record_message("c", "m", at=T0, digest="a", windows=ws) == [(1, 1), (1, 1)]
        t1 = T0 + timedelta(seconds=5)
        assert store.record_message("c", "m", at=t1, digest="b", windows=ws) == [(2, 1), (2, 1)]
        t2 = T0 + timedelta(seconds=12)
        assert store.record_message("c", "m", at=t2, digest="a", windows=ws) == [(2, 1), (3, 2)]
        assert store.record_message("c", "n", at=t2, digest="a", windows=ws) == [(1, 1), (1, 1)]
        assert store.record_message("c", "m", at=t2, digest="a", windows=[]) == []

    def test_long_ids_are_stored_on_every_backend(self, store: Any) -> None:
        cid, mid = "c" * 200, "m" * 300
        assert store.add_member(cid, Member(id=mid), capacity=None) is True
        assert store.get_member(cid, mid) is not None

    def test_concurrent_retags_leave_one_consistent_tag_index(self, store: Any) -> None:
        for _ in range(20):
            store.save_doc("c", "item", "d1", {"n": 0}, tags=["x"])
            race(2, lambda i: store.save_doc("c", "item", "d1", {"n": i}, tags=["yz"[i]]))
            listed = [t for t in "xyz" if store.list_docs("c", "item", tag=t)]
            assert len(listed) == 1, listed

    def test_windows_are_exact_to_the_microsecond(self, store: Any) -> None:
        month, ten = timedelta(days=30), timedelta(seconds=10)
        store.add_strike("c", "w", at=T0, weight=1.5, window=month)
        edge = T0 + month - timedelta(microseconds=1)
        assert store.strike_total("c", "w", at=edge, window=month) == 1.5
        assert store.strike_total("c", "w", at=T0 + month, window=month) == 0.0
        store.record_message("c", "w", at=T0, digest="a", windows=[ten])
        near = T0 + ten - timedelta(microseconds=3)
        assert store.record_message("c", "w", at=near, digest="b", windows=[ten]) == [(2, 1)]

    def test_record_message_race(self, store: Any) -> None:
        w = [timedelta(minutes=1)]
        results = race(10, lambda i: store.record_message("c", "m", at=T0, digest="d", windows=w))
        assert sorted(r[0][0] for r in results) == list(range(1, 11))

    def test_audit_log(self, store: Any) -> None:
        for i in range(5):
            store.append_audit(
                AuditEntry(
                    community_id="c",
                    member_id="a" if i % 2 == 0 else "b",
                    at=T0 + timedelta(minutes=i),
                    action="warn",
                    reasons=(f"r{i}", "规则 -> 匹配"),
                    rules=("no-ad-links",),
                    strikes=float(i),
                    step="warn",
                    excerpt=f"msg {i}",
                )
            )
        log = store.audit_log("c")
        assert [e.excerpt for e in log] == [f"msg {i}" for i in range(5)]
        assert log[1].reasons == ("r1", "规则 -> 匹配")
        assert log[1].at == T0 + timedelta(minutes=1)
        assert [e.excerpt for e in store.audit_log("c", limit=2)] == ["msg 3", "msg 4"]
        assert [e.excerpt for e in store.audit_log("c", member_id="a")] == [
            "msg 0",
            "msg 2",
            "msg 4",
        ]
        assert [e.excerpt for e in store.audit_log("c", member_id="a", limit=1)] == ["msg 4"]
        assert store.audit_log("nobody") == []

    def test_docs_with_tags(self, store: Any) -> None:
        store.save_doc("c", "content", "b", {"title": "乙", "n": 2}, tags=("x", "y"))
        store.save_doc("c", "content", "a", {"title": "甲", "n": 1}, tags=("x",))
        store.save_doc("c", "asset", "a", {"title": "other kind"}, tags=("x",))
        assert store.get_doc("c", "content", "a") == {"title": "甲", "n": 1}
        assert store.get_doc("c", "content", "zz") is None
        assert [d["title"] for d in store.list_docs("c", "content")] == ["甲", "乙"]
        assert [d["title"] for d in store.list_docs("c", "content", tag="y")] == ["乙"]
        store.save_doc("c", "content", "b", {"title": "乙2"}, tags=("z",))
        assert store.list_docs("c", "content", tag="y") == []
        assert [d["title"] for d in store.list_docs("c", "content", tag="z")] == ["乙2"]
        assert store.delete_doc("c", "content", "b") is True
        assert store.delete_doc("c", "content", "b") is False
        assert store.list_docs("c", "content", tag="z") == []
        assert [d["title"] for d in store.list_docs("c", "asset", tag="x")] == ["other kind"]

    def test_referrals_count_each_invitee_once(self, store: Any) -> None:
        rec = store.record_referral
        assert rec("c", inviter_id="a", invitee_id="x", at=T0, counted=True) == (True, 1)
        assert rec("c", inviter_id="a", invitee_id="y", at=T0, counted=True, data={"ip": "1"}) == (
            True,
            2,
        )
        # a second attribution of the same invitee changes nothing
        assert rec("c", inviter_id="b", invitee_id="x", at=T0, counted=True) == (False, 0)
        assert rec("c", inviter_id="a", invitee_id="z", at=T0, counted=False) == (True, 2)
        assert rec("c", inviter_id="b", invitee_id="w", at=T0, counted=True) == (True, 1)
        assert store.referral_leaderboard("c") == [("a", 2), ("b", 1)]
        assert store.referral_leaderboard("c", limit=1) == [("a", 2)]
        refs = store.list_referrals("c", inviter_id="a")
        assert [(r["invitee"], r["counted"]) for r in refs] == [
            ("x", True),
            ("y", True),
            ("z", False),
        ]
        assert refs[1]["data"] == {"ip": "1"}
        assert refs[0]["at"] == T0
        assert len(store.list_referrals("c")) == 4

    def test_referral_race(self, store: Any) -> None:
        results = race(
            10,
            lambda i: store.record_referral(
                "c", inviter_id="a", invitee_id=f"x{i % 5}", at=T0, counted=True
            ),
        )
        assert sum(new for new, _ in results) == 5
        assert store.referral_leaderboard("c") == [("a", 5)]

    def test_delete_community_drops_its_data(self, store: Any) -> None:
        store.save_community(Community(name="gone", id="g"))
        store.add_member("g", Member(id="m"), capacity=None)
        store.add_strike("g", "m", at=T0, weight=1, window=DAY)
        store.save_doc("g", "content", "d", {"x": 1}, tags=("t",))
        store.record_referral("g", inviter_id="m", invitee_id="n", at=T0, counted=True)
        store.save_community(Community(name="kept", id="k"))
        store.add_member("k", Member(id="m"), capacity=None)
        assert store.delete_community("g") is True
        assert store.delete_community("g") is False
        assert store.get_community("g") is None
        assert store.list_members("g") == []
        assert store.strike_total("g", "m", at=T0, window=DAY) == 0.0
        assert store.list_docs("g", "content", tag="t") == []
        assert store.referral_leaderboard("g") == []
        assert [m.id for m in store.list_members("k")] == ["m"]

    def test_default_rulebook_ladder_on_this_backend(self, store: Any) -> None:
        mod = Moderator(store, RuleBook.default())
        group = Community(name="福利群", kind="welfare", id="w1")
        member, owner = Member(id="fan"), Member(id="boss", role="owner")
        assert mod.check(group, member, "大家好，很高兴认识大家！", at=T0).action.value == "allow"
        actions = [
            mod.check(group, member, text, at=T0 + timedelta(hours=2 * i)).action.value
            for i, text in enumerate(_SPAM, 1)
        ]
        assert actions == ["warn", "mute", "remove"]
        assert mod.check(group, owner, _SPAM[0], at=T0).action.value == "allow"
        log = mod.audit(group, member="fan")
        assert [e.action for e in log] == ["warn", "mute", "remove"]
        assert log[-1].strikes == 3.0
        assert mod.strikes(group, member, at=T0 + timedelta(hours=6)) == 3.0
        # replaying the same messages (a webhook retry, a re-run) gives the same answers
        again = Moderator(store, RuleBook.default())
        replay = [
            again.check(group, member, text, at=T0 + timedelta(hours=2 * i)).action.value
            for i, text in enumerate(_SPAM, 1)
        ]
        assert replay == ["warn", "mute", "remove"]
