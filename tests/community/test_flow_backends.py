"""One campaign, end to end, on every backend: admission, moderation, content, referrals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import suo
from suo.community import (
    Admission,
    Applicant,
    Community,
    ContentLibrary,
    Engagement,
    JoinSignals,
    Member,
    Message,
    Moderator,
    ReferralGate,
    Referrals,
    RewardTier,
    RuleBook,
    welcome_message,
)

T0 = datetime(2026, 11, 9, 20, 0, tzinfo=UTC)
H = timedelta(hours=1)
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def test_campaign_flow(store: Any) -> None:
    group = Community(name="双11快闪群", kind="flash", starts_at=T0, capacity=4, id="flash-1111")
    store.save_community(group)
    store.add_member(group.id, Member(id="boss", role="owner", joined_at=T0), capacity=None)
    shortener = suo.Shortener(store, clock=lambda: T0)

    # admission: referral by an active member, capacity 4, probation
    gate = Admission([ReferralGate()], probation=timedelta(days=2))
    joined = [
        gate.admit(store, group, Applicant(id=f"fan{i}", referrer="boss"), at=T0 + i * H)
        for i in range(5)
    ]
    assert [d.admitted for d in joined] == [True, True, True, False, False]
    assert "full (4 of 4 seats taken)" in joined[3].reasons[-1]
    assert store.count_members(group.id) == 4
    fan = store.get_member(group.id, "fan0")
    assert fan.on_probation(T0 + H)
    assert "2026-11-12 20:00" in welcome_message(group, fan)

    # moderation by ids: the stored member's status follows the ladder
    mod = Moderator(store, RuleBook.default())
    assert mod.check(group.id, "fan0", "大家好！", at=T0 + H).action.value == "allow"
    spam = ["https://shop.example.com/deal", "加我微信 abc123 领优惠", "vx: shop8888 低价"]
    got = [
        mod.check(group.id, "fan0", s, at=T0 + (2 + 2 * i) * H).action.value
        for i, s in enumerate(spam)
    ]
    assert got == ["warn", "mute", "remove"]
    assert store.get_member(group.id, "fan0").status.value == "removed"
    assert store.count_members(group.id) == 3
    assert mod.check(group.id, "boss", spam[0], at=T0 + H).action.value == "allow"
    assert [e.action for e in mod.audit(group, member="fan0")] == ["warn", "mute", "remove"]
    # the flash group closes 72 hours after the start
    assert mod.check(group.id, "fan1", "还在吗", at=T0 + 72 * H).action.value == "delete"

    # a dry run of another rulebook leaves the store alone
    report = Moderator(store, RuleBook.keywords(["还在吗"])).dry_run(
        group, [Message("fan1", "还在吗", T0 + H), Message("fan2", "在的", T0 + H)]
    )
    assert report.counts == {"warn": 1}
    assert mod.strikes(group, "fan1", at=T0 + 2 * H) == 0.0

    # content with a tracked link, searched by tag, reviewed with the week's clicks
    lib = ContentLibrary(store, shortener)
    good = lib.add(group, "秒杀清单", "conversion", url="https://example.com/list", tags=["双11"])
    weak = lib.add(group, "品牌故事", "conversion", url="https://example.com/story", tags=["品牌"])
    for _ in range(40):
        shortener.resolve(good.link_code, user_agent=CHROME, now=T0 + H)
    shortener.resolve(weak.link_code, user_agent=CHROME, now=T0 + H)
    assert [i.id for i in lib.items(group, tag="双11")] == [good.id]
    assert lib.clicks(good) == {"browser": 40}
    review = lib.review(
        group, {good.id: Engagement(150), weak.id: Engagement(150)}, week_start=date(2026, 11, 9)
    )
    assert review.decisions() == {good.id: "boost", weak.id: "stop"}
    lib.add_asset(group, "qa", "几点开抢？", answer="20:00", tags=["双11"])
    assert [a.answer for a in lib.assets(group, tag="双11")] == ["20:00"]

    # referrals: one link per member, attribution once, a guard, the leaderboard
    refs = Referrals(
        store, shortener, landing_url="https://example.com/join", rewards=[RewardTier(2, "券")]
    )
    link = refs.link(group, "fan1")
    assert refs.link(group, "fan1").code == link.code
    first = refs.attribute(group, "n1", "fan1", at=T0, signals=JoinSignals(device="d1"))
    second = refs.attribute(group, "n2", "fan1", at=T0, signals=JoinSignals(device="d2"))
    assert (first.total, second.total) == (1, 2)
    assert [t.reward for t in second.rewards_unlocked] == ["券"]
    assert refs.attribute(group, "n1", "fan2", at=T0).reasons == ("already attributed to fan1",)
    assert refs.attribute(group, "fan2", "fan2", at=T0).reasons == ("self-referral",)
    assert refs.leaderboard(group) == [("fan1", 2)]
