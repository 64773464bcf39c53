"""Moderator: the default rulebook, the ladder, exemptions, flooding, scopes, audit, dry run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import suo
from suo.community import (
    Community,
    ConductAction,
    ConductRule,
    Flood,
    Ladder,
    LadderStep,
    Member,
    Message,
    Moderator,
    Pattern,
    RuleBook,
    Scope,
)
from suo.community.samples import sample_keywords, sample_messages
from suo.errors import InvalidInput, NotFound, PolicyError

from .strategies import texts, word_lists

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
SPAM = [
    "https://shop.example.com/deal",
    "加我微信 abc123 领优惠",
    "Add my WeChat: bags8888 for discounts",
    "全场低价，戳链接 shop-deal.cn/x",
    "vx：cheapbag001 私聊",
    "想要的私信我",
    "联系 13812345678",
    "限时优惠！点击 http://bit.ly/xxx",
    "加V：abc8888",
    "低价出售，有意者联系 wx: seller888",
    "Buy cheap followers at www.cheapfollowers.com",
    "DM me for a discount",
    "微信搜索 abc123 领取福利",
    "代购正品，量大从优",
    "WhatsApp +1 555 123 4567",
    "关注公众号 好物推荐 回复 1 领取",
    "进群领红包 https://t.me/joinchat/abc",
    "Contact me on Telegram @cheapdeals",
    "出 iPhone 15，全新未拆，联系我 138 1234 5678",
    "SALE 50% OFF at bestdeals.shop",
    "有需要的+v 123456",
    "ｈｔｔｐｓ：／／ｓｈｏｐ．ｅｘａｍｐｌｅ．ｃｏｍ",
]
FRIENDLY = [
    "大家好，很高兴加入这个群！",
    "Hi everyone, nice to meet you!",
    "今天的活动几点开始？",
    "谢谢群主分享 👍",
    "I think the second option is better, e.g. for kids.",
    "我的微信名就是小明",
    "明天 10:30 见",
    "请问今天有什么优惠活动吗？",
    "我加了群主微信了，谢谢",
    "版本号是 v1.2.3",
    "价格 99.9 元还行",
    "I use WeChat and QQ daily",
    "I still use wxPython3 for the UI",
    "hello@everyone 😂",
    "Python 3.11 is fast",
    "Line 5: error123 again",
]


@pytest.fixture
def mod() -> Moderator:
    return Moderator(suo.open_store("memory://"), RuleBook.default())


@pytest.fixture
def group() -> Community:
    return Community(name="福利群", kind="welfare", id="g1")


@pytest.mark.parametrize("text", FRIENDLY)
def test_friendly_messages_are_allowed(mod: Moderator, group: Community, text: str) -> None:
    v = mod.check(group, Member(id="fan"), text, at=T0)
    assert v.action is ConductAction.ALLOW, v.reasons
    assert not v.flagged


@pytest.mark.parametrize("text", SPAM)
def test_each_ad_is_flagged_once(mod: Moderator, group: Community, text: str) -> None:
    v = mod.check(group, Member(id="fan"), text, at=T0)
    assert v.action is ConductAction.WARN, v.reasons
    assert v.delete_message
    assert v.strikes == 1.0  # several matching ad rules still count as one violation


def test_ladder_warn_mute_remove_two_hours_apart(mod: Moderator, group: Community) -> None:
    fan = Member(id="fan")
    verdicts = [mod.check(group, fan, s, at=T0 + 2 * i * H) for i, s in enumerate(SPAM[:3])]
    assert [v.action.value for v in verdicts] == ["warn", "mute", "remove"]
    assert verdicts[1].mute_until == T0 + 2 * H + H
    assert [v.strikes for v in verdicts] == [1.0, 2.0, 3.0]
    assert "ladder: mute 1h" in verdicts[1].reasons[-1]
    assert verdicts[2].step is not None
    assert verdicts[2].step.action is ConductAction.REMOVE


@pytest.mark.parametrize("role", ["owner", "operator"])
def test_staff_are_exempt_but_the_exemption_is_logged(
    mod: Moderator, group: Community, role: str
) -> None:
    v = mod.check(group, Member(id="boss", role=role), SPAM[0], at=T0)
    assert v.action is ConductAction.ALLOW
    assert any(f"{role} is exempt" in r for r in v.reasons)
    assert mod.strikes(group, "boss", at=T0) == 0.0
    assert [e.action for e in mod.audit(group)] == ["allow"]


def test_kol_is_not_exempt(mod: Moderator, group: Community) -> None:
    assert mod.check(group, Member(id="k", role="kol"), SPAM[1], at=T0).action is ConductAction.WARN


def test_approved_members_may_post_links_but_not_insults(mod: Moderator, group: Community) -> None:
    vip = Member(id="vip", approved=True)
    assert mod.check(group, vip, SPAM[0], at=T0).action is ConductAction.ALLOW
    assert (
        mod.check(group, Member(id="x"), SPAM[0], at=T0, approved=True).action
        is ConductAction.ALLOW
    )
    assert mod.check(group, vip, "你就是个傻逼", at=T0).action is ConductAction.WARN


def test_allow_list_and_community_domains(group: Community) -> None:
    mod = Moderator("memory://", RuleBook.default(allowed_domains=["example.com"]))
    fan = Member(id="fan")
    assert (
        mod.check(group, fan, "see https://shop.example.com/deal", at=T0).action
        is ConductAction.ALLOW
    )
    assert mod.check(group, fan, "see https://evil.com/x", at=T0).flagged
    own = group.with_changes(allowed_domains=("evil.com",))
    assert (
        mod.check(own, Member(id="f2"), "see https://www.evil.com/x", at=T0).action
        is ConductAction.ALLOW
    )


def test_strikes_decay_after_thirty_days(mod: Moderator, group: Community) -> None:
    fan = Member(id="fan")
    assert mod.check(group, fan, SPAM[0], at=T0).action is ConductAction.WARN
    assert mod.check(group, fan, SPAM[1], at=T0 + timedelta(days=31)).action is ConductAction.WARN
    assert mod.strikes(group, fan, at=T0 + timedelta(days=31)) == 1.0


def test_flooding_uses_the_window_in_the_store(group: Community) -> None:
    store = suo.open_store("memory://")
    fan = Member(id="fan")
    actions = [
        Moderator(store).check(group, fan, f"消息 {i}", at=T0 + timedelta(seconds=i)).action
        for i in range(7)
    ]
    # a new Moderator per message: the window lives in the store, not the object
    assert actions[:5] == [ConductAction.ALLOW] * 5
    assert actions[5] is ConductAction.WARN
    assert actions[6] is ConductAction.MUTE
    later = Moderator(store).check(group, Member(id="fan2"), "hi", at=T0 + timedelta(seconds=6))
    assert later.action is ConductAction.ALLOW


def test_repeats_and_mentions(mod: Moderator, group: Community) -> None:
    fan = Member(id="fan")
    got = [mod.check(group, fan, "求资料 ", at=T0 + timedelta(minutes=i)).action for i in range(3)]
    assert got == [ConductAction.ALLOW, ConductAction.ALLOW, ConductAction.WARN]
    spam = "@a @b @c @d @e 快来看"
    assert mod.check(group, Member(id="m2"), spam, at=T0).action is ConductAction.WARN
    assert mod.check(group, Member(id="m3"), "@a @b 你们好", at=T0).action is ConductAction.ALLOW


def test_muted_and_removed_members(mod: Moderator, group: Community) -> None:
    muted = Member(id="m", status="muted", muted_until=T0 + H)
    v = mod.check(group, muted, "hello", at=T0)
    assert (v.action, v.delete_message) == (ConductAction.DELETE, True)
    assert mod.check(group, muted, "hello", at=T0 + H).action is ConductAction.ALLOW
    assert (
        mod.check(group, Member(id="r", status="removed"), "hi", at=T0).action
        is ConductAction.REMOVE
    )


def test_stored_member_status_follows_penalties(mod: Moderator, group: Community) -> None:
    store = mod.store
    store.save_community(group)
    store.add_member(group.id, Member(id="fan"), capacity=None)
    mod.check(group.id, "fan", SPAM[0], at=T0)
    mod.check(group.id, "fan", SPAM[1], at=T0 + 2 * H)
    stored = store.get_member(group.id, "fan")
    assert stored.status.value == "muted"
    assert stored.muted_until == T0 + 3 * H
    # looked up by id, the muted member's next message is deleted
    assert mod.check(group.id, "fan", "hello", at=T0 + 2 * H + timedelta(minutes=5)).action is (
        ConductAction.DELETE
    )
    mod.check(group.id, "fan", SPAM[2], at=T0 + 4 * H)
    assert store.get_member(group.id, "fan").status.value == "removed"


def test_flash_community_closes_after_72_hours(mod: Moderator) -> None:
    flash = Community(name="快闪", kind="flash", starts_at=T0)
    fan = Member(id="fan")
    assert mod.check(flash, fan, "hi", at=T0 + 71 * H).action is ConductAction.ALLOW
    v = mod.check(flash, fan, "hi", at=T0 + 72 * H)
    assert v.action is ConductAction.DELETE
    assert "closed" in v.reasons[0]


def test_phase_scopes() -> None:
    campaign = (T0, T0 + 24 * H)
    rules = RuleBook(
        (
            ConductRule("no-links-campaign", Pattern(r"http"), scope=Scope(during=campaign)),
            ConductRule("newcomers-quiet", Pattern(r"!!!"), scope=Scope(first_days=3)),
        )
    )
    mod = Moderator("memory://", rules)
    g = Community(name="c")
    old = Member(id="old", joined_at=T0 - timedelta(days=30))
    new = Member(id="new", joined_at=T0)
    assert mod.check(g, old, "http", at=T0 + H).flagged
    assert not mod.check(g, old, "http", at=T0 + 25 * H).flagged
    assert mod.check(g, new, "!!!", at=T0 + 25 * H).flagged
    assert not mod.check(g, new, "!!!", at=T0 + timedelta(days=4)).flagged
    assert not mod.check(g, old, "!!!", at=T0).flagged


def test_ladder_per_kind_and_rule_actions() -> None:
    strict = Ladder((LadderStep(1, "remove"),))
    rules = RuleBook.keywords(["广告"]).with_rules(
        ConductRule("hate", Pattern("去死"), actions=("delete", "mute"), strikes=0, mute_for=24 * H)
    )
    rules = RuleBook(rules.rules, ladders={"flash": strict})
    mod = Moderator("memory://", rules)
    assert mod.check(Community(name="f", kind="flash"), Member(id="a"), "广告", at=T0).action is (
        ConductAction.REMOVE
    )
    assert (
        mod.check(Community(name="t"), Member(id="a"), "广告", at=T0).action is ConductAction.WARN
    )
    v = mod.check(Community(name="t"), Member(id="b"), "去死", at=T0)
    assert (v.action, v.mute_until, v.strikes) == (ConductAction.MUTE, T0 + 24 * H, 0.0)


def test_audit_log_says_why(mod: Moderator, group: Community) -> None:
    mod.check(group, Member(id="fan"), SPAM[1], at=T0)
    mod.check(group, Member(id="ok"), "hello", at=T0)
    (entry,) = mod.audit(group)
    assert entry.action == "warn"
    assert entry.member_id == "fan"
    assert entry.rules[0] == "no-solicitation"
    assert entry.reasons[0].startswith("no-solicitation -> solicitation '加我微信'")
    assert entry.reasons[-1] == "+1 strike -> 1 strike live (decay 30d) -> ladder: warn"
    assert entry.step == "warn"
    assert entry.strikes == 1.0
    logged = Moderator(mod.store, audit_allowed=True)
    logged.check(group, Member(id="ok"), "hello", at=T0)
    assert [e.action for e in logged.audit(group, member="ok")] == ["allow"]


def test_dry_run_touches_nothing(mod: Moderator, group: Community) -> None:
    fan = Member(id="fan")
    msgs = [Message(fan, s, T0 + 2 * i * H) for i, s in enumerate(SPAM[:3])]
    msgs.append(Message("other", "hello", T0))
    report = mod.dry_run(group, [*msgs[:3], (Member(id="other"), "hello", T0)])
    assert [v.action.value for _m, v in report.results] == ["warn", "mute", "remove", "allow"]
    assert report.counts == {"warn": 1, "mute": 1, "remove": 1}
    assert all(v.dry_run for _m, v in report.results)
    assert len(report.flagged) == 3
    assert mod.audit(group) == []
    assert mod.strikes(group, fan, at=T0 + 10 * H) == 0.0
    assert "remove" in report.to_text()
    assert "<table>" in report._repr_html_()
    # and the real thing afterwards starts from a clean ledger
    assert mod.check(group, fan, SPAM[0], at=T0).action is ConductAction.WARN


def test_bad_input_is_explained(mod: Moderator, group: Community) -> None:
    with pytest.raises(InvalidInput, match="aware"):
        mod.check(group, Member(id="a"), "x", at=datetime(2026, 1, 1))
    with pytest.raises(InvalidInput, match="str"):
        mod.check(group, Member(id="a"), b"x", at=T0)  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="no community"):
        mod.check("missing", Member(id="a"), "x", at=T0)
    with pytest.raises(NotFound, match="no member"):
        mod.check(group, "ghost", "x", at=T0)
    with pytest.raises(InvalidInput, match="ModeratorStore"):
        Moderator(object())
    with pytest.raises(PolicyError, match="unique"):
        RuleBook((ConductRule("a", Pattern("x")), ConductRule("a", Pattern("y"))))
    with pytest.raises(PolicyError, match="bad regular expression"):
        Pattern("(")
    with pytest.raises(PolicyError, match="duration"):
        LadderStep(1, "mute")
    with pytest.raises(PolicyError, match="allow"):
        ConductRule("r", Pattern("x"), actions=("allow",))
    with pytest.raises(PolicyError, match="positive"):
        Flood(per=timedelta(0))


@settings(max_examples=50)
@given(word_lists, texts)
def test_keyword_rulebook_flags_exactly_what_naive_flags(words: list[str], text: str) -> None:
    mod = Moderator("memory://", RuleBook.keywords(words))
    v = mod.check(Community(name="c"), Member(id="m"), text, at=T0)
    assert v.flagged == any(w in text for w in words)


def test_two_thousand_keywords_check_matches_naive() -> None:
    words = sample_keywords(2000)
    messages = sample_messages(words, 600, spam_share=0.2)
    mod = Moderator("memory://", RuleBook.keywords(words))
    g = Community(name="c")
    members = [Member(id=f"m{i}") for i in range(20)]
    ours = [
        mod.check(g, members[i % 20], m, at=T0 + timedelta(seconds=i)).flagged
        for i, m in enumerate(messages)
    ]
    assert ours == [any(w in m for w in words) for m in messages]


def test_describe_lists_rules() -> None:
    text = RuleBook.default().describe()
    assert "no-ad-links" in text
    assert "exempt: operator, owner" in text
    assert "ladder: 1 strike: warn -> 2 strikes: mute 1h -> 3 strikes: remove" in text


@settings(max_examples=40)
@given(st.lists(st.integers(0, 90), min_size=1, max_size=12))
def test_ladder_follows_the_live_strike_total(days: list[int]) -> None:
    """Flagged messages on random days: each answer is the ladder step of the strikes
    given in the 30 days up to that message (the model recomputed here)."""
    mod = Moderator("memory://", RuleBook.keywords(["广告"]))
    g, m = Community(name="c"), Member(id="m")
    times = [T0 + timedelta(days=d, seconds=i) for i, d in enumerate(sorted(days))]
    for i, at in enumerate(times):
        v = mod.check(g, m, f"广告 {i}", at=at)
        live = sum(1 for t in times[: i + 1] if at - timedelta(days=30) < t <= at)
        assert v.strikes == live
        assert v.action.value == ("warn" if live == 1 else "mute" if live == 2 else "remove")


@pytest.mark.parametrize(
    "text",
    [
        "大家早上好，今天的优惠券领到了吗？",
        "刚抢到红包了，谢谢群主！",
        "优惠码在哪里输入呀",
        "Does anyone know where to enter the promo code?",
        "Got the free gift today, thanks!",
    ],
)
def test_welfare_chatter_about_coupons_is_allowed(text: str) -> None:
    from datetime import UTC, datetime

    import suo
    from suo.community import Community, CommunityKind, Member, Moderator, Role, RuleBook

    mod = Moderator(suo.open_store("memory://"), RuleBook.default())
    group = Community(name="福利群", kind=CommunityKind.WELFARE)
    verdict = mod.check(
        group, Member(id="m", role=Role.MEMBER), text, at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert verdict.action.value == "allow", verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "我想加VIP会员",
        "他很自私我不喜欢",
        "按ctrl+v粘贴就好",
        "别戳我哈哈",
        "谢谢Mr.Wang的分享",
        "I work from home today so I can join the live stream!",
        "I couldn't click the link yesterday, is there a replay?",
        "今天下单立减20元，太划算了",
        "返利活动什么时候开始？",
    ],
)
def test_friendly_messages_that_look_like_ads_are_allowed(text: str) -> None:
    from datetime import UTC, datetime

    import suo
    from suo.community import Community, CommunityKind, Member, Moderator, Role, RuleBook

    mod = Moderator(suo.open_store("memory://"), RuleBook.default())
    group = Community(name="福利群", kind=CommunityKind.WELFARE)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    verdict = mod.check(group, Member(id="m", role=Role.MEMBER), text, at=at)
    assert verdict.action.value == "allow", verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "wechat me: bestprice8",
        "my WeChat is shop888",
        "微: abc123",
        "加v 领资料",
        "加我v：abc888",
        "+v abc888",
    ],
)
def test_contact_hand_offs_are_flagged(text: str) -> None:
    from datetime import UTC, datetime

    import suo
    from suo.community import Community, CommunityKind, Member, Moderator, Role, RuleBook

    mod = Moderator(suo.open_store("memory://"), RuleBook.default())
    group = Community(name="福利群", kind=CommunityKind.WELFARE)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    verdict = mod.check(group, Member(id="m", role=Role.MEMBER), text, at=at)
    assert verdict.action.value == "warn", (text, verdict.reasons)
