"""Access policies: presets, ordered rules, traces, validation, storage round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suo.antiblock import CHINESE_APPS, OS, AccessPolicy, Action, Client, Platform, Rule, When
from suo.errors import PolicyError

WECHAT_IOS = Client(Platform.WECHAT, OS.IOS, is_mobile=True)
CHROME_WIN = Client(Platform.BROWSER, OS.WINDOWS)
SAFARI_IOS = Client(Platform.BROWSER, OS.IOS, is_mobile=True)
GOOGLEBOT = Client(Platform.BOT, OS.OTHER, is_bot=True)
FB_PREVIEW = Client(Platform.BOT, OS.OTHER, is_bot=True, is_preview=True)
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_anti_block_guides_every_chinese_app_and_redirects_the_rest() -> None:
    policy = AccessPolicy.anti_block()
    for platform in Platform:
        action = policy.decide(Client(platform, OS.ANDROID, is_mobile=True)).action
        assert action is (Action.GUIDE if platform in CHINESE_APPS else Action.REDIRECT), platform
    assert Platform.QQ_BROWSER not in CHINESE_APPS
    assert Platform.FACEBOOK not in CHINESE_APPS


def test_anti_block_try_browser_reaches_the_decision() -> None:
    assert AccessPolicy.anti_block(try_browser=True).decide(WECHAT_IOS).try_browser is True
    assert AccessPolicy.anti_block().decide(WECHAT_IOS).try_browser is False


def test_only_denies_others() -> None:
    policy = AccessPolicy.only(Platform.WECHAT)
    assert policy.decide(WECHAT_IOS).action is Action.REDIRECT
    assert policy.decide(CHROME_WIN).action is Action.DENY
    assert policy.decide(GOOGLEBOT).action is Action.DENY
    assert AccessPolicy.only("wechat", "qq").decide(Client(Platform.QQ)).action is Action.REDIRECT


def test_only_needs_platforms_and_known_names() -> None:
    with pytest.raises(PolicyError, match="at least one"):
        AccessPolicy.only()
    with pytest.raises(PolicyError, match="unknown platform 'wechatt'"):
        AccessPolicy.only("wechatt")


def test_mobile_only_and_no_bots() -> None:
    assert AccessPolicy.mobile_only().decide(SAFARI_IOS).action is Action.REDIRECT
    assert AccessPolicy.mobile_only().decide(CHROME_WIN).action is Action.DENY
    assert AccessPolicy.no_bots().decide(GOOGLEBOT).action is Action.DENY
    assert AccessPolicy.no_bots().decide(FB_PREVIEW).action is Action.DENY
    assert AccessPolicy.no_bots().decide(CHROME_WIN).action is Action.REDIRECT


def test_first_matching_rule_wins_and_the_trace_says_why() -> None:
    policy = AccessPolicy(
        "campaign",
        (
            Rule(When(platforms={Platform.WECHAT}), Action.GUIDE, name="wechat"),
            Rule(When(os={OS.IOS}), Action.ELSEWHERE, location="https://apps.apple.com/app/id1"),
            Rule(When(mobile=True), Action.REDIRECT, name="phones"),
        ),
        default=Action.DENY,
    )
    d = policy.decide(SAFARI_IOS)
    assert (d.action, d.location, d.rule) == (
        Action.ELSEWHERE,
        "https://apps.apple.com/app/id1",
        "rule 2",
    )
    assert d.trace == (
        "rule 1 'wechat' [platform in wechat]: no (platform is browser)",
        "rule 2 [os in ios]: yes -> elsewhere",
    )
    d = policy.decide(CHROME_WIN)
    assert d.action is Action.DENY
    assert d.rule is None
    assert d.trace[-1] == "no rule matched -> default deny"
    assert len(d.trace) == 4


def test_language_condition_uses_the_preferred_language() -> None:
    policy = AccessPolicy(rules=(Rule(When(languages=["zh"]), Action.GUIDE),))
    assert policy.decide(CHROME_WIN, accept_language="zh-CN,zh;q=0.9").action is Action.GUIDE
    assert policy.decide(CHROME_WIN, accept_language="en;q=0.9, zh;q=0.5").action is Action.REDIRECT
    assert policy.decide(CHROME_WIN, accept_language="zhx").action is Action.REDIRECT
    assert policy.decide(CHROME_WIN).action is Action.REDIRECT


def test_time_window_is_half_open_and_needs_a_time() -> None:
    rule = Rule(When(start=NOON, end=NOON + timedelta(hours=1)), Action.DENY, name="maintenance")
    policy = AccessPolicy(rules=(rule,))
    assert policy.decide(CHROME_WIN, now=NOON).action is Action.DENY
    assert policy.decide(CHROME_WIN, now=NOON + timedelta(hours=1)).action is Action.REDIRECT
    assert policy.decide(CHROME_WIN, now=NOON - timedelta(seconds=1)).action is Action.REDIRECT
    assert "no time given" in policy.decide(CHROME_WIN).trace[0]


def test_bot_and_preview_conditions() -> None:
    assert When(bot=True).check(FB_PREVIEW, None, None) is None
    assert When(preview=True).check(GOOGLEBOT, None, None) == "not a preview fetcher"
    assert When(bot=False).check(GOOGLEBOT, None, None) == "is a bot"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Rule(When(), Action.ELSEWHERE), "needs location"),
        (lambda: Rule(When(), Action.GUIDE, location="https://a.example/"), "only ELSEWHERE"),
        (lambda: Rule(When(), Action.ELSEWHERE, location="javascript:alert(1)"), "not a safe http"),
        (lambda: Rule(When(), Action.REDIRECT, try_browser=True), "try_browser only"),
        (lambda: Rule(When(), "jump"), "action must be one of"),
        (lambda: When(platforms=[]), "empty platform set"),
        (lambda: When(os=["beos"]), "unknown os 'beos'"),
        (lambda: When(start=datetime(2026, 1, 1)), "timezone-aware"),
        (lambda: When(start=NOON, end=NOON), "not before end"),
        (lambda: When(languages=["zh cn"]), "not a language tag"),
        (lambda: When(mobile="yes"), "True, False or None"),
        (lambda: AccessPolicy(default=Action.ELSEWHERE), "cannot be ELSEWHERE"),
        (lambda: AccessPolicy(rules=("guide",)), "Rule objects"),
        (lambda: AccessPolicy.from_dict({"format": 99, "rules": []}), "format 99"),
        (lambda: AccessPolicy.from_dict({"rules": [{"action": "fly"}]}), "rule action"),
        (
            lambda: AccessPolicy.from_dict(
                {"rules": [{"action": "deny", "when": {"color": "red"}}]}
            ),
            "unknown condition keys",
        ),
    ],
)
def test_bad_input_raises_policy_error(build: object, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        build()  # type: ignore[operator]


def test_first_version_dicts_still_load() -> None:
    old = {"name": "only", "allowed": ["wechat"], "guide": []}
    policy = AccessPolicy.from_dict(old)
    assert policy.decide(WECHAT_IOS).action is Action.REDIRECT
    assert policy.decide(CHROME_WIN).action is Action.DENY
    old = {"name": "anti_block", "allowed": None, "guide": ["wechat", "qq"]}
    assert AccessPolicy.from_dict(old).decide(WECHAT_IOS).action is Action.GUIDE


# -- round trip ------------------------------------------------------------------

aware_times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@st.composite
def whens(draw: st.DrawFn) -> When:
    start = draw(st.none() | aware_times)
    end = draw(st.none() | aware_times)
    if start is not None and end is not None and start >= end:
        start, end = None, end
    return When(
        platforms=draw(st.none() | st.frozensets(st.sampled_from(Platform), min_size=1)),
        os=draw(st.none() | st.frozensets(st.sampled_from(OS), min_size=1)),
        bot=draw(st.none() | st.booleans()),
        preview=draw(st.none() | st.booleans()),
        mobile=draw(st.none() | st.booleans()),
        languages=draw(
            st.none() | st.lists(st.sampled_from(["zh", "en", "zh-tw", "ja"]), min_size=1)
        ),
        start=start,
        end=end,
    )


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    action = draw(st.sampled_from(Action))
    return Rule(
        draw(whens()),
        action,
        location="https://apps.example.com/x" if action is Action.ELSEWHERE else None,
        name=draw(st.none() | st.text(alphabet="abc-", min_size=1, max_size=8)),
        try_browser=draw(st.booleans()) if action is Action.GUIDE else False,
    )


policies = st.builds(
    AccessPolicy,
    st.text(min_size=1, max_size=12),
    st.lists(rules(), max_size=4).map(tuple),
    st.sampled_from([a for a in Action if a is not Action.ELSEWHERE]),
)
clients = st.builds(
    Client,
    st.sampled_from(Platform),
    st.sampled_from(OS),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@given(
    policies,
    clients,
    st.sampled_from([None, "zh-CN", "en-US,en;q=0.8", "ja"]),
    st.none() | aware_times,
)
def test_json_round_trip_keeps_policy_and_decisions(
    policy: AccessPolicy, client: Client, lang: str | None, now: datetime | None
) -> None:
    again = AccessPolicy.from_dict(json.loads(json.dumps(policy.to_dict())))
    assert again == policy
    assert again.decide(client, accept_language=lang, now=now) == policy.decide(
        client, accept_language=lang, now=now
    )


@given(policies, clients)
def test_trace_has_one_line_per_rule_tried(policy: AccessPolicy, client: Client) -> None:
    d = policy.decide(client)
    if d.rule is None:
        assert len(d.trace) == len(policy.rules) + 1
        assert d.action is policy.default
    else:
        assert d.trace[-1].endswith(f"yes -> {d.action.value}")
        assert all(": no (" in line for line in d.trace[:-1])
