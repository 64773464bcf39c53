"""The crawler index: anchors are really required, guards hold, previews are told apart."""

from __future__ import annotations

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suo.antiblock.bots import BotScanner, _anchors, _literal_runs, _patterns, match_bot


def sre_runs(pattern: str) -> list[str]:
    """The oracle: literal runs from Python's own regex parser."""
    runs: list[str] = []
    cur: list[str] = []
    for op, arg in _parser.parse(pattern):
        ch = None
        if op is c.LITERAL:
            ch = chr(arg)
        elif op is c.IN and len(arg) == 2 and all(o is c.LITERAL for o, _ in arg):
            a, b = (chr(v) for _, v in arg)
            if a.lower() == b.lower():
                ch = a
        if ch is None:
            if cur:
                runs.append("".join(cur))
            cur = []
        else:
            cur.append(ch.lower())
    if cur:
        runs.append("".join(cur))
    return runs


def test_literal_runs_agree_with_the_regex_parser_on_the_whole_list() -> None:
    patterns = _patterns()
    assert len(patterns) > 1000
    assert [p for p in patterns if _literal_runs(p) != sre_runs(p)] == []


@given(
    st.from_regex(
        r"[A-Za-z0-9 /._-]{0,6}(\\d\+|\[aA\]|\(x\|y\)|[?*]|\{0,2\})?[A-Za-z0-9 /._-]{0,6}",
        fullmatch=True,
    )
)
def test_literal_runs_agree_with_the_regex_parser_on_generated_patterns(pattern: str) -> None:
    try:
        expected = sre_runs(pattern)
    except re.error:
        return
    if "|" in pattern and "(" not in pattern:
        expected = []
    assert _literal_runs(pattern) == expected


def test_every_anchor_occurs_in_every_instance_its_pattern_matches() -> None:
    import json
    from pathlib import Path

    import crawleruseragents

    data = json.loads(
        (Path(crawleruseragents.__file__).parent / "crawler-user-agents.json").read_text()
    )
    for entry in data:
        anchors = _anchors(entry["pattern"])
        assert anchors, entry["pattern"]
        rx = re.compile(entry["pattern"])
        for instance in entry.get("instances", []):
            if rx.search(instance):
                assert any(a in instance.lower() for a in anchors), (entry["pattern"], instance)


def test_crawler_list_instances_are_bots() -> None:
    import crawleruseragents

    instances = [
        i for e in crawleruseragents.CRAWLER_USER_AGENTS_DATA for i in e.get("instances", [])
    ]
    missed = [i for i in instances if not match_bot(i).is_bot]
    # the few misses are the guarded false positives (real browsers listed as crawlers)
    assert len(missed) / len(instances) < 0.01, missed


def test_regexes_compile_lazily() -> None:
    index = BotScanner(_patterns())
    assert index._compiled == {}
    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
    assert index.match(ua, *index.scan(ua.lower())).is_bot is False
    assert index._compiled == {}
    bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    assert index.match(bot, *index.scan(bot.lower())).is_bot is True
    assert 1 <= len(index._compiled) <= 3


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (Linux; Android 4.3; en-US; ViewSonic A8+ Build/JLS36C) AppleWebKit/534.30 Mobile Safari/534.30",
        "Mozilla/5.0 (Linux; Android 4.4.2; HTCButterflys901s Build/KOT49H) AppleWebKit/537.36 Chrome/41.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; U; Android 5.0.2; zh-cn; Redmi Note 2 Build/LRX22G) AppleWebKit/534.30 Version/4.0 Mobile Safari/534.30 SogouMSE,SogouMobileBrowser/3.8.5",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/49.0.2623.221 Safari/537.36 SE 2.X MetaSr 1.0",
        "Mozilla/5.0 (Linux; Android 5.1; S550 Pro Build/LMY47D; wv) AppleWebKit/537.36 Chrome/74.0 Mobile Safari/537.36 Instagram 94.0.0.22.116 Android (22/5.1; 320dpi; 720x1280; CUBOT; S550 Pro; h)",
        "Lynx/2.8.8pre.3 libwww-FM/2.14 SSL-MM/1.4.1 OpenSSL/1.0.1e",
        "Opera/9.80 (J2ME/MIDP; Opera Mini/5.1.21214/19.916; U; en) Presto/2.5.25",
    ],
)
def test_guarded_false_positives_are_people(ua: str) -> None:
    assert match_bot(ua).is_bot is False


@pytest.mark.parametrize("ua", ["Sectigo DCV", "phpMyAdmin", "Datadog/Synthetics", "masjesu"])
def test_ua_without_any_client_word_is_a_script(ua: str) -> None:
    assert match_bot(ua).is_bot is True
