"""URL safety against public data: WHATWG URL test data, payload lists, real URLs.

The data and its sources are in ``tests/data/urls/`` (see its README).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from suo.errors import InvalidURL
from suo.shortener.urls import (
    _BAD_PORTS,
    Reason,
    URLPolicy,
    inspect_url,
    normalize_url,
)

DATA = Path(__file__).parent.parent / "data" / "urls"
WHATWG: list[dict[str, Any]] = json.loads((DATA / "whatwg_urltestdata.json").read_text("utf-8"))[
    "tests"
]
# Private hosts allowed, so that the WHATWG examples ('http://f/c', 127.0.0.1)
# are judged on parsing alone.
PERMISSIVE = URLPolicy(allow_private_hosts=True)


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text("utf-8")
    return [line for line in text.split("\n") if line and not line.startswith("# ")]


REAL_WORLD = _lines("real_world.txt")
OPEN_REDIRECT = _lines("payloadsallthethings_open_redirect.txt")
XSS_URI = _lines("payloadsallthethings_xss_uri.txt")


def _entry_id(e: dict[str, Any]) -> str:
    return repr(e["input"])[:60]


# -- WHATWG URL test data ---------------------------------------------------

_C0_SPACE = "".join(chr(c) for c in range(0x21))
_ABSOLUTE_HTTP = re.compile(r"https?://", re.I)


def _browser_view(text: str) -> str:
    """The input as the WHATWG parser sees it: ends trimmed, tab/LF/CR removed."""
    return re.sub("[\t\n\r]", "", text.strip(_C0_SPACE))


def _is_absolute_http(e: dict[str, Any]) -> bool:
    # With '//' after an http(s) scheme the base URL plays no part.
    return bool(_ABSOLUTE_HTTP.match(_browser_view(e["input"])))


def _authority(text: str) -> str:
    rest = re.sub(r"^[A-Za-z][A-Za-z0-9+.\-]*:[/\\]*", "", _browser_view(text))
    return re.split(r"[/?#\\]", rest, maxsplit=1)[0]


def _href_host(href: str) -> str:
    auth = re.sub(r"^https?://", "", href).split("/", 1)[0]
    auth = auth.rsplit("@", 1)[-1]
    return auth if auth.startswith("[") else auth.split(":", 1)[0]


def _href_port(href: str) -> int | None:
    auth = re.sub(r"^https?://", "", href).split("/", 1)[0].rsplit("@", 1)[-1]
    m = re.search(r":(\d+)$", auth)
    return int(m.group(1)) if m else None


_IPV4 = re.compile(r"\d+\.\d+\.\d+\.\d+\Z")

# Each reason suo adds on top of the WHATWG parser, and the evidence in the
# entry that must be there for suo to use it (so a refusal is never arbitrary).
EXPLAINED: dict[Reason, Callable[[dict[str, Any]], bool]] = {
    Reason.CREDENTIALS: lambda e: "@" in _authority(e["input"]),
    Reason.CONTROL_CHARACTER: lambda e: bool(
        re.search("[\x00-\x1f\x7f-\x9f]", e["input"].strip(" "))
    ),
    Reason.INVISIBLE_CHARACTER: lambda e: bool(
        re.search("[\u00ad\u200b\u202a-\u202e\u2060\ufeff]", e["input"])
    ),
    Reason.BACKSLASH: lambda e: "\\" in e["input"],
    Reason.MISSING_SLASHES: lambda e: not re.match(r"https?://(?!/)", e["input"].strip(" "), re.I),
    Reason.ENCODED_HOST: lambda e: "%" in _authority(e["input"]),
    Reason.OBFUSCATED_IP: lambda e: (
        (
            bool(_IPV4.match(_href_host(e["href"])))
            and _authority(e["input"]).lower() != _href_host(e["href"])
        )
        or (_href_host(e["href"]).startswith("[") and "." in _authority(e["input"]))
    ),
    Reason.HOST_SYNTAX: lambda e: (
        ".." in "." + _href_host(e["href"])
        or not re.fullmatch(r"[a-z0-9_.\-]+", _href_host(e["href"]))
        or not _href_host(e["href"]).rstrip(".").rsplit(".", 1)[-1].isalpha()
    ),
    Reason.BAD_PORT: lambda e: _href_port(e["href"]) in (_BAD_PORTS | {0}),
    Reason.ENCODED_CONTROL: lambda e: bool(
        re.search(r"%0[0aAdD]", e["href"].split("?")[0].split("#")[0])
    ),
}


@pytest.mark.parametrize("entry", [e for e in WHATWG if e.get("failure")], ids=_entry_id)
def test_whatwg_failures_are_refused(entry: dict[str, Any]) -> None:
    with pytest.raises(InvalidURL):
        normalize_url(entry["input"], policy=PERMISSIVE)
    with pytest.raises(InvalidURL):
        normalize_url(entry["input"])


@pytest.mark.parametrize(
    "entry",
    [e for e in WHATWG if not e.get("failure") and not re.match(r"https?://", e["href"])],
    ids=_entry_id,
)
def test_whatwg_other_schemes_are_refused(entry: dict[str, Any]) -> None:
    check = inspect_url(entry["input"], policy=PERMISSIVE)
    assert not check.ok
    assert check.reasons[0] in {
        Reason.DANGEROUS_SCHEME,
        Reason.UNSUPPORTED_SCHEME,
        Reason.NOT_ABSOLUTE,
    }
    if entry["href"].split(":", 1)[0] in {"javascript", "data", "file", "blob", "about"}:
        assert check.reasons[0] in {Reason.DANGEROUS_SCHEME, Reason.NOT_ABSOLUTE}


@pytest.mark.parametrize(
    "entry",
    [
        e
        for e in WHATWG
        if not e.get("failure") and re.match(r"https?://", e["href"]) and not _is_absolute_http(e)
    ],
    ids=_entry_id,
)
def test_whatwg_relative_inputs_are_refused(entry: dict[str, Any]) -> None:
    """Valid only against a base URL; a short link has none, so it must say so."""
    check = inspect_url(entry["input"], policy=PERMISSIVE)
    assert not check.ok
    assert set(check.reasons) & {
        Reason.NOT_ABSOLUTE,
        Reason.MISSING_SLASHES,
        Reason.BACKSLASH,
        Reason.EMPTY,
        Reason.CONTROL_CHARACTER,
    }


ABSOLUTE_VALID = [e for e in WHATWG if not e.get("failure") and _is_absolute_http(e)]


@pytest.mark.parametrize("entry", ABSOLUTE_VALID, ids=_entry_id)
def test_whatwg_absolute_http_agrees_or_refuses_for_a_documented_reason(
    entry: dict[str, Any],
) -> None:
    check = inspect_url(entry["input"], policy=PERMISSIVE)
    if check.ok:
        assert check.url == entry["href"]
    else:
        for reason in check.reasons:
            assert reason in EXPLAINED, f"{reason} is not a documented refusal for valid URLs"
            assert EXPLAINED[reason](entry), f"{reason} has no evidence in {entry['input']!r}"
    default = inspect_url(entry["input"])
    if default.ok:
        assert default.url == entry["href"]


def test_whatwg_agreement_is_not_vacuous() -> None:
    agreed = [
        e for e in ABSOLUTE_VALID if inspect_url(e["input"], policy=PERMISSIVE).url == e["href"]
    ]
    assert len(ABSOLUTE_VALID) > 150
    assert len(agreed) > 70
    # the canonicalisations a browser does, checked against the standard's answers
    inputs = {e["input"] for e in agreed}
    assert {
        "http://ExAmPlE.CoM",
        "https://faß.ExAmPlE/",
        "http://www.foo\u3002bar.com",
        "http://example.com/foo/%2e",
    } <= inputs


# -- payload collections ----------------------------------------------------


def _decoded(text: str) -> str:
    t = text
    for _ in range(3):
        t = html.unescape(unquote(t))
    t = re.sub(
        r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4}))",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        t,
    )
    t = re.sub(r"\\([0-7]{1,3})", lambda m: chr(int(m.group(1), 8)), t)
    return re.sub(r"[\s\\]+", "", t).lower()


@pytest.mark.parametrize("payload", XSS_URI)
def test_xss_uri_payloads_are_refused_as_dangerous(payload: str) -> None:
    assert re.search(r"javascript:|data:|vbscript:", _decoded(payload))
    check = inspect_url(payload, policy=PERMISSIVE)
    assert not check.ok
    assert check.reasons[0] is Reason.DANGEROUS_SCHEME
    with pytest.raises(InvalidURL, match=r"javascript|data|vbscript"):
        normalize_url(payload)


@pytest.mark.parametrize("payload", OPEN_REDIRECT)
def test_open_redirect_payloads_are_refused_or_go_where_they_appear(payload: str) -> None:
    check = inspect_url(payload)
    if "javascript" in _decoded(payload):
        assert not check.ok
        assert Reason.DANGEROUS_SCHEME in check.reasons
        return
    if check.ok:
        # What a person reads between '://' and the path is where the browser goes.
        assert check.url is not None
        m = re.match(r"https?://([^/?#:]+)", payload.strip(" "), re.I)
        assert m, payload
        assert _href_host(check.url) == m.group(1).lower()
        assert "@" not in _authority(check.url)


def test_open_redirect_list_refusals_cover_the_disguises() -> None:
    reasons = {r for p in OPEN_REDIRECT for r in inspect_url(p).reasons}
    assert {
        Reason.CREDENTIALS,
        Reason.NOT_ABSOLUTE,
        Reason.MISSING_SLASHES,
        Reason.OBFUSCATED_IP,
        Reason.ENCODED_HOST,
        Reason.BACKSLASH,
        Reason.DANGEROUS_SCHEME,
    } <= reasons
    accepted = [p for p in OPEN_REDIRECT if inspect_url(p).ok]
    # plain https://google.com/... forms only; every disguise is refused
    assert accepted
    assert all(
        re.match(r"https?://((www\.)?google\.com([:/?#]|$)|www\.whitelisteddomain\.tld/)", p)
        for p in accepted
    )


# -- ordinary URLs ------------------------------------------------------------


@pytest.mark.parametrize("url", REAL_WORLD)
def test_real_world_urls_pass_and_are_stable(url: str) -> None:
    out = normalize_url(url)
    assert out.startswith(("http://", "https://"))
    assert out.isascii()
    assert not re.search(r"[\x00-\x20\x7f\\]", out)
    assert normalize_url(out) == out


def test_real_world_list_is_substantial() -> None:
    assert len(REAL_WORLD) >= 60
    assert any("mp.weixin.qq.com" in u and u.endswith("#wechat_redirect") for u in REAL_WORLD)
