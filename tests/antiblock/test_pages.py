"""Guide, deny, preview and status pages: structure, languages, escaping, overrides."""

from __future__ import annotations

import html.parser
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suo.antiblock import OS, Client, Pages, Platform, detect
from suo.antiblock.lang import parse_accept_language, pick_language
from suo.antiblock.pages import (
    deny_page,
    guide_page,
    intent_url,
    js_string,
    preview_page,
    status_page,
)
from suo.errors import InvalidInput
from suo.shortener.model import Link

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "xss_polyglots.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line and not line.startswith("# Source:")
]
WECHAT_IOS = Client(Platform.WECHAT, OS.IOS, is_mobile=True)
WECHAT_ANDROID = Client(Platform.WECHAT, OS.ANDROID, is_mobile=True)
QQ_ANDROID = Client(Platform.QQ, OS.ANDROID, is_mobile=True)
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "div", "h1", "p", "ol", "li",
                "b", "input", "button", "script", "a"}  # fmt: skip


class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    p.close()
    return p


def assert_safe_page(page: str) -> _Collect:
    assert len(page.encode("utf-8")) <= 16 * 1024
    doc = parse(page)
    names = {t for t, _ in doc.tags}
    assert names <= ALLOWED_TAGS, names - ALLOWED_TAGS
    for tag, attrs in doc.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert "src" not in attrs
        assert tag != "link"
    assert ("meta", {"name": "robots", "content": "noindex,nofollow"}) in doc.tags
    assert any(t == "meta" and a.get("name") == "viewport" for t, a in doc.tags)
    csp = [a["content"] for t, a in doc.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp
    assert "default-src 'none'" in (csp[0] or "")
    assert len(doc.scripts) <= 1
    return doc


def js_target(doc: _Collect) -> str:
    m = re.match(r"var U=(\"(?:[^\"\\]|\\.)*\"),", doc.scripts[0])
    assert m, doc.scripts[0][:80]
    value = json.loads(m.group(1))
    assert isinstance(value, str)
    return value


def test_wechat_ios_guide_in_chinese() -> None:
    page = guide_page(WECHAT_IOS, "https://shop.example.com/sale", lang="zh")
    doc = assert_safe_page(page)
    text = "".join(doc.text)
    assert "在Safari中打开" in text
    assert "···" in text
    assert "shop.example.com" in text
    assert '<html lang="zh-CN">' in page
    assert js_target(doc) == "https://shop.example.com/sale"


def test_wechat_android_guide_in_english() -> None:
    text = "".join(
        assert_safe_page(guide_page(WECHAT_ANDROID, "https://a.example/", lang="en")).text
    )
    assert "Open in Browser" in text
    assert "WeChat" in text
    assert "Copy link" in text


@pytest.mark.parametrize("platform", sorted(Platform, key=lambda p: p.value))
@pytest.mark.parametrize("os_", [OS.IOS, OS.ANDROID, OS.HARMONYOS, OS.WINDOWS])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_platform_os_and_language_gets_a_safe_guide(
    platform: Platform, os_: OS, lang: str
) -> None:
    client = Client(platform, os_, is_mobile=os_ is not OS.WINDOWS)
    doc = assert_safe_page(guide_page(client, "https://x.example/p?q=1", lang=lang))
    assert len(doc.tags) > 10
    assert "x.example" in "".join(doc.text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_targets_are_only_echoed_escaped(payload: str) -> None:
    for target in (
        f"https://evil.example/?q={payload}",
        payload,
        f"https://evil.example/{payload}#{payload}",
    ):
        page = guide_page(WECHAT_IOS, target, lang="zh")
        doc = assert_safe_page(page)
        assert js_target(doc) == target
        # the copy box carries the exact URL, as an attribute value
        assert [a["value"] for t, a in doc.tags if t == "input"] == [target]
        assert "</script" not in doc.scripts[0].lower()
        assert "\u2028" not in doc.scripts[0]
        assert "\u2029" not in doc.scripts[0]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_titles_in_preview_pages_are_escaped(payload: str) -> None:
    link = Link(code="x", target="https://evil.example/", created_at=datetime(2026, 1, 1, tzinfo=UTC),
                title=payload, description=payload)  # fmt: skip
    doc = assert_safe_page(preview_page(link, lang="en"))
    og = {
        a.get("property"): a.get("content")
        for t, a in doc.tags
        if t == "meta" and a.get("property")
    }
    assert og["og:title"] == payload
    assert og["og:description"] == payload
    assert doc.scripts == []


@given(st.text(max_size=200))
def test_js_string_round_trips_and_never_closes_script(value: str) -> None:
    literal = js_string(value)
    assert json.loads(literal) == value
    assert "<" not in literal
    assert ">" not in literal
    assert "&" not in literal
    assert "\u2028" not in literal
    assert "\u2029" not in literal


def test_try_browser_adds_an_android_intent_only_where_allowed() -> None:
    target = "https://shop.example.com/a?b=1"
    page = guide_page(QQ_ANDROID, target, lang="en", try_browser=True)
    doc = assert_safe_page(page)
    assert intent_url(target) is not None
    assert json.dumps(intent_url(target)).replace("&", "\\u0026") in doc.scripts[0]
    # WeChat refuses intent: hand-offs, iOS has none: the plain guide is served
    for client in (WECHAT_ANDROID, Client(Platform.QQ, OS.IOS, is_mobile=True)):
        assert "intent://" not in guide_page(client, target, lang="en", try_browser=True)
    assert "intent://" not in guide_page(QQ_ANDROID, target, lang="en")
    assert intent_url("ftp://x.example/") is None


def test_deny_and_status_pages() -> None:
    assert "无法在此访问" in "".join(assert_safe_page(deny_page(WECHAT_IOS, lang="zh")).text)
    for kind, words in (
        ("not_found", "not found"),
        ("expired", "expired"),
        ("exhausted", "visit limit"),
    ):
        assert words in "".join(assert_safe_page(status_page(kind, lang="en")).text).lower()
    with pytest.raises(InvalidInput, match="not_found, expired or exhausted"):
        status_page("gone", lang="en")
    with pytest.raises(InvalidInput, match="'zh' or 'en'"):
        deny_page(WECHAT_IOS, lang="fr")


def test_pages_can_be_overridden_by_subclassing() -> None:
    class Branded(Pages):
        def steps(self, client: Client, lang: str) -> list[str]:
            return ["<b>Ask our staff</b>"]

    page = Branded().guide(WECHAT_IOS, "https://a.example/", lang="en")
    assert "Ask our staff" in page
    assert "Open in Safari" not in page
    assert_safe_page(page)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR, zh-TW;q=0.8, en;q=0.5", "zh"),
        ("zh;q=0.1, en;q=0.9", "en"),
        ("zh;q=0, en", "en"),
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        ("garbage;;;q=x, zh-Hant", "zh"),
        ("en;q=1.5, zh", "zh"),
    ],
)
def test_pick_language_reads_q_values(header: str | None, lang: str) -> None:
    assert pick_language(header) == lang


@given(st.text(max_size=120))
def test_accept_language_parser_is_total_and_sorted(header: str) -> None:
    ranges = parse_accept_language(header)
    qs = [q for _, q in ranges]
    assert qs == sorted(qs, reverse=True)
    assert all(0 < q <= 1 for q in qs)
    assert pick_language(header) in ("zh", "en")


def test_real_wechat_ua_gets_wechat_instructions() -> None:
    ua = ("Mozilla/5.0 (Linux; Android 13; V2232A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, "
          "like Gecko) Version/4.0 Chrome/109.0 Mobile Safari/537.36 MicroMessenger/8.0.44 NetType/WIFI")  # fmt: skip
    assert "在浏览器打开" in guide_page(detect(ua), "https://a.example/", lang="zh")
