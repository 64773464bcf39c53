"""Crawlers and link-preview fetchers, recognised from the maintained crawler list.

The patterns come from the ``crawler-user-agents`` package (the list kept at
github.com/monperrus/crawler-user-agents, about 1,500 regular expressions).
Running 1,500 regexes per request would be slow, so each pattern is reduced
once, at import, to a *required literal* (the longest run of plain characters
every match must contain). One Aho-Corasick automaton over those literals
finds the few candidate patterns in a single pass over the lowered
User-Agent; only the candidates' regexes run.

Known false positives of such lists on real browsers are guarded here rather
than patched upstream (the approach of crawlerdetect's exclusion list):

* Android build ids (``Build/AP3A.240617.008``) and device model names inside
  the ``(Linux; Android ...; MODEL Build/...)`` section: ``CUBOT``,
  ``ViewSonic``, ``HTCButterfly``, ``Fever_Plus`` were matched by patterns
  like ``bot``, ``Sonic``, ``Butterfly``, ``Fever``. That section is blanked
  before matching.
* Browser names that contain a crawler's name: Sogou's browsers
  (``SogouMobileBrowser``, ``SogouMSE``, ``MetaSr``) versus ``Sogou web spider``.
* ``Cronet`` (Chrome's network stack, used by many apps) is never a crawler.
* Apps whose UA carries a product token that a pattern names (``Viber/``,
  ``Code/1.`` for VS Code).

Link-preview fetchers (``facebookexternalhit``, ``Twitterbot``,
``TelegramBot``, ``Slackbot-LinkExpanding``, ``WhatsApp/``...) are crawlers
too; :func:`match_bot` says which are previews.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import ahocorasick_rs

__all__ = ["FIRST_FREE_BIT", "PREVIEW_TOKENS", "BotMatch", "BotScanner", "match_bot", "scanner"]

#: Lower-case tokens of fetchers that fetch a page to draw a link preview
#: (title, description, image) rather than to index a site.
PREVIEW_TOKENS: tuple[str, ...] = (
    "facebookexternalhit",
    "facebot",
    "meta-externalagent",
    "twitterbot",
    "slackbot",
    "slack-imgproxy",
    "telegrambot",
    "linkedinbot",
    "whatsapp/",
    "discordbot",
    "skypeuripreview",
    "iframely",
    "embedly",
    "redditbot",
    "vkshare",
    "line-poker",
    "kakaotalk-scrap",
    "snap url preview",
    "bingpreview",
    "microsoftpreview",
    "yahoo link preview",
    "google web preview",
    "bufferlinkpreviewbot",
    "blueskypreviewbot",
    "cardyb",
    "mastodon/",
    "pinterestbot",
    "synapse (bot",
    "mattermost-bot",
    "chatwork linkpreview",
    "viber",
    "zoombot",
)

#: Crawler-list patterns dropped outright: each matched real browsers or apps
#: in device-detector's fixtures and says nothing a guard could keep.
_DROPPED = frozenset(
    {
        "Sonic",  # ViewSonic phones
        "Butterfly",  # HTC Butterfly phones
        "Fever",  # Fever_Plus phones
        "Expanse",  # Expanse phones
        "Fluid",  # the Fluid site-specific browser
        "Code\\/1\\.",  # Visual Studio Code's Electron UA
        "Viber",  # Viber's in-app browser (its preview fetcher is caught by PREVIEW_TOKENS)
        "Podimo",  # a podcast app
        "Chirp|gotosocial",  # GoogleChirp (Google Podcasts on devices)
        "008\\/",  # DESAY TS1008 phones
        "MetaIAB Facebook",  # Facebook's own in-app browser on iOS, not a crawler
    }
)

# Sections of a UA that name a device or browser build, not the requester.
_BLANK = re.compile(
    r"(?i)\(Linux;(?![^)]*(?:bot|crawler|spider)/)[^)]*Android[^)]*\)"  # (Linux; Android 10; CUBOT X30 Build/QP1A...)
    r"|\(Android[^)]*\)"
    r"|Android \(\d+/[^)]*\)"  # Instagram/Threads: Android (28/9; 480dpi; ...; CUBOT; ...)
    r"|Build/[^;)\s]+"
    r"|Sogou(?:MobileBrowser|MSE|Search)[^\s,;)]*"
    r"|SE 2\.X MetaSr"
    r"|Cronet[^\s;)]*",
)

# Generic signs that mark a client as automated even when the list misses it.
# Each is checked only when the automaton saw its key, with a small regex that
# starts with a literal (one big alternation would cost ~100 us on a long UA).
_SUFFIX_WORDS = (
    "bot", "crawler", "spider", "scraper", "scanner", "checker", "monitor", "fetcher",
    "validator", "archiver", "indexer", "httpclient", "http-client", "prober",
)  # fmt: skip
_WHOLE_WORDS = (
    "headless", "python-requests", "python-urllib", "python/", "aiohttp", "httpx",
    "go-http-client", "curl/", "wget/", "okhttp", "axios/", "node-fetch", "scrapy",
    "phantomjs", "lighthouse", "pagespeed", "healthcheck", "health check", "uptime", "research",
    "survey", "scan", "audit", "feed", "rss", "preview",
)  # fmt: skip
_OTHER_SIGNS = {
    "http:": r"[;(+]\s*http://",
    "https:": r"[;(+]\s*https://",
    "mailto:": r"mailto:",
    "java/": r"(?<![a-z])java/\d",  # Java's HTTP client, not "Java/Jbed" phones
    "@": r"@[a-z0-9-]+\.[a-z]",
    "google": r"^google",
    "google-": r"google-[a-z]",
    "gecko; google": r"gecko; google",
    "compatible; google": r"compatible; google",
    "baidu transcoder": r"baidu transcoder",
    "daumoa": r"daumoa",
    "; daum ": r"; daum ",
    "${jndi:": r"\$\{jndi:",
}
_GENERIC_RULES: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    *((w, re.compile(re.escape(w) + r"s?(?![a-z])"), False) for w in _SUFFIX_WORDS),
    *((w, re.compile(re.escape(w) + r"\w*(?![a-z])"), True) for w in _WHOLE_WORDS),
    *((k, re.compile(rx), False) for k, rx in _OTHER_SIGNS.items()),
)
_GENERIC_KEYS = tuple(k for k, _, _ in _GENERIC_RULES)


def _generic_hit(low: str) -> bool:
    """Whether the lower-cased (and blanked) UA shows a generic sign of automation."""
    for key, rx, whole in _GENERIC_RULES:
        if key not in low:
            continue
        for m in rx.finditer(low):
            if not whole or m.start() == 0 or not low[m.start() - 1].isalpha():
                return True
    return False


# A UA that is not browser-shaped: no "Mozilla/" prefix, and no word naming an
# OS, a device family, a browser or a media/app client. Scripts and odd
# crawlers ("Sectigo DCV", "phpMyAdmin", "Datadog/Synthetics") look like this.
_CLIENT_LITERALS = (
    "android", "iphone", "ipad", "ipod", "ios", "windows", "macintosh", "mac os", "darwin",
    "linux", "x11", "cfnetwork", "midp", "profile/", "symbian", "bada", "tizen", "kaios",
    "playstation", "nintendo", "xbox", "roku", "webos", "smarttv", "smart-tv", "bsd", "j2me",
    "brew", "nokia", "samsung", "sonyericsson", "blackberry", "lg-", "mot-", "sie-", "sec-",
    "htc", "huawei", "zte", "alcatel", "wap", "up.browser", "obigo", "netfront", "openwave",
    "dorado", "browser", "player", "podcast", "radio", "music", "tv", "watch", "garmin", "alexa",
    "vlc", "itunes", "spotify", "stagefright", "exoplayer", "okhttp", "whatsapp", "fban", "fbav",
    "avast", "amiga", "ibrowse", "amazon", "kindle", "silk", "fire", "citrix", "outlook",
    "office", "micromessenger", "qq", "alipay", "dingtalk", "weibo", "aweme", "bytedance",
    "lark", "feishu", "kwai", "baidu", "ucbrowser", "instagram", "line/", "twitter", "linkedin",
    "telegram", "snapchat", "tiktok", "musical_ly", "firefox", "msie", "trident", "teleca",
    "palmscape", "xiino", "hotjava",
)  # fmt: skip
# The client words that are not plain substrings.
_CLIENT_REST = re.compile(
    r"(?i)^(?:opera|lynx|links|elinks|w3m|dillo|netsurf|icab|amaya|ncsa|vms_|ucweb|juc|dalvik|"
    r"hbbtv|docomo|kddi|softbank|vodafone)|win\d|series ?\d|app\b|\d+x\d+|gecko|webkit|chrome|"
    r"safari|edge"
)


class BotMatch:
    """What the crawler scan found: ``is_bot`` and ``is_preview``."""

    __slots__ = ("is_bot", "is_preview")

    def __init__(self, is_bot: bool, is_preview: bool) -> None:
        self.is_bot = is_bot
        self.is_preview = is_preview

    def __repr__(self) -> str:
        return f"BotMatch(is_bot={self.is_bot}, is_preview={self.is_preview})"


NOT_BOT = BotMatch(False, False)


_BREAKS = frozenset(".^$")
_QUANT = frozenset("?*+{")


def _skip_quantifier(pattern: str, i: int) -> int:
    """Index after a quantifier (and its lazy/possessive mark) at ``i``, if any."""
    if i < len(pattern) and pattern[i] in _QUANT:
        if pattern[i] == "{":
            close = pattern.find("}", i)
            i = close if close != -1 else i
        i += 1
        if i < len(pattern) and pattern[i] in "?+":
            i += 1
    return i


def _literal_runs(pattern: str) -> list[str]:
    """Runs of characters every match of ``pattern`` contains, lower-cased.

    A small scanner over the pattern text (faster than parsing 1,500 regexes
    at import): plain and escaped characters extend a run; a class of one
    letter in two cases (``[wW]``) counts as that letter; groups, other
    classes, anchors, ``.``, ``\\d``-style escapes and ``|`` end a run; a
    character made optional by ``?``, ``*`` or ``{0,...}`` is dropped.
    The test suite checks it against Python's own regex parser.
    """
    runs: list[str] = []
    cur: list[str] = []
    i, n = 0, len(pattern)

    def end_run() -> None:
        if cur:
            runs.append("".join(cur))
            cur.clear()

    while i < n:
        ch = pattern[i]
        lit: str | None = None
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            i += 2
            if nxt.isalnum():
                end_run()  # \d, \w, \b, \x41...: not a plain literal
                i = _skip_quantifier(pattern, i)
                continue
            lit = nxt
        elif ch == "(":
            depth, i = 1, i + 1
            while i < n and depth:
                if pattern[i] == "\\":
                    i += 1
                elif pattern[i] == "(":
                    depth += 1
                elif pattern[i] == ")":
                    depth -= 1
                i += 1
            end_run()
            if i < n and pattern[i] in _QUANT:
                i += 1
            continue
        elif ch == "[":
            close = pattern.find("]", i + 2)
            body = pattern[i + 1 : close] if close != -1 else ""
            i = close + 1 if close != -1 else n
            if len(body) == 2 and body[0] != body[1] and body[0].lower() == body[1].lower():
                lit = body[0]
            else:
                end_run()
                i = _skip_quantifier(pattern, i)
                continue
        elif ch == "|":
            return []  # a top-level alternative: no run is required (see _anchors)
        elif ch in _BREAKS or ch in ")]}":
            end_run()
            i = _skip_quantifier(pattern, i + 1)
            continue
        else:
            lit = ch
            i += 1
        if i < n and pattern[i] in _QUANT:
            q = pattern[i]
            optional = q in "?*" or pattern.startswith("{0", i)
            if not optional:
                cur.append(lit.lower())
            end_run()
            close = pattern.find("}", i) if q == "{" else i
            i = (close if close != -1 else i) + 1
            if i < n and pattern[i] in "?+":
                i += 1
            continue
        cur.append(lit.lower())
    end_run()
    return runs


def _anchors(pattern: str) -> list[str]:
    """One required literal per pattern (or one per alternative of ``a|b``)."""
    runs = [r for r in _literal_runs(pattern) if len(r.strip()) >= 3]
    if runs:
        return [max(runs, key=len)]
    if "|" in pattern and "(" not in pattern:
        out = []
        for alt in pattern.split("|"):
            alt_runs = [r for r in _literal_runs(alt) if len(r.strip()) >= 3]
            if not alt_runs:
                return []
            out.append(max(alt_runs, key=len))
        return out
    return []


GENERIC_BIT = 1
PREVIEW_BIT = 2
CLIENT_BIT = 4
#: Bits from 8 up are free for callers that share the scan (see :func:`scanner`).
FIRST_FREE_BIT = 8


class BotScanner:
    """The crawler patterns, their anchors, and one Aho-Corasick automaton.

    Each automaton value is ``(bits, pattern_ids)``: ``bits`` flags generic
    and preview words (and the caller's own tokens, see ``extra``), and
    ``pattern_ids`` name the crawler regexes to verify.
    """

    def __init__(self, patterns: Iterable[str], extra: dict[str, int] | None = None) -> None:
        self.sources: list[str] = []
        self._compiled: dict[int, re.Pattern[str]] = {}
        self.unanchored: list[re.Pattern[str]] = []
        words: dict[str, list[Any]] = {}

        def word(key: str) -> list[Any]:
            return words.setdefault(key, [0, []])

        for pattern in patterns:
            if pattern in _DROPPED:
                continue
            anchors = _anchors(pattern)
            if not anchors:  # pragma: no cover - every current pattern has one
                self.unanchored.append(re.compile(pattern))
                continue
            idx = len(self.sources)
            self.sources.append(pattern)
            for anchor in anchors:
                word(anchor)[1].append(idx)
        for key in _GENERIC_KEYS:
            word(key)[0] |= GENERIC_BIT
        for key in PREVIEW_TOKENS:
            word(key)[0] |= PREVIEW_BIT
        for key in _CLIENT_LITERALS:
            word(key)[0] |= CLIENT_BIT
        for key, bits in (extra or {}).items():
            word(key)[0] |= bits
        # ahocorasick-rs (Rust) rather than pyahocorasick here: on ~150-character
        # UAs it finds every overlapping match about 3x faster, and detect() on
        # an unseen UA is mostly this pass.
        keys = list(words)
        self.values: list[tuple[int, tuple[int, ...]]] = [
            (words[k][0], tuple(words[k][1])) for k in keys
        ]
        self.automaton = ahocorasick_rs.AhoCorasick(
            keys, matchkind=ahocorasick_rs.MatchKind.Standard
        )

    def regex(self, i: int) -> re.Pattern[str]:
        """Pattern ``i``, compiled on first use (most are never needed)."""
        rx = self._compiled.get(i)
        if rx is None:
            try:
                rx = re.compile(self.sources[i])
            except re.error:  # pragma: no cover - the list is validated upstream
                rx = re.compile(r"(?!)")
            self._compiled[i] = rx
        return rx

    def scan(self, low: str) -> tuple[int, tuple[int, ...]]:
        """One pass over the lower-cased UA: the OR of the bits, and candidate pattern ids."""
        bits = 0
        ids: tuple[int, ...] = ()
        values = self.values
        for key, _start, _end in self.automaton.find_matches_as_indexes(low, overlapping=True):
            b, found = values[key]
            bits |= b
            if found:
                ids += found
        return bits, ids

    def match(self, ua: str, bits: int, candidates: tuple[int, ...]) -> BotMatch:
        """Decide from a :meth:`scan` result (verifying candidate regexes)."""
        generic = bits & GENERIC_BIT
        preview = bits & PREVIEW_BIT
        if not candidates and not preview:
            # No crawler-list literal: only the generic signs and the UA's shape.
            # Blanking device names is needed only to confirm a generic hit.
            if generic and _generic_hit(ua.lower()) and _generic_hit(_BLANK.sub(" ", ua).lower()):
                return BotMatch(True, False)
            if ua.startswith("Mozilla/") or bits & CLIENT_BIT or not ua:
                return NOT_BOT  # the common case
            return NOT_BOT if _CLIENT_REST.search(ua) else BotMatch(True, False)
        cleaned = _BLANK.sub(" ", ua)
        if preview:
            low_clean = cleaned.lower()
            if any(tok in low_clean for tok in PREVIEW_TOKENS if _preview_ok(tok, cleaned)):
                return BotMatch(True, True)
        for i in candidates:
            if self.regex(i).search(cleaned):
                return BotMatch(True, False)
        for rx in self.unanchored:  # pragma: no cover - empty with the current list
            if rx.search(cleaned):
                return BotMatch(True, False)
        if generic and _generic_hit(cleaned.lower()):
            return BotMatch(True, False)
        if (
            ua
            and not bits & CLIENT_BIT
            and not ua.startswith("Mozilla/")
            and not _CLIENT_REST.search(ua)
        ):
            return BotMatch(True, False)
        return NOT_BOT


def _preview_ok(tok: str, ua: str) -> bool:
    # Tokens that are also app names count only in the fetcher's own form.
    if tok == "whatsapp/":
        return ua.startswith("WhatsApp/")
    if tok == "viber":
        return (
            ua.startswith("Viber") or "Viber-Preview" in ua or "viber-url-downloader" in ua.lower()
        )
    if tok == "mastodon/":
        return "(Mastodon/" in ua
    return True


def _patterns() -> list[str]:
    """The crawler list's patterns, read from the package's JSON file.

    Read directly (the package's own import compiles every pattern, which
    suo does not need).
    """
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("crawleruseragents")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        path = Path(folder) / "crawler-user-agents.json"
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            return [entry["pattern"] for entry in data]
    from crawleruseragents import CRAWLER_USER_AGENTS_DATA  # type: ignore[import-untyped]

    return [entry["pattern"] for entry in CRAWLER_USER_AGENTS_DATA]


@lru_cache(maxsize=1)
def _index() -> BotScanner:
    return BotScanner(_patterns())


def scanner(extra: dict[str, int]) -> BotScanner:
    """A crawler index whose automaton also reports the caller's own tokens.

    ``extra`` maps lower-case tokens to bit masks (from :data:`FIRST_FREE_BIT`
    up); :meth:`BotScanner.scan` ORs them into its bits, so one pass over the
    UA serves both app detection and crawler detection.
    """
    return BotScanner(_patterns(), extra)


def match_bot(user_agent: str, lowered: str | None = None) -> BotMatch:
    """Whether ``user_agent`` is a crawler, and whether it fetches link previews.

    Example:
        >>> m = match_bot("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")
        >>> m.is_bot, m.is_preview
        (True, True)
        >>> match_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)").is_preview
        False
        >>> ua = "Mozilla/5.0 (Linux; Android 10; CUBOT X30 Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
        >>> match_bot(ua).is_bot
        False
    """
    index = _index()
    bits, ids = index.scan(user_agent.lower() if lowered is None else lowered)
    return index.match(user_agent, bits, ids)
