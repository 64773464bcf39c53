"""URL safety invariants, checked with hypothesis."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from suo.errors import InvalidURL
from suo.shortener.urls import MAX_URL_LENGTH, Reason, URLPolicy, inspect_url, normalize_url

# -- strategies ----------------------------------------------------------------

_label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_cjk_label = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=4
)
_host = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(st.one_of(_label, _cjk_label), min_size=1, max_size=3),
    st.sampled_from(["com", "cn", "net", "org", "中国", "xn--fiqs8s", "co.uk", "io"]),
)
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="#?"),
    max_size=20,
)
_path = st.lists(_text.map(lambda t: t.replace("/", "")), max_size=4).map(
    lambda parts: "/" + "/".join(parts)
)
_query = st.one_of(st.just(""), _text.map(lambda t: "?" + t))
_fragment = st.one_of(st.just(""), _text.map(lambda t: "#" + t))
_port = st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}"))
_scheme = st.sampled_from(["http", "https", "HTTP", "Https"])

urls = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}{path}{query}{frag}",
    _scheme,
    _host,
    _port,
    _path,
    _query,
    _fragment,
)

# what browsers strip or skip before a scheme, and what they drop inside it
_junk = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(0x21)] + ["\x7f", "\u200b", "\ufeff"]),
    max_size=6,
)
_dangerous = st.sampled_from(["javascript", "vbscript", "data", "file", "blob", "about"])


def _case_and_gaps(word: str, draw_bits: list[bool], gaps: list[str]) -> str:
    out = []
    for i, ch in enumerate(word):
        out.append(ch.upper() if draw_bits[i % len(draw_bits)] else ch)
        out.append(gaps[i % len(gaps)])
    return "".join(out)


@st.composite
def disguised_schemes(draw: st.DrawFn) -> str:
    word = draw(_dangerous)
    bits = draw(st.lists(st.booleans(), min_size=1, max_size=len(word)))
    gaps = draw(
        st.lists(st.sampled_from(["", "", "", "\t", "\n", "\r"]), min_size=1, max_size=len(word))
    )
    colon = draw(st.sampled_from([":", ":", "&colon;", "&#58;", "&#x3a;", "%3A", "%3a"]))
    body = draw(
        st.sampled_from(["alert(1)", "//%0Aalert(1)", "text/html,<script>alert(1)</script>", "x"])
    )
    return draw(_junk) + _case_and_gaps(word, bits, gaps) + colon + body


# -- properties -------------------------------------------------------------------


def _assert_safe_output(out: str) -> None:
    assert out.startswith(("http://", "https://"))
    host = re.match(r"https?://([^/?#]*)", out)
    assert host is not None
    assert host.group(1)
    assert "@" not in host.group(1)
    assert out.isascii()
    assert not re.search(r"[\x00-\x20\x7f\\]", out)
    assert len(out) <= MAX_URL_LENGTH


@given(urls)
@example("https://mp.weixin.qq.com/s?__biz=MzA3MjM1MDY4Mg==&mid=1&idx=1#wechat_redirect")
@example("https://example.com/a/../%2e%2e/./b?x=中文#片段")
def test_normalisation_is_idempotent(url: str) -> None:
    check = inspect_url(url)
    if check.ok:
        assert check.url is not None
        _assert_safe_output(check.url)
        assert normalize_url(check.url) == check.url
        assert normalize_url(normalize_url(url)) == normalize_url(url)
    else:
        assert check.problems
        # generated hosts are public names; the only refusals are about the parts
        assert set(check.reasons) <= {
            Reason.INVISIBLE_CHARACTER,
            Reason.CONTROL_CHARACTER,
            Reason.BACKSLASH,
            Reason.BAD_PORT,
            Reason.ENCODED_CONTROL,
            Reason.TOO_LONG,
            Reason.HOST_SYNTAX,
        }


@given(st.text(max_size=200))
@example("https://\u0000y")
@example("http://[::1]:0/")
@example("\\\\evil.com")
def test_any_text_is_refused_cleanly_or_comes_out_safe(text: str) -> None:
    check = inspect_url(text)
    if not check.ok:
        assert check.problems[0].message
        with pytest.raises(InvalidURL):
            normalize_url(text)
        return
    assert check.url is not None
    _assert_safe_output(check.url)
    assert normalize_url(check.url) == check.url


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_anything_after_an_https_prefix_is_refused_cleanly_or_safe(tail: str) -> None:
    for prefix in ("https://example.com/", "https://", "http://example.com", "https:"):
        try:
            out = normalize_url(prefix + tail)
        except InvalidURL:
            continue
        _assert_safe_output(out)
        assert normalize_url(out) == out


@given(disguised_schemes())
@example("\x00\x1f javascript:alert(1)")
@example("JaVa\tScRiPt&colon;alert(1)")
def test_disguised_dangerous_schemes_never_pass(url: str) -> None:
    check = inspect_url(url, policy=URLPolicy(allow_private_hosts=True, allow_mixed_script=True))
    assert not check.ok
    assert check.reasons[0] in {Reason.DANGEROUS_SCHEME, Reason.NOT_ABSOLUTE}


@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text()), st.floats()))
def test_non_strings_raise_invalid_url(value: object) -> None:
    with pytest.raises(InvalidURL, match="must be a str"):
        normalize_url(value)  # type: ignore[arg-type]


@given(_host, st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.:_-", min_size=1, max_size=15))
def test_userinfo_is_always_refused(host: str, user: str) -> None:
    check = inspect_url(f"https://{user}@{host}/")
    assert not check.ok
    assert Reason.CREDENTIALS in check.reasons


@given(st.integers(0, 2**32 - 1), st.sampled_from(["int", "hex", "octal", "short"]))
def test_odd_ipv4_spellings_are_refused(n: int, form: str) -> None:
    a, b, c, d = n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255
    spelled = {
        "int": str(n),
        "hex": ".".join(hex(x) for x in (a, b, c, d)),
        "octal": ".".join("0" + oct(x)[2:] for x in (a, b, c, d)),
        "short": f"{a}.{(b << 16) | (c << 8) | d}",
    }[form]
    check = inspect_url(f"http://{spelled}/", policy=URLPolicy(allow_private_hosts=True))
    canonical = f"{a}.{b}.{c}.{d}"
    if spelled == canonical:  # pragma: no cover - only for tiny values
        assert check.ok
    else:
        assert check.reasons == (Reason.OBFUSCATED_IP,)
        assert canonical in check.problems[0].message


# -- the fast path gives the full path's verdict ------------------------------------

_POLICIES = st.builds(
    URLPolicy,
    allow_private_hosts=st.booleans(),
    denied_hosts=st.sampled_from([(), ("example.com",), ("home.arpa", "evil.example")]),
    allowed_hosts=st.sampled_from([(), ("example.com", "qq.com")]),
)
_tricky_hosts = st.sampled_from(
    ["localhost", "a.localhost", "home.arpa", "x.home.arpa", "myhome.arpa", "printer.local", "db.internal",
     "example.com", "a.example.com", "mp.weixin.qq.com", "exa_mple.com", "a-b.co", "x.y.z.example.", "myhome.arpa", "10.0.0.1.nip.io", "a.lvh.me",
     "UPPER.Example.COM", "a" * 63 + ".com", ("a" * 60 + ".") * 4 + "com"]
)  # fmt: skip


@given(
    st.one_of(
        urls,
        st.builds(
            lambda h, p, rest: f"https://{h}{p}{rest}", _tricky_hosts, _port, st.text(max_size=30)
        ),
        st.text(max_size=80),
    ),
    _POLICIES,
)
@example("https://home.arpa/", URLPolicy())
@example("https://myhome.arpa/", URLPolicy())
@example("http://127.0.0.1.nip.io/", URLPolicy())
@example("https://evil.example#@example.com", URLPolicy())
@example("https://example.com:0/%0d%0a", URLPolicy())
def test_fast_path_agrees_with_the_full_rules(url: str, policy: URLPolicy) -> None:
    from suo.shortener.urls import _judge, _judge_full

    assert _judge(url, policy) == _judge_full(url, policy)
