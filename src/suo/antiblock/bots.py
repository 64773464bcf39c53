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

import ahocorasick

__all__ = ["PREVIEW_TOKENS", "BotMatch", "match_bot"]

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

# Generic words that mark a client as automated even when the list misses it.
_GENERIC = re.compile(
    r"(?i)(?:(?:^|[^a-z])(?:[a-z0-9_.-]*(?:bot|crawler|spider|scraper|scanner|checker|"
    r"monitor|fetcher|validator|archiver|indexer|httpclient|http-client|prober)s?|headless\w*|"
    r"python-requests|python-urllib|python/|aiohttp|httpx|go-http-client|java/\d|curl/|"
    r"wget/|okhttp|axios/|node-fetch|scrapy|phantomjs|lighthouse|pagespeed|"
    r"health ?check\w*|uptime\w*|research|survey|scan|audit|feed|rss|preview)"
    r"(?:[^a-z]|$)"
    r"|[;(+]\s*https?://|mailto:|[a-z0-9._-]+@[a-z0-9-]+\.[a-z]"
    r"|^google|google-[a-z]|gecko; google|compatible; google"
    r"|\$\{jndi:)"
)
# A UA that is not browser-shaped: no "Mozilla/" prefix, and no word naming an
# OS, a device family, a browser or a media/app client. Scripts and odd
# crawlers ("Sectigo DCV", "phpMyAdmin", "Datadog/Synthetics") look like this.
_CLIENT_WORDS = re.compile(
    r"(?i)^(?:opera|lynx|links|elinks|w3m|dillo|netsurf|icab|amaya|ncsa|vms_|ucweb|juc|dalvik|"
    r"hbbtv|docomo|kddi|softbank|vodafone)"
    r"|android|iphone|ipad|ipod|ios|windows|win\d|macintosh|mac os|darwin|linux|x11|cfnetwork|"
    r"midp|profile/|symbian|series ?\d|bada|tizen|kaios|playstation|nintendo|xbox|roku|webos|"
    r"smart-?tv|bsd|j2me|brew|nokia|samsung|sonyericsson|blackberry|lg-|mot-|sie-|sec-|htc|"
    r"huawei|zte|alcatel|wap|up\.browser|obigo|netfront|openwave|dorado|browser|player|podcast|"
    r"radio|music|tv|app\b|watch|garmin|alexa|vlc|itunes|spotify|stagefright|exoplayer|okhttp|"
    r"whatsapp|fban|fbav|avast|amiga|ibrowse|amazon|kindle|silk|fire|citrix|outlook|office|"
    r"micromessenger|qq|alipay|dingtalk|weibo|aweme|bytedance|lark|feishu|kwai|baidu|ucbrowser|"
    r"instagram|line/|twitter|linkedin|telegram|snapchat|tiktok|musical_ly|gecko|webkit|chrome|"
    r"safari|firefox|msie|trident|edge|teleca|palmscape|xiino|hotjava|\d+x\d+"
)

_GENERIC_KEYS = (
    "bot", "crawler", "spider", "scraper", "scanner", "checker", "monitor", "fetcher",
    "validator", "archiver", "indexer", "httpclient", "http-client", "prober", "headless",
    "python", "aiohttp", "httpx", "go-http-client", "java/", "curl/", "wget/", "okhttp",
    "axios/", "node-fetch", "scrapy", "phantomjs", "lighthouse", "pagespeed", "health",
    "uptime", "research", "survey", "scan", "audit", "feed", "rss", "preview",
    "http:", "https:", "mailto:", "@", "${jndi:", "google",
)  # fmt: skip


class BotMatch:
    """What the crawler scan found: ``is_bot`` and ``is_preview``."""

    __slots__ = ("is_bot", "is_preview")

    def __init__(self, is_bot: bool, is_preview: bool) -> None:
        self.is_bot = is_bot
        self.is_preview = is_preview

    def __repr__(self) -> str:
        return f"BotMatch(is_bot={self.is_bot}, is_preview={self.is_preview})"


NOT_BOT = BotMatch(False, False)


def _literal_runs(pattern: str) -> list[str]:
    """Runs of characters every match of ``pattern`` contains, lower-cased.

    Walks the parsed regex's top-level sequence; a character class of one
    letter in two cases (``[wW]``) counts as that letter. Anything else
    (alternation, repeats, groups) ends a run.
    """
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return []
    runs: list[str] = []
    cur: list[str] = []
    for op, arg in parsed:
        ch: str | None = None
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


class _BotIndex:
    def __init__(self, patterns: Iterable[str]) -> None:
        self.regexes: list[re.Pattern[str]] = []
        self.unanchored: list[re.Pattern[str]] = []
        keys: dict[str, list[int]] = {}
        for pattern in patterns:
            if pattern in _DROPPED:
                continue
            try:
                rx = re.compile(pattern)
            except re.error:  # pragma: no cover - the list is validated upstream
                continue
            anchors = _anchors(pattern)
            if not anchors:
                self.unanchored.append(rx)
                continue
            idx = len(self.regexes)
            self.regexes.append(rx)
            for anchor in anchors:
                keys.setdefault(anchor, []).append(idx)
        self.automaton = ahocorasick.Automaton()
        for key, ids in keys.items():
            self.automaton.add_word(key, ("p", tuple(ids)))
        for key in _GENERIC_KEYS:
            self.automaton.add_word(key, ("g", ()))
        for key in PREVIEW_TOKENS:
            if self.automaton.exists(key):
                self.automaton.add_word(key, ("pv", self.automaton.get(key)[1]))
            else:
                self.automaton.add_word(key, ("pv", ()))
        self.automaton.make_automaton()

    def match(self, ua: str, low: str) -> BotMatch:
        candidates: set[int] = set()
        generic = preview = False
        for _end, (kind, ids) in self.automaton.iter(low):
            if kind == "g":
                generic = True
            else:
                if kind == "pv":
                    preview = True
                candidates.update(ids)
        if not candidates and not generic and not preview and ua.startswith("Mozilla/"):
            return NOT_BOT
        cleaned = _BLANK.sub(" ", ua)
        if preview:
            low_clean = cleaned.lower()
            if any(tok in low_clean for tok in PREVIEW_TOKENS if _preview_ok(tok, cleaned)):
                return BotMatch(True, True)
        for i in candidates:
            if self.regexes[i].search(cleaned):
                return BotMatch(True, False)
        for rx in self.unanchored:
            if rx.search(cleaned):
                return BotMatch(True, False)
        if generic and _GENERIC.search(cleaned):
            return BotMatch(True, False)
        if ua and not ua.startswith("Mozilla/") and not _CLIENT_WORDS.search(ua):
            return BotMatch(True, False)
        return NOT_BOT


def _preview_ok(tok: str, ua: str) -> bool:
    # Tokens that are also app names count only in the fetcher's own form.
    if tok == "whatsapp/":
        return ua.startswith("WhatsApp/")
    if tok == "viber":
        return ua.startswith("Viber") or "Viber-Preview" in ua or "viber-url-downloader" in ua.lower()
    if tok == "mastodon/":
        return "(Mastodon/" in ua
    return True


@lru_cache(maxsize=1)
def _index() -> _BotIndex:
    from crawleruseragents import CRAWLER_USER_AGENTS_DATA  # type: ignore[import-untyped]

    return _BotIndex(entry["pattern"] for entry in CRAWLER_USER_AGENTS_DATA)


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
    return _index().match(user_agent, user_agent.lower() if lowered is None else lowered)
