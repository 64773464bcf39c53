"""The shared responder: Decision -> response, the page CSP, header hygiene."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import suo
from suo.antiblock.pages import status_page
from suo.decision import Decision, DecisionKind
from suo.web import Request, Responder
from suo.web.core import CODE_PATTERN, NO_STORE, page_csp


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def directive(csp: str, name: str) -> str:
    for part in csp.split("; "):
        if part.startswith(name + " "):
            return part[len(name) + 1 :]
    raise AssertionError(f"{name} missing from {csp!r}")


def test_csp_lists_the_hash_of_each_inline_script_and_style() -> None:
    body = (
        "<!doctype html><style>b{color:red}</style><p>x</p>"
        "<script>var a = '</div>';</script><script src='x.js'></script>"
        "<style>\ni{}\n</style>"
    )
    csp = page_csp(body)
    assert directive(csp, "script-src") == sha("var a = '</div>';")
    assert directive(csp, "style-src").split() == sorted([sha("b{color:red}"), sha("\ni{}\n")])
    assert directive(csp, "default-src") == "'none'"
    assert "'unsafe-inline'" not in csp


def test_csp_without_inline_code_allows_none() -> None:
    csp = page_csp("<p>plain</p>")
    assert directive(csp, "script-src") == "'none'"
    assert directive(csp, "style-src") == "'none'"


def test_csp_attributes_use_unsafe_hashes() -> None:
    csp = page_csp('<p style="color:red" onclick="go()">x</p>')
    assert directive(csp, "style-src").split() == ["'unsafe-hashes'", sha("color:red")]
    assert directive(csp, "script-src").split() == ["'unsafe-hashes'", sha("go()")]


def test_csp_hashes_what_the_browser_parses_after_newline_normalisation() -> None:
    assert directive(page_csp("<script>a\r\nb\rc</script>"), "script-src") == sha("a\nb\nc")


def test_csp_attribute_entities_are_decoded_like_a_browser() -> None:
    csp = page_csp('<p style="content:&quot;x&quot;">x</p>')
    assert sha('content:"x"') in directive(csp, "style-src")


@given(
    st.text(
        alphabet=st.characters(blacklist_characters="<\r\x00", blacklist_categories=["Cs"]),
        max_size=80,
    )
)
def test_csp_allows_any_inline_script_it_was_built_for(code: str) -> None:
    csp = page_csp(f"<html><script>{code}</script></html>")
    assert directive(csp, "script-src") == sha(code)


def test_status_pages_are_self_contained_and_translated() -> None:
    for kind in (DecisionKind.NOT_FOUND, DecisionKind.EXPIRED, DecisionKind.EXHAUSTED):
        zh, en = status_page(kind.value, lang="zh"), status_page(kind.value, lang="en")
        assert zh != en
        for page in (zh, en):
            assert "noindex" in page
            assert "http://" not in page
            assert "https://" not in page
            assert "<script src" not in page


def test_status_pages_differ_by_kind() -> None:
    pages = {
        status_page(k.value, lang="en") for k in (DecisionKind.NOT_FOUND, DecisionKind.EXPIRED)
    }
    assert len(pages) == 2


def test_respond_merges_decision_headers_but_never_a_split_header() -> None:
    r = Responder(suo.Shortener("memory://"))
    d = Decision(
        DecisionKind.PAGE,
        body="<p>landing</p>",
        headers={
            "X-Extra": "1",
            "X-Evil": "a\r\nSet-Cookie: s=1",
            "X-Robots-Tag": "noindex, nofollow",
        },
    )
    resp = r.respond(d, accept_language="en")
    assert resp.header("X-Extra") == "1"
    assert resp.header("X-Robots-Tag") == "noindex, nofollow"
    assert resp.header("X-Evil") is None
    assert resp.header("Set-Cookie") is None
    assert resp.body == b"<p>landing</p>"


def test_a_decision_cannot_make_a_page_cacheable() -> None:
    r = Responder(suo.Shortener("memory://"))
    headers = {"Cache-Control": "public, max-age=3600", "Vary": "*", "Content-Length": "1"}
    for d in (
        Decision(DecisionKind.PAGE, body="<p>x</p>", headers=headers),
        Decision(DecisionKind.REDIRECT, location="https://example.com/", headers=headers),
    ):
        resp = r.respond(d)
        assert [v for k, v in resp.headers if k == "Cache-Control"] == [NO_STORE]
        assert resp.header("Vary") == "User-Agent, Accept-Language"
        assert resp.header("Content-Length") == str(len(resp.body))


def test_a_decision_csp_is_sent_beside_the_adapters() -> None:
    r = Responder(suo.Shortener("memory://"))
    theirs = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    body = "<style>p{}</style><p>x</p>"
    resp = r.respond(
        Decision(DecisionKind.PAGE, body=body, headers={"Content-Security-Policy": theirs})
    )
    assert [v for k, v in resp.headers if k == "Content-Security-Policy"] == [
        page_csp(body),
        theirs,
    ]


def test_location_is_always_ascii() -> None:
    r = Responder(suo.Shortener("memory://"))
    d = Decision(DecisionKind.REDIRECT, location="https://xn--r8jz45g.jp/ü?q=ä b")
    loc = r.respond(d).header("Location")
    assert loc is not None
    assert loc.isascii()
    assert loc == "https://xn--r8jz45g.jp/%C3%BC?q=%C3%A4%20b"


def test_respond_page_kind_without_body_falls_back_to_status_page() -> None:
    r = Responder(suo.Shortener("memory://"))
    resp = r.respond(Decision(DecisionKind.EXPIRED), accept_language="zh-CN")
    assert resp.status == 410
    assert resp.header("Content-Language") == "zh-CN"
    assert resp.body.decode() == status_page("expired", lang="zh")


def test_response_reason_phrases() -> None:
    r = Responder(suo.Shortener("memory://"))
    assert r.handle(Request("GET", "/nope")).reason == "Not Found"
    assert r.handle(Request("PATCH", "/nope")).reason == "Method Not Allowed"


def test_client_ip_uses_the_trusted_proxies() -> None:
    r = Responder(suo.Shortener("memory://"), trusted_proxies=["127.0.0.1"])
    req = Request("GET", "/x", forwarded_for="6.6.6.6, 203.0.113.9", peer="127.0.0.1")
    assert r.client_ip(req) == "203.0.113.9"


def test_referrer_policy_is_configurable() -> None:
    s = suo.Shortener("memory://")
    s.shorten("https://example.com/", alias="x")
    resp = Responder(s, referrer_policy="no-referrer").handle(Request("GET", "/x"))
    assert resp.header("Referrer-Policy") == "no-referrer"


@pytest.mark.parametrize("code", ["abc", "A", "a-b_c", "Z" * 64, "0aZ9"])
def test_code_pattern_accepts_codes(code: str) -> None:
    assert CODE_PATTERN.fullmatch(code)


@pytest.mark.parametrize("path", ["-ab", "_ab", "a.b", "a/b", "Z" * 65, "", "你好", "a\x00"])
def test_code_pattern_rejects_junk(path: str) -> None:
    assert not CODE_PATTERN.fullmatch(path)


def test_junk_paths_never_reach_the_store() -> None:
    from suo.storage.memory import MemoryStore

    class Counting(MemoryStore):
        lookups = 0

        def get_link(self, code: str) -> object:
            Counting.lookups += 1
            return super().get_link(code)

    r = Responder(suo.Shortener(Counting(), cache_ttl=0))
    for path in ("/wp-login.php", "/a/b", "/", "/x\x00", "/.env", "/favicon.ico"):
        assert r.handle(Request("GET", path)).status == 404
    assert Counting.lookups == 0
    r.handle(Request("GET", "/real-code"))
    assert Counting.lookups == 1


def test_a_page_with_a_lone_surrogate_is_sent_and_hashed_as_replaced() -> None:
    r = Responder(suo.Shortener("memory://"))
    resp = r.respond(Decision(DecisionKind.PAGE, body="<script>a\ud800</script>"))
    assert resp.body == b"<script>a?</script>"
    assert directive(resp.header("Content-Security-Policy") or "", "script-src") == sha("a?")


_SHORTENER = suo.Shortener("memory://")
_SHORTENER.shorten("https://example.com/", alias="known")
_RESPONDER = Responder(_SHORTENER, trusted_proxies=["10.0.0.0/8"])


@given(
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "OPTIONS", "TRACE", "get", "BREW"]),
    path=st.one_of(
        st.just("/known"),
        st.text(max_size=80).map(lambda t: "/" + t),
        st.text(max_size=80),
        st.from_regex(r"/[A-Za-z0-9_-]{1,70}(\.(png|svg|gif))?", fullmatch=True),
    ),
    user_agent=st.text(max_size=200),
    accept_language=st.one_of(st.none(), st.text(max_size=40)),
    forwarded_for=st.one_of(st.none(), st.text(max_size=60)),
    peer=st.one_of(st.none(), st.ip_addresses().map(str), st.text(max_size=20)),
    referrer=st.one_of(st.none(), st.text(max_size=60), st.just("http://[::1")),
    query=st.one_of(st.none(), st.text(max_size=60), st.just("utm_source=%FF&utm_source=x")),
)
def test_every_request_gets_a_safe_answer(
    method: str,
    path: str,
    user_agent: str,
    accept_language: str | None,
    forwarded_for: str | None,
    peer: str | None,
    referrer: str | None,
    query: str | None,
) -> None:
    """Whatever arrives, the answer is well-formed, nosniff, and never cacheable if counted."""
    req = Request(method, path, user_agent, accept_language, forwarded_for, peer, referrer, query)
    resp = _RESPONDER.handle(req)
    assert resp.status in {200, 302, 403, 404, 405, 410, 501}
    if method not in ("GET", "HEAD"):  # methods are case-sensitive: "get" is not served
        assert resp.status in {405, 501}
    assert resp.header("X-Content-Type-Options") == "nosniff"
    if resp.status != 200 or resp.header("Content-Type") not in ("image/png", "image/svg+xml"):
        assert "no-store" in (resp.header("Cache-Control") or "")
    if req.method == "HEAD":
        assert resp.body == b""
    else:
        assert resp.header("Content-Length") == str(len(resp.body))
    for name, value in resp.headers:
        assert name.isascii()
        assert value.isascii()
        assert "\r" not in value
        assert "\n" not in value
        value.encode("latin-1")  # WSGI and ASGI both need latin-1 headers


def test_decision_headers_outside_latin1_are_dropped_not_fatal() -> None:
    from suo.web.core import _merge

    merged = _merge([("X-A", "1")], {"X-Title": "活码", "X-Ok": "yes", "X-名": "v"})
    assert ("X-Ok", "yes") in merged
    assert all(name != "X-Title" and name != "X-名" for name, _ in merged)
