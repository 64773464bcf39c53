"""Anti-block through ``Shortener.resolve``: the checks the issue's "Done when" names."""

from __future__ import annotations

import html.parser
from typing import Any

import pytest

from suo.antiblock import AccessPolicy, Platform, Rule, When
from suo.antiblock.policy import Action
from suo.decision import DecisionKind
from suo.shortener import Shortener

WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN")  # fmt: skip
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")  # fmt: skip
FB_PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
HOSTILE = 'https://shop.example.com/sale?q="><script>alert(1)</script><img src=x onerror=alert(2)>'


class _Attrs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture
def shortener(store: Any) -> Shortener:
    return Shortener(store, base_url="https://s.example/")


def test_anti_block_guides_wechat_per_language_and_redirects_desktop(shortener: Shortener) -> None:
    link = shortener.shorten(HOSTILE, alias="sale", policy=AccessPolicy.anti_block())
    zh = shortener.resolve("sale", user_agent=WECHAT, accept_language="zh-CN,zh;q=0.9")
    en = shortener.resolve("sale", user_agent=WECHAT, accept_language="en-US,en;q=0.9,zh;q=0.5")
    for d, words in ((zh, "在Safari中打开"), (en, "Open in Safari")):
        assert d.kind is DecisionKind.GUIDE
        assert d.status == 200
        assert d.body is not None
        assert words in d.body
        assert "<script>alert" not in d.body
        assert "<img" not in d.body
        parser = _Attrs()
        parser.feed(d.body)
        assert [a["value"] for t, a in parser.tags if t == "input"] == [link.target]
        assert not any(k.startswith("on") for _, a in parser.tags for k in a)
    desktop = shortener.resolve("sale", user_agent=CHROME)
    assert desktop.kind is DecisionKind.REDIRECT
    assert desktop.location == link.target
    stats = shortener.stats("sale")
    assert stats.clicks == 1  # the guide pages did not count as clicks


def test_only_wechat_denies_a_browser_and_redirects_wechat(shortener: Shortener) -> None:
    shortener.shorten(
        "https://club.example.com/", alias="club", policy=AccessPolicy.only(Platform.WECHAT)
    )
    denied = shortener.resolve("club", user_agent=CHROME, accept_language="en")
    assert denied.kind is DecisionKind.DENY
    assert denied.status == 403
    assert denied.body is not None
    assert "Not available here" in denied.body
    ok = shortener.resolve("club", user_agent=WECHAT)
    assert ok.kind is DecisionKind.REDIRECT
    assert ok.location == "https://club.example.com/"


def test_explain_returns_the_trace(shortener: Shortener) -> None:
    policy = AccessPolicy(
        "app",
        (
            Rule(When(platforms={Platform.WECHAT}), Action.GUIDE, name="wechat"),
            Rule(When(mobile=False), Action.ELSEWHERE, location="https://desktop.example.com/"),
        ),
    )
    shortener.shorten("https://app.example.com/", alias="download", policy=policy)
    d = shortener.explain("download", user_agent=CHROME)
    assert d.location == "https://desktop.example.com/"
    assert d.trace == (
        "rule 1 'wechat' [platform in wechat]: no (platform is browser)",
        "rule 2 [desktop]: yes -> elsewhere",
    )
    assert shortener.stats("download").visits == 0  # explain records nothing


def test_policies_survive_every_backend(shortener: Shortener) -> None:
    policy = AccessPolicy.anti_block(try_browser=True).with_rule(
        Rule(When(bot=True, preview=False), Action.DENY, name="crawlers"), first=True
    )
    shortener.shorten("https://a.example/", alias="p", policy=policy)
    shortener._forget("p")  # read it back from the store, not the cache
    assert shortener.get("p").policy == policy


def test_preview_fetchers_never_use_up_a_cap(shortener: Shortener) -> None:
    shortener.shorten(
        "https://a.example/", alias="cap", max_clicks=1, policy=AccessPolicy.anti_block()
    )
    for _ in range(3):
        assert shortener.resolve("cap", user_agent=FB_PREVIEW).kind is DecisionKind.REDIRECT
    assert shortener.resolve("cap", user_agent=CHROME).kind is DecisionKind.REDIRECT
    assert shortener.resolve("cap", user_agent=CHROME).kind is DecisionKind.EXHAUSTED
