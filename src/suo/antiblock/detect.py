"""Who is opening the link: the in-app browser, the OS, and whether it is a bot.

:func:`detect` is on every request's path, so it does little: one pass of an
Aho-Corasick automaton over the lower-cased User-Agent finds the tokens that
matter (app tokens such as ``MicroMessenger`` or ``AlipayClient``, OS tokens,
and the required literals of about 1,500 crawler patterns, see
:mod:`suo.antiblock.bots`); a few ordered rules turn the tokens into a
:class:`Client`; the result is kept in a bounded LRU cache keyed by the UA
string. A full parse (browser family and version, device model) is only done
by :func:`details`, for analytics, and only when asked.

What ``.platform`` means:

* an app's in-app browser (WeChat, QQ, Alipay, Douyin, Facebook...) -> that app;
* an ordinary browser (Chrome, Safari, Edge, Firefox, Samsung Internet, the
  Huawei/Xiaomi/vivo browsers, Sogou, Quark...), and the in-app browsers of apps
  outside the value set (Pinterest, KakaoTalk, Zalo...) -> ``Platform.BROWSER``;
  QQ Browser and UC Browser have values of their own because they are the
  common Chinese browsers;
* crawlers **and** link-preview fetchers -> ``Platform.BOT`` with
  ``is_bot=True``; preview fetchers (WeChat/Facebook/Twitter/Telegram/Slack/
  LinkedIn/WhatsApp unfurlers...) also have ``is_preview=True``. The app a
  preview is drawn for is not a visitor, so it never takes the app's platform.

Traps this handles on purpose: WeCom's UA also carries ``MicroMessenger``;
Android WeChat and the Android QQ app carry ``MQQBrowser``/``TBS`` (Tencent's
X5 web view); the QQ app (`` QQ/`` with ``V1_AND_SQ_``/``V1_IPH_SQ_``) versus QQ
Browser, and TIM and Tencent Docs, which carry `` QQ/`` too; Sogou's iOS browser
carries ``MQQBrowser``; `` Line/`` versus ``Beeline``/``lineage``/``Online``;
``Cronet`` is not a crawler; Lark (Feishu's international name) versus Lark
phones; ``BytedanceWebview`` is shared by Douyin and TikTok; HarmonyOS UAs also
say ``Android``; desktop WeChat (``WindowsWechat``/``MacWechat``) and DingTalk.
"""

from __future__ import annotations

import enum
import functools
import re
import threading
from collections.abc import Callable
from typing import Any

from attrs import frozen

from suo.antiblock.bots import FIRST_FREE_BIT, BotScanner, scanner
from suo.errors import InvalidInput

__all__ = ["OS", "Client", "Platform", "cache_clear", "cache_info", "details", "detect"]

#: Longest UA prefix that is classified; longer input is cut (headers that long
#: are abuse, and no token that matters sits that far in).
MAX_UA_LENGTH = 2048


class Platform(enum.Enum):
    """Where a link is being opened: an in-app browser, a plain browser, or a bot."""

    WECHAT = "wechat"
    WECOM = "wecom"
    QQ = "qq"
    QQ_BROWSER = "qq_browser"
    ALIPAY = "alipay"
    WEIBO = "weibo"
    DINGTALK = "dingtalk"
    DOUYIN = "douyin"
    TOUTIAO = "toutiao"
    FEISHU = "feishu"
    XIAOHONGSHU = "xiaohongshu"
    KUAISHOU = "kuaishou"
    BAIDU = "baidu"
    TAOBAO = "taobao"
    UC_BROWSER = "uc_browser"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINE = "line"
    TWITTER = "twitter"
    LINKEDIN = "linkedin"
    TELEGRAM = "telegram"
    TIKTOK = "tiktok"
    SNAPCHAT = "snapchat"
    BROWSER = "browser"
    BOT = "bot"


class OS(enum.Enum):
    """The visitor's operating system family."""

    IOS = "ios"
    ANDROID = "android"
    WINDOWS = "windows"
    MACOS = "macos"
    LINUX = "linux"
    HARMONYOS = "harmonyos"
    OTHER = "other"


#: The in-app browsers of Chinese apps (the ones that block or wall off links).
CHINESE_APPS = frozenset(
    {
        Platform.WECHAT, Platform.WECOM, Platform.QQ, Platform.ALIPAY, Platform.WEIBO,
        Platform.DINGTALK, Platform.DOUYIN, Platform.TOUTIAO, Platform.FEISHU,
        Platform.XIAOHONGSHU, Platform.KUAISHOU, Platform.BAIDU, Platform.TAOBAO,
    }
)  # fmt: skip


@frozen
class Client:
    """Who is asking, as far as the User-Agent tells.

    Attributes:
        platform: the app whose browser this is, ``BROWSER``, or ``BOT``.
        os: the operating system family.
        is_bot: a crawler, script or link-preview fetcher.
        is_mobile: a phone or tablet (iOS, Android, HarmonyOS or a mobile token).
        is_preview: a link-preview fetcher (implies ``is_bot``).
        app_version: the app's version when the UA carries one (``"8.0.44"``).
        user_agent: the string that was classified.

    Example:
        >>> c = detect("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        ...            "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI")
        >>> c.platform, c.os, c.is_mobile, c.app_version
        (<Platform.WECHAT: 'wechat'>, <OS.IOS: 'ios'>, True, '8.0.44')
    """

    platform: Platform = Platform.BROWSER
    os: OS = OS.OTHER
    is_bot: bool = False
    is_mobile: bool = False
    is_preview: bool = False
    app_version: str | None = None
    user_agent: str = ""

    @property
    def is_in_app(self) -> bool:
        """True inside an app's own browser (not a browser, not a bot)."""
        return self.platform not in (
            Platform.BROWSER, Platform.BOT, Platform.QQ_BROWSER, Platform.UC_BROWSER
        )  # fmt: skip


# -- the token scan ------------------------------------------------------------

# Lower-case token -> flag name. Several tokens may set one flag.
_TOKENS: dict[str, str] = {
    # apps
    "wxwork": "wecom",
    "micromessenger": "wechat", "windowswechat": "wechat", "macwechat": "wechat",
    " qq/": "qq", "v1_and_sq_": "qq_sq", "v1_iph_sq_": "qq_sq", "tim/": "tim",
    "tencentdocs": "tencentdocs", "mqqbrowser": "qqbrowser", "qqbrowser": "qqbrowser",
    "sogoumse": "sogou", "sogoumobilebrowser": "sogou", "metasr": "sogou",
    "alipayclient": "alipay", "aliapp(ap/": "alipay",
    "dingtalk": "dingtalk",
    "aliapp(tb/": "taobao", "taobao": "taobao", "tbios": "taobao", "aliapp(tm/": "taobao",
    "__weibo__": "weibo", "weibo (": "weibo", "sinaweibo": "weibo", "weibo/": "weibo",
    "aweme": "douyin", "douyin": "douyin",
    "newsarticle/": "toutiao", "newslite/": "toutiao",
    "lark/": "feishu", "feishu": "feishu", "larklocale": "feishu",
    "musical_ly": "tiktok", "trill_": "tiktok", "tiktok": "tiktok",
    "bytedancewebview": "bytedance", "bytelocale/zh": "bytezh",
    "xhsdiscover": "xiaohongshu", "xiaohongshu": "xiaohongshu",
    "kwai/": "kuaishou", "ksnebula": "kuaishou", "kswebview": "kuaishou", "kuaishou": "kuaishou",
    "baiduboxapp": "baidu", "baidubrowser": "baidu", "bdbrowser": "baidu",
    "bidubrowser": "baidu", "baiduhd": "baidu", "flyflow/": "baidu",
    "ucbrowser": "uc", "ucweb": "uc", " ubrowser/": "uc", "uc browser": "uc",
    ") uc applewebkit": "uc", "ucmobile/": "uc",
    "instagram": "instagram",
    "fban/": "facebook", "fbav/": "facebook", "fb_iab": "facebook", "fbios": "facebook",
    "metaiab facebook": "facebook",
    " line/": "line",
    "twitter for": "twitter", "twitterandroid": "twitter", "twitter/": "twitter",
    "linkedinapp": "linkedin",
    "telegram-android": "telegram", "telegram-ios": "telegram", "telegram/": "telegram",
    "snapchat": "snapchat",
    # operating systems
    "harmonyos": "harmony", "openharmony": "harmony", "hmos/": "harmony",
    "iphone": "ios", "ipad": "ios", "ipod": "ios", "cpu os ": "ios", "iphone_os": "ios",
    "(ios": "ios", " ios ": "ios", " ios;": "ios", " ios/": "ios", "/ios;": "ios",
    "-ios/": "ios", "watchos": "ios",
    "like mac os x": "ios_like",
    "android": "android", "andr0id": "android", "adr ": "android", "dalvik": "android",
    "fb4a": "android", "silk/": "android",
    "windows phone": "winphone", "windows mobile": "winphone", "windows ce": "winphone",
    "iemobile": "winphone", "wpdesktop": "winphone", "; wds ": "winphone",
    "windows": "windows", "win32": "windows", "winnt": "windows", "win98": "windows",
    "win 9x": "windows", "win95": "windows", "(win10": "windows", "(win7": "windows",
    "(win8": "windows", "(winxp": "windows", "cygwin": "windows",
    "macintosh": "mac", "mac os x": "mac", "mac_powerpc": "mac", "macos": "mac",
    "darwin/": "darwin", "cfnetwork": "cfnetwork", "(x86_64)": "macdevice", "(i386)": "macdevice",
    "(macbook": "macdevice", "(imac": "macdevice", "(macmini": "macdevice", "(macpro": "macdevice",
    "linux": "linux", "x11": "x11", "ubuntu": "linux", "fedora": "linux", "debian": "linux",
    "cros ": "other_os", "tizen": "other_os", "kaios": "other_os", "web0s": "other_os",
    "webos": "other_os", "sailfish": "other_os", "freebsd": "other_os", "openbsd": "other_os",
    "netbsd": "other_os", "sunos": "other_os", "symbian": "other_os", "blackberry": "other_os",
    "bb10": "other_os", "playstation": "other_os", "nintendo": "other_os",
    "mobile": "mobile", "tablet": "mobile",
}  # fmt: skip

# One bit per flag; the crawler index's automaton reports them in the same pass.
_BIT: dict[str, int] = {
    flag: FIRST_FREE_BIT << i for i, flag in enumerate(sorted(set(_TOKENS.values())))
}
_SCANNER: BotScanner | None = None
_SCANNER_LOCK = threading.Lock()


def _scanner() -> BotScanner:
    global _SCANNER  # built once, on first use (about 50 ms)
    if _SCANNER is None:
        with _SCANNER_LOCK:
            if _SCANNER is None:
                extra: dict[str, int] = {}
                for key, flag in _TOKENS.items():
                    extra[key] = extra.get(key, 0) | _BIT[flag]
                _SCANNER = scanner(extra)
    return _SCANNER


_LINE = re.compile(r"(?:^|[\s;(\[])Line/\d")
_QQ_APP = re.compile(r"(?:^|[\s;])QQ/\d")
_VERSION: dict[Platform, re.Pattern[str]] = {
    Platform.WECHAT: re.compile(r"MicroMessenger/([\d.]+\d)", re.I),
    Platform.WECOM: re.compile(r"wxwork/([\d.]+\d)", re.I),
    Platform.QQ: re.compile(r"(?:^|\s)QQ/([\d.]+\d)"),
    Platform.QQ_BROWSER: re.compile(r"QQBrowser(?:Lite)?/([\d.]+\d)", re.I),
    Platform.ALIPAY: re.compile(r"(?:AlipayClient|AliApp\(AP)/([\d.]+\d)", re.I),
    Platform.WEIBO: re.compile(r"(?:__weibo__|weibo/)([\d.]+\d)", re.I),
    Platform.DINGTALK: re.compile(r"DingTalk[/(]([\d.]+\d)", re.I),
    Platform.DOUYIN: re.compile(r"(?:aweme_(?:lite_)?|app_version/)([\d.]+\d)", re.I),
    Platform.TOUTIAO: re.compile(r"News(?:Article|Lite)/([\d.]+\d)", re.I),
    Platform.FEISHU: re.compile(r"(?:Lark|Feishu)/([\d.]+\d)", re.I),
    Platform.XIAOHONGSHU: re.compile(r"xhsdiscover/([\d.]+\d)", re.I),
    Platform.KUAISHOU: re.compile(r"(?:Kwai|ksNebula)/([\d.]+\d)", re.I),
    Platform.BAIDU: re.compile(r"(?:baiduboxapp|baidubrowser|bdbrowser)/([\d.]+\d)", re.I),
    Platform.TAOBAO: re.compile(r"AliApp\(T[BM]/([\d.]+\d)", re.I),
    Platform.UC_BROWSER: re.compile(r"U?C ?Browser/?([\d.]+\d)", re.I),
    Platform.FACEBOOK: re.compile(r"FBAV/([\d.]+\d)"),
    Platform.INSTAGRAM: re.compile(r"Instagram ([\d.]+\d)"),
    Platform.LINE: re.compile(r"Line/([\d.]+\d)"),
    Platform.TWITTER: re.compile(r"Twitter for \w+/([\d.]+\d)"),
    Platform.LINKEDIN: re.compile(r"LinkedInApp\]?/([\d.]+\d)"),
    Platform.TELEGRAM: re.compile(r"Telegram-(?:Android|iOS)/([\d.]+\d)"),
    Platform.TIKTOK: re.compile(r"(?:musical_ly_|trill_|app_version/)([\d.]+\d)"),
    Platform.SNAPCHAT: re.compile(r"Snapchat/([\d.]+\d)"),
}


def _qq_app(f: int, ua: str) -> Platform | None:
    if f & (_BIT["tim"] | _BIT["tencentdocs"]) or not _QQ_APP.search(ua):
        return None  # TIM and Tencent Docs carry " QQ/" too
    return Platform.QQ


def _bytedance(f: int, ua: str) -> Platform | None:
    return Platform.DOUYIN if f & _BIT["bytezh"] else Platform.TIKTOK


def _line(f: int, ua: str) -> Platform | None:
    return Platform.LINE if _LINE.search(ua) else None


def _qq_browser(f: int, ua: str) -> Platform | None:
    return None if f & (_BIT["tim"] | _BIT["tencentdocs"]) else Platform.QQ_BROWSER


_Check = Callable[[int, str], "Platform | None"]

# Priority order: the more specific app first (see the module docstring).
_ORDER: list[tuple[int, Platform | _Check]] = [
    (_BIT["wecom"], Platform.WECOM),
    (_BIT["wechat"], Platform.WECHAT),
    (_BIT["qq"], _qq_app),
    (_BIT["dingtalk"], Platform.DINGTALK),
    (_BIT["alipay"], Platform.ALIPAY),
    (_BIT["taobao"], Platform.TAOBAO),
    (_BIT["weibo"], Platform.WEIBO),
    (_BIT["douyin"], Platform.DOUYIN),
    (_BIT["toutiao"], Platform.TOUTIAO),
    (_BIT["feishu"], Platform.FEISHU),
    (_BIT["tiktok"], Platform.TIKTOK),
    (_BIT["bytedance"], _bytedance),
    (_BIT["xiaohongshu"], Platform.XIAOHONGSHU),
    (_BIT["kuaishou"], Platform.KUAISHOU),
    (_BIT["baidu"], Platform.BAIDU),
    (_BIT["instagram"], Platform.INSTAGRAM),
    (_BIT["facebook"], Platform.FACEBOOK),
    (_BIT["line"], _line),
    (_BIT["twitter"], Platform.TWITTER),
    (_BIT["linkedin"], Platform.LINKEDIN),
    (_BIT["telegram"], Platform.TELEGRAM),
    (_BIT["snapchat"], Platform.SNAPCHAT),
    (_BIT["sogou"], Platform.BROWSER),  # Sogou's iOS browser carries MQQBrowser
    (_BIT["qqbrowser"], _qq_browser),
    (_BIT["uc"], Platform.UC_BROWSER),
]
_APP_MASK = 0
for _mask, _ in _ORDER:
    _APP_MASK |= _mask


def _platform(f: int, ua: str) -> Platform:
    if not f & _APP_MASK:
        return Platform.BROWSER  # the common case: no app token at all
    for mask, outcome in _ORDER:
        if f & mask:
            if isinstance(outcome, Platform):
                return outcome
            decided = outcome(f, ua)
            if decided is not None:
                return decided
    return Platform.BROWSER


def _os(f: int) -> OS:
    if f & _BIT["harmony"]:
        return OS.HARMONYOS
    if f & _BIT["winphone"]:
        return OS.OTHER
    if f & _BIT["android"]:
        return OS.ANDROID  # before iOS: device names like "KLIPAD" contain "ipad"
    if f & _BIT["ios"]:
        return OS.IOS
    if f & _BIT["windows"]:
        return OS.WINDOWS
    if f & _BIT["ios_like"] and not f & _BIT["mac"]:
        return OS.IOS
    if f & _BIT["mac"]:
        return OS.MACOS
    if f & _BIT["cfnetwork"] and f & _BIT["darwin"]:
        return OS.MACOS if f & _BIT["macdevice"] else OS.IOS
    if f & _BIT["other_os"]:
        return OS.OTHER
    if f & _BIT["linux"] or f & _BIT["x11"]:
        return OS.LINUX
    if f & _BIT["darwin"]:
        return OS.MACOS
    return OS.OTHER


_MOBILE_BIT = _BIT["mobile"]


def _classify(ua: str) -> Client:
    low = ua.lower()
    index = _scanner()
    flags, candidates = index.scan(low)
    os_ = _os(flags)
    # identity tests: Enum.__hash__ is a Python-level call, too slow for this path
    mobile = (
        os_ is OS.IOS or os_ is OS.ANDROID or os_ is OS.HARMONYOS
        or bool(flags & _MOBILE_BIT and os_ is not OS.WINDOWS and os_ is not OS.MACOS)
    )  # fmt: skip
    bot = index.match(ua, flags, candidates)
    if bot.is_bot:
        return Client(
            Platform.BOT, os_, is_bot=True, is_mobile=mobile, is_preview=bot.is_preview,
            user_agent=ua,
        )  # fmt: skip
    platform = _platform(flags, ua)
    version = None
    rx = None if platform is Platform.BROWSER else _VERSION.get(platform)
    if rx is not None:
        m = rx.search(ua)
        if m:
            version = m.group(1)
    if platform is Platform.WECHAT and ("windowswechat" in low or "macwechat" in low):
        mobile = False
    return Client(platform, os_, is_mobile=mobile, app_version=version, user_agent=ua)


# -- cache -------------------------------------------------------------------

# functools.lru_cache rather than a cachetools LRUCache here: it is written in
# C and thread-safe without a lock of ours, so a repeated UA costs a fraction
# of a microsecond and an unseen one pays no Python-level cache bookkeeping.
#
# The cache keeps each UA string alive, so its size in bytes is what the
# strings weigh. Two caches bound it: real UAs (ASCII, 99% under 512
# characters) share a big one; long or non-ASCII strings (a str of them
# takes up to 4 bytes a character) get a small one of their own, so a flood
# of 2 KB UAs evicts only other outliers. Worst case about 34 MB (29.6 MB
# measured for a full main cache of 512-character UAs, plus at most 512 long
# ones); benchmarks/bench_detect_memory.py measures it against the single
# cache of 50,000 entries this replaced (115 MB of 2,000-character UAs).

SHORT_UA = 512
"""Longest UA (in characters, ASCII only) kept in the main detection cache."""
CACHE_SIZE = 36_000
"""Entries of the main detection cache (UAs up to :data:`SHORT_UA` characters)."""
LONG_CACHE_SIZE = 512
"""Entries of the cache for longer or non-ASCII UAs (up to :data:`MAX_UA_LENGTH`)."""

_cached = functools.lru_cache(maxsize=CACHE_SIZE)(_classify)
_cached_long = functools.lru_cache(maxsize=LONG_CACHE_SIZE)(_classify)


def detect(user_agent: str) -> Client:
    """Classify a User-Agent string (cached; thread-safe).

    Args:
        user_agent: the request's ``User-Agent`` header (``""`` when absent).
            An empty UA is a ``BROWSER`` on ``OTHER``: nothing says it is a bot,
            and suo never treats an unknown visitor worse than a known one.

    Raises:
        InvalidInput: ``user_agent`` is not a string.

    Example:
        >>> detect("Mozilla/5.0 (Linux; Android 13; V2232A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
        ...        "(KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/6.2 TBS/046613 "
        ...        "Mobile Safari/537.36 V1_AND_SQ_8.9.80_4614_YYB_D QQ/8.9.80.12440 NetType/WIFI").platform
        <Platform.QQ: 'qq'>
        >>> detect("Twitterbot/1.0").platform, detect("Twitterbot/1.0").is_preview
        (<Platform.BOT: 'bot'>, True)
    """
    if not isinstance(user_agent, str):
        raise InvalidInput(
            f"user_agent must be a str (the User-Agent header, '' when absent), "
            f"got {type(user_agent).__name__}"
        )
    # isascii() is O(1) in CPython (a flag of the string object).
    if user_agent.isascii() and len(user_agent) <= SHORT_UA:
        return _cached(user_agent)
    if len(user_agent) <= MAX_UA_LENGTH:
        return _cached_long(user_agent)
    return _classify(user_agent[:MAX_UA_LENGTH])  # never cached: it would evict real UAs


def cache_clear() -> None:
    """Empty the detection caches (benchmarks and tests use it)."""
    _cached.cache_clear()
    _cached_long.cache_clear()


def cache_info() -> dict[str, int]:
    """Hits, misses, current size and capacity of the detection caches (both summed).

    ``long_size`` is how many of them are long or non-ASCII UAs.

    Example:
        >>> cache_info()["maxsize"]
        36512
    """
    main, long = _cached.cache_info(), _cached_long.cache_info()
    return {
        "hits": main.hits + long.hits,
        "misses": main.misses + long.misses,
        "size": main.currsize + long.currsize,
        "maxsize": int(main.maxsize or 0) + int(long.maxsize or 0),
        "long_size": long.currsize,
    }


def details(user_agent: str) -> dict[str, Any]:
    """Browser, OS and device detail for analytics (a full parse; slow; lazy).

    Uses ``ua-parser`` (the uap-core regexes); imported on first use, never on
    the redirect path. Returns plain strings, ``None`` where unknown, plus the
    fast :func:`detect` fields.

    Example:
        >>> d = details("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        ...             "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
        >>> d["browser"], d["os_version"], d["device_brand"]
        ('Mobile Safari', '17.1', 'Apple')
    """
    import ua_parser

    client = detect(user_agent)
    r = ua_parser.parse(user_agent[:MAX_UA_LENGTH])

    def _ver(part: Any) -> str | None:
        if part is None or part.major is None:
            return None
        bits = [part.major, part.minor, part.patch]
        return ".".join(b for b in bits if b)

    return {
        "platform": client.platform.value,
        "os": client.os.value,
        "is_bot": client.is_bot,
        "is_mobile": client.is_mobile,
        "is_preview": client.is_preview,
        "app_version": client.app_version,
        "browser": r.user_agent.family if r.user_agent else None,
        "browser_version": _ver(r.user_agent),
        "os_name": r.os.family if r.os else None,
        "os_version": _ver(r.os),
        "device": r.device.family if r.device else None,
        "device_brand": r.device.brand if r.device else None,
        "device_model": r.device.model if r.device else None,
    }


# Built at import (about 50 ms) so that no request pays for it.
_scanner()
