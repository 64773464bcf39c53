"""URL safety: each rule, its message, and the policy options."""

from __future__ import annotations

import pytest

from suo.errors import InvalidURL, SuoError
from suo.shortener import urls as urls_mod
from suo.shortener.urls import (
    DEFAULT_POLICY,
    MAX_URL_LENGTH,
    Reason,
    URLCheck,
    URLPolicy,
    inspect_url,
    normalize_url,
)


def reasons(url: object, **policy: object) -> tuple[Reason, ...]:
    return inspect_url(url, policy=URLPolicy(**policy)).reasons  # type: ignore[arg-type]


# -- accepted and normalised ------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/a b", "https://example.com/a%20b"),
        ("https://example.com", "https://example.com/"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:443/?q=1#top", "https://example.com/?q=1#top"),
        ("https://example.com:8443/", "https://example.com:8443/"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("  https://example.com/  ", "https://example.com/"),
        ("https://例子.测试/路径", "https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84"),
        ("https://中文.中国/", "https://xn--fiq228c.xn--fiqs8s/"),
        ("https://www.foo。bar.com/", "https://www.foo.bar.com/"),
        ("https://bücher.de/", "https://xn--bcher-kva.de/"),
        ("https://example.com/?q=中文", "https://example.com/?q=%E4%B8%AD%E6%96%87"),
        ("https://example.com/?t=a%0Ab", "https://example.com/?t=a%0Ab"),
        ("https://8.8.8.8/", "https://8.8.8.8/"),
        ("https://[2606:4700:4700::1111]/", "https://[2606:4700:4700::1111]/"),
        ("https://example.com./", "https://example.com./"),
    ],
)
def test_accepted_urls_are_normalised_like_a_browser(url: str, expected: str) -> None:
    assert normalize_url(url) == expected
    check = inspect_url(url)
    assert check.ok
    assert check.url == expected
    assert check.problems == ()


def test_invalid_url_is_a_suo_error_and_a_value_error() -> None:
    with pytest.raises(InvalidURL) as info:
        normalize_url("javascript:alert(1)")
    assert isinstance(info.value, SuoError)
    assert isinstance(info.value, ValueError)


# -- each refusal, with a message a person can act on -------------------------


@pytest.mark.parametrize(
    ("url", "reason", "advice"),
    [
        ("javascript:alert(1)", Reason.DANGEROUS_SCHEME, "http:// or https://"),
        ("JaVaScRiPt:alert(1)", Reason.DANGEROUS_SCHEME, "never allowed"),
        ("vbscript:msgbox(1)", Reason.DANGEROUS_SCHEME, "https://"),
        ("data:text/html,<script>alert(1)</script>", Reason.DANGEROUS_SCHEME, "https://"),
        ("file:///etc/passwd", Reason.DANGEROUS_SCHEME, "https://"),
        ("blob:https://example.com/uuid", Reason.DANGEROUS_SCHEME, "https://"),
        ("about:blank", Reason.DANGEROUS_SCHEME, "https://"),
        ("javascript&colon;alert(1)", Reason.DANGEROUS_SCHEME, "disguised"),
        ("&#106;avascript:alert(1)", Reason.DANGEROUS_SCHEME, "disguised"),
        ("&#x6A;avascript:alert(1)", Reason.DANGEROUS_SCHEME, "disguised"),
        ("%6Aavascript:alert(1)", Reason.DANGEROUS_SCHEME, "disguised"),
        ("javascript%3Aalert(1)", Reason.DANGEROUS_SCHEME, "disguised"),
        ("java\tscript:alert(1)", Reason.DANGEROUS_SCHEME, "never allowed"),
        ("\x01\x02 javascript:alert(1)", Reason.DANGEROUS_SCHEME, "https://"),
        ("ftp://example.com/file", Reason.UNSUPPORTED_SCHEME, "https://"),
        ("weixin://dl/business/?t=abc", Reason.UNSUPPORTED_SCHEME, "https:// web page"),
        ("mailto:someone@example.com", Reason.UNSUPPORTED_SCHEME, "https://"),
        ("//evil.example/", Reason.NOT_ABSOLUTE, "starting with https://"),
        ("example.com/page", Reason.NOT_ABSOLUTE, "starting with https://"),
        ("/relative/path", Reason.NOT_ABSOLUTE, "https://"),
        ("https:evil.example", Reason.MISSING_SLASHES, "'https://host/path'"),
        ("https:/evil.example", Reason.MISSING_SLASHES, "'https://host/path'"),
        ("https:///evil.example", Reason.MISSING_SLASHES, "'https://host/path'"),
        ("https:\\\\evil.example", Reason.BACKSLASH, "Use '/'"),
        ("https:/\\evil.example", Reason.BACKSLASH, "%5C"),
        ("https://example.com\\@evil.example/", Reason.BACKSLASH, "%5C"),
        ("https://example.com/a\r\nSet-Cookie: x=1", Reason.CONTROL_CHARACTER, "CARRIAGE RETURN"),
        ("https://example.com/\x00", Reason.CONTROL_CHARACTER, "NULL"),
        ("https://example.com/\n", Reason.CONTROL_CHARACTER, "LINE FEED"),
        ("https://exam\tple.com/", Reason.CONTROL_CHARACTER, "Remove it"),
        ("https://example.com/\u202egnp.exe", Reason.INVISIBLE_CHARACTER, "RIGHT-TO-LEFT OVERRIDE"),
        ("https://goo\u200bgle.com/", Reason.INVISIBLE_CHARACTER, "remove it"),
        ("https://good.example@evil.example/", Reason.CREDENTIALS, "Remove the part"),
        ("https://user:pass@example.com/", Reason.CREDENTIALS, "'@'"),
        ("https://@example.com/", Reason.CREDENTIALS, "'@'"),
        ("http://%65vil.example/", Reason.ENCODED_HOST, "plain letters"),
        ("http://0x7f.1/", Reason.OBFUSCATED_IP, "127.0.0.1"),
        ("http://2130706433/", Reason.OBFUSCATED_IP, "write it as 127.0.0.1"),
        ("http://0x08.0x08.0x08.0x08/", Reason.OBFUSCATED_IP, "8.8.8.8"),
        ("http://010.010.010.010/", Reason.OBFUSCATED_IP, "8.8.8.8"),
        ("http://[::8.8.8.8]/", Reason.OBFUSCATED_IP, "[::808:808]"),
        ("http://127.0.0.1/", Reason.PRIVATE_HOST, "allow_private_hosts=True"),
        ("http://169.254.169.254/latest/meta-data/", Reason.PRIVATE_HOST, "public host"),
        ("http://10.0.0.1/", Reason.PRIVATE_HOST, "public"),
        ("http://192.168.1.1/", Reason.PRIVATE_HOST, "public"),
        ("http://[::1]/", Reason.PRIVATE_HOST, "public"),
        ("http://[::ffff:127.0.0.1]/", Reason.PRIVATE_HOST, "public"),
        ("http://[fe80::1]/", Reason.PRIVATE_HOST, "public"),
        ("http://224.0.0.1/", Reason.PRIVATE_HOST, "public"),
        ("http://localhost:8000/", Reason.PRIVATE_HOST, "local-only"),
        ("http://app.localhost/", Reason.PRIVATE_HOST, "local-only"),
        ("http://printer.local/", Reason.PRIVATE_HOST, "local-only"),
        ("http://db.internal/", Reason.PRIVATE_HOST, "local-only"),
        ("http://intranet/", Reason.PRIVATE_HOST, "single-label"),
        ("https://example.com:0/", Reason.BAD_PORT, "real port"),
        ("https://example.com:25/", Reason.BAD_PORT, "blocked"),
        ("https://example.com:6667/", Reason.BAD_PORT, "web port"),
        ("https://example.com/%0d%0aSet-Cookie:%20x=1", Reason.ENCODED_CONTROL, "header injection"),
        ("https://example.com/a%00.jpg", Reason.ENCODED_CONTROL, "remove it"),
        ("https://example.com/?a=%0D%0ASet-Cookie", Reason.ENCODED_CONTROL, "%0A"),
        ("https://a..example.com/", Reason.HOST_SYNTAX, "empty label"),
        ("https://exa_mple!.com/", Reason.HOST_SYNTAX, "DNS name"),
        ("https://example.1a/", Reason.HOST_SYNTAX, "top-level domain"),
        ("https://example.123/", Reason.MALFORMED, "not a valid host"),
        ("https://" + "a" * 64 + ".com/", Reason.HOST_SYNTAX, "63 per label"),
        ("https://xn--pokxncvks.com/", Reason.INVALID_IDN, "spelling"),
        ("https://xn--.com/", Reason.INVALID_IDN, "spelling"),
        ("https://аpple.com/", Reason.MIXED_SCRIPT, "allow_mixed_script=True"),
        ("https://аррӏе.com/", Reason.MIXED_SCRIPT, "look like Latin"),
        ("https://evil.com\u2215example.com/", Reason.LOOKALIKE_CHARACTER, "looks like '/'"),
        ("https://pay\u2027example.com/", Reason.LOOKALIKE_CHARACTER, "looks like '.'"),
        ("http://a b.com/", Reason.MALFORMED, "spaces or symbols"),
        ("http://[::1/", Reason.MALFORMED, "closing ']'"),
        ("http://example.com:99999/", Reason.MALFORMED, "1 to 65535"),
        ("http://example.com:8o8o/", Reason.MALFORMED, "digits"),
        ("http://", Reason.MALFORMED, "no host"),
        ("https://?q", Reason.MALFORMED, "no host"),
        ("", Reason.EMPTY, "https://example.com/page"),
        ("   ", Reason.EMPTY, "https://"),
        (b"https://example.com", Reason.NOT_A_STRING, "as text"),
        (None, Reason.NOT_A_STRING, "as text"),
        ("https://example.com/\ud800", Reason.MALFORMED, "valid Unicode"),
    ],
)
def test_each_refusal_names_the_problem_and_what_to_do(
    url: object, reason: Reason, advice: str
) -> None:
    check = inspect_url(url)
    assert not check.ok
    assert check.url is None
    assert reason in check.reasons
    problem = next(p for p in check.problems if p.reason is reason)
    assert advice in problem.message
    with pytest.raises(InvalidURL) as info:
        normalize_url(url)  # type: ignore[arg-type]
    # the exception carries the first problem's message verbatim
    assert str(info.value) == check.problems[0].message


def test_several_independent_problems_are_all_reported() -> None:
    got = reasons("http://user@0x7f.1:25/")
    assert got[0] is Reason.CREDENTIALS
    got = reasons("http://0x7f.1:25/%0d%0a")
    assert set(got) == {
        Reason.OBFUSCATED_IP,
        Reason.PRIVATE_HOST,
        Reason.BAD_PORT,
        Reason.ENCODED_CONTROL,
    }


def test_dangerous_scheme_is_reported_before_the_characters_that_hid_it() -> None:
    got = reasons("\\x6A\\x61\\x76\\x61\\x73\\x63\\x72\\x69\\x70\\x74\\x3aalert(1)")
    assert got[0] is Reason.DANGEROUS_SCHEME
    assert Reason.BACKSLASH in got


def test_control_characters_before_http_are_refused_even_though_browsers_strip_them() -> None:
    assert reasons("\x00\x1b https://example.com/") == (Reason.CONTROL_CHARACTER,)
    assert reasons("h\tt\ntp://example.com/") == (Reason.CONTROL_CHARACTER,)


def test_text_after_the_authority_may_hold_at_signs_and_schemes() -> None:
    assert normalize_url("https://example.com/@user") == "https://example.com/@user"
    assert (
        normalize_url("https://example.com/?next=javascript:x")
        == "https://example.com/?next=javascript:x"
    )
    assert (
        normalize_url("http://google.com:80/#x@evil.example/")
        == "http://google.com/#x@evil.example/"
    )
    assert reasons("http://google.com:80#@evil.example/") == (Reason.CREDENTIALS,)


# -- length ----------------------------------------------------------------------


def test_length_limit_is_in_utf8_bytes_before_and_after_encoding() -> None:
    base = "https://example.com/?q="
    ok = base + "a" * (MAX_URL_LENGTH - len(base))
    assert normalize_url(ok) == ok
    assert reasons(ok + "a") == (Reason.TOO_LONG,)
    # 3 bytes a character: fine as input but 9 bytes each once percent-encoded
    chinese = base + "中" * 1000
    assert len(chinese.encode()) < MAX_URL_LENGTH
    check = inspect_url(chinese)
    assert check.reasons == (Reason.TOO_LONG,)
    assert "percent-encoded" in check.problems[0].message
    huge = "https://example.com/" + "x" * 1_000_000
    assert reasons(huge) == (Reason.TOO_LONG,)


def test_policy_max_length() -> None:
    assert reasons("https://example.com/" + "a" * 100, max_length=64) == (Reason.TOO_LONG,)
    with pytest.raises(InvalidURL, match="at least 16"):
        URLPolicy(max_length=3)


# -- policy options -------------------------------------------------------------


def test_allow_private_hosts_is_for_intranet_shorteners() -> None:
    intranet = URLPolicy(allow_private_hosts=True)
    assert intranet.normalize("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    assert intranet.normalize("http://wiki/start") == "http://wiki/start"
    assert intranet.normalize("http://[::1]/") == "http://[::1]/"
    assert intranet.normalize("http://printer.local/") == "http://printer.local/"
    # the disguises stay refused whatever the policy
    assert intranet.inspect("http://0x7f.1/").reasons == (Reason.OBFUSCATED_IP,)
    assert intranet.inspect("http://a@127.0.0.1/").reasons == (Reason.CREDENTIALS,)


def test_deny_list_covers_subdomains_and_normalises_entries() -> None:
    policy = URLPolicy(denied_hosts=["Evil.Example.", "例子.测试"])
    assert policy.denied_hosts == frozenset({"evil.example", "xn--fsqu00a.xn--0zwm56d"})
    assert policy.inspect("https://evil.example/").reasons == (Reason.DENIED_HOST,)
    assert policy.inspect("https://a.b.evil.example/").reasons == (Reason.DENIED_HOST,)
    assert policy.inspect("https://例子.测试/").reasons == (Reason.DENIED_HOST,)
    assert policy.inspect("https://notevil.example/").ok
    assert policy.inspect("https://evil.example.com/").ok


def test_allow_list_limits_targets_to_listed_hosts() -> None:
    policy = URLPolicy(allowed_hosts={"example.com", "weixin.qq.com"})
    assert policy.normalize("https://shop.example.com/x") == "https://shop.example.com/x"
    assert policy.normalize("https://mp.weixin.qq.com/s/abc") == "https://mp.weixin.qq.com/s/abc"
    check = policy.inspect("https://example.org/")
    assert check.reasons == (Reason.HOST_NOT_ALLOWED,)
    assert "example.com" in check.problems[0].message
    assert policy.inspect("https://badexample.com/").reasons == (Reason.HOST_NOT_ALLOWED,)


@pytest.mark.parametrize("entry", ["", " . ", 3])
def test_bad_host_list_entries_are_refused(entry: object) -> None:
    with pytest.raises(InvalidURL, match="not a host name"):
        URLPolicy(denied_hosts=[entry])  # type: ignore[list-item]


def test_mixed_script_can_be_allowed() -> None:
    assert URLPolicy(allow_mixed_script=True).inspect("https://аpple.com/").ok
    assert URLPolicy(allow_mixed_script=True).inspect("https://a\u2215b.com/").ok
    # punctuation that belongs to real names stays allowed
    assert inspect_url("https://ドメイン・名例.jp/").ok
    assert inspect_url("https://col·lecció.cat/").ok
    # single-script non-Latin names are never look-alikes
    assert inspect_url("https://пример.рф/").ok
    assert inspect_url("https://москва.com/").ok
    assert inspect_url("https://ドメイン名例.jp/").ok
    assert inspect_url("https://日本語.jp/").ok
    assert inspect_url("https://한국.kr/").ok


def test_strict_idna_refuses_symbol_domains() -> None:
    assert inspect_url("https://☃.example/").ok
    check = inspect_url("https://☃.example/", policy=URLPolicy(strict_idna=True))
    assert check.reasons == (Reason.INVALID_IDN,)
    assert URLPolicy(strict_idna=True).inspect("https://例子.测试/").ok


def test_default_policy_is_used_when_none_is_given() -> None:
    assert URLPolicy() == DEFAULT_POLICY
    assert (
        inspect_url("http://localhost/").reasons
        == DEFAULT_POLICY.inspect("http://localhost/").reasons
    )


def test_url_check_is_a_value() -> None:
    a = inspect_url("https://example.com/")
    b = inspect_url("https://example.com/")
    assert a == b
    assert isinstance(a, URLCheck)
    assert hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.url = "x"  # type: ignore[misc]


# -- the two parser paths agree -------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://Example.com:8443/a/../b?q=中#f",
        "http://0x7f.1/",
        "http://[::ffff:1.2.3.4]:8080/",
        "https://例子.测试/",
        "http://a b/",
        "https://example.com:443/",
    ],
)
def test_fast_parser_matches_the_public_binding(url: str) -> None:
    assert urls_mod._parse_c(url) == urls_mod._parse_py(url)


# -- through the Shortener ----------------------------------------------------------


def test_shortener_refuses_hostile_targets_and_stores_the_normalised_one() -> None:
    import suo

    s = suo.Shortener(suo.open_store("memory://"))
    for bad in (
        "javascript:alert(1)",
        "https://good.example@evil.example/",
        "http://0x7f.1/",
        "//evil.example",
    ):
        with pytest.raises(InvalidURL):
            s.shorten(bad)
    link = s.shorten("HTTPS://例子.测试/路径?q=1#frag")
    assert link.target == "https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84?q=1#frag"
    assert s.get(link.code).target == link.target


# -- a hand-made hostile corpus (SSRF, header injection, scheme and host disguises) --

HOSTILE = [
    "\tjavascript:alert(1)",
    "\u00a0javascript:alert(1)",
    "\u3000javascript:alert(1)",
    "jav\u0000ascript:alert(1)",
    "javascript:/*--></title></style></textarea></script><svg/onload=alert(1)>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "DATA:text/html,x",
    "file://c:/windows/win.ini",
    "filesystem:https://evil.example/temporary/x",
    "view-source:https://evil.example",
    "jar:http://evil.example/x.jar!/",
    "itms-services://?action=download-manifest&url=https://evil.example/x.plist",
    "gopher://127.0.0.1:6379/_INFO",
    "dict://127.0.0.1:6379/info",
    "&#0000106avascript:alert(1)",
    "javas&#99;ript:alert(1)",
    "%6A%61%76%61%73%63%72%69%70%74%3Aalert(1)",
    "%0d%0ahttps://evil.example",
    "https://evil.example\r\nSet-Cookie: a=b",
    "https://evil.example/%0d%0aLocation:%20http://x",
    "https://evil.example%0d%0a",
    "https://example.com:password@evil.example",
    "https://example.com%2F@evil.example",
    "https://google.com&@evil.example",
    "http://evil.example:80@example.com",
    "https://example.com%40evil.example",
    "http://evil.example%23.example.com/",
    "http:/\\/\\evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "////evil.example",
    "http:///evil.example",
    "http://127.1",
    "http://0",
    "http://0.0.0.0",
    "http://[::]",
    "http://[0:0:0:0:0:ffff:127.0.0.1]",
    "http://[::ffff:a9fe:a9fe]/",
    "http://0177.0.0.1",
    "http://0x7f000001",
    "http://017700000001",
    "http://0251.0376.0251.0376/",
    "http://169.254.43518",
    "http://①②⑦.⓪.⓪.①",
    "http://LOCALHOST.",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://100.100.100.200/latest/meta-data",
    "http://[fd00::1]",
    "https://example.com:22",
    "https://example.com:-1",
    "https://ex%00ample.com",
    "https://gооgle.com",
    "https://xn--e1awd7f.com",
    "https://evil.c℀.com",
    "https://#",
    "https://evil.example#@example.com",
    "https://evil.example/?@example.com",
    "http://127.0.0.1.nip.io/",
    "http://10-0-0-1.sslip.io/",
    "http://app.lvh.me:3000/",
    "http://x.localtest.me/",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_inputs_are_refused(url: str) -> None:
    check = inspect_url(url)
    assert not check.ok
    with pytest.raises(InvalidURL):
        normalize_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # '@' in a path, a query value or a fragment is ordinary data
        ("https://medium.com/@user/a-post", "https://medium.com/@user/a-post"),
        (
            "https://example.com/unsubscribe?email=a@b.example",
            "https://example.com/unsubscribe?email=a@b.example",
        ),
        ("https://example.com/#team@work", "https://example.com/#team@work"),
        # full-width letters are a typing accident of CJK input methods, mapped by browsers
        ("https://ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ/", "https://www.example.com/"),
        ("http://8.8.8.8.nip.io/", "http://8.8.8.8.nip.io/"),
    ],
)
def test_look_alike_payloads_that_go_where_they_say_are_accepted(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_docstring_examples_run() -> None:
    import doctest

    import suo.shortener

    # The public functions say their public path (suo.shortener), so their
    # examples are found there; the module keeps the rest.
    result = doctest.testmod(urls_mod, optionflags=doctest.ELLIPSIS)
    public = doctest.testmod(suo.shortener, optionflags=doctest.ELLIPSIS)
    assert result.attempted + public.attempted >= 12
    assert public.failed == 0
    assert result.failed == 0
