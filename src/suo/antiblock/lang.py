"""Accept-Language parsing (RFC 9110 section 12.5.4) for pages and policy rules.

Example:
    >>> from suo.antiblock.lang import parse_accept_language
    >>> parse_accept_language("zh-CN,zh;q=0.9,en;q=0.8")
    [('zh-cn', 1.0), ('zh', 0.9), ('en', 0.8)]
"""

from __future__ import annotations

import re

from suo.antiblock.detect import CHINESE_APPS, Client

__all__ = ["page_language", "parse_accept_language", "pick_language"]

_ITEM = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+)\s*)?$")
#: Languages suo ships pages in.
SUPPORTED = ("zh", "en")


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """Language ranges of an ``Accept-Language`` header, best first.

    Malformed items and ``q=0`` (refused) items are dropped; ties keep header
    order. Ranges are lower-cased.

    Example:
        >>> parse_accept_language("en-US;q=0.8, zh-CN, zh;q=0.9, fr;q=0")
        [('zh-cn', 1.0), ('zh', 0.9), ('en-us', 0.8)]
    """
    if not header or len(header) > 4096:
        return []
    out: list[tuple[int, str, float]] = []
    for i, part in enumerate(header.split(",")):
        m = _ITEM.match(part)
        if not m:
            continue
        try:
            q = 1.0 if m.group(2) is None else float(m.group(2))
        except ValueError:
            continue
        if not 0 < q <= 1:
            continue
        out.append((i, m.group(1).lower(), q))
    out.sort(key=lambda t: (-t[2], t[0]))
    return [(tag, q) for _, tag, q in out]


_UA_LANGUAGE = re.compile(r"\bLanguage/([A-Za-z]{2})(?![A-Za-z])")


def pick_language(
    accept_language: str | None, user_agent: str | None = None, *, default: str = "en"
) -> str:
    """``"zh"`` or ``"en"``: the first supported language the visitor prefers.

    ``*`` and unsupported languages are skipped. When the header names no
    supported language, the app's own ``Language/xx`` token in the
    User-Agent decides (WeChat and WeCom send ``Language/zh_CN``); failing
    that, ``default``.

    Example:
        >>> pick_language("fr-FR, zh-TW;q=0.8, en;q=0.5")
        'zh'
        >>> pick_language("zh;q=0.1, en;q=0.9")
        'en'
        >>> pick_language(None)
        'en'
        >>> pick_language(None, "Mozilla/5.0 ... MicroMessenger/8.0.44 NetType/WIFI Language/zh_CN")
        'zh'
    """
    for tag, _q in parse_accept_language(accept_language):
        primary = tag.split("-", 1)[0]
        if primary in SUPPORTED:
            return primary
    if user_agent:
        m = _UA_LANGUAGE.search(user_agent)
        if m and m.group(1).lower() in SUPPORTED:
            return m.group(1).lower()
    return default


def page_language(accept_language: str | None, client: Client | None = None) -> str:
    """``"zh"`` or ``"en"``: the language of the page suo shows this visitor.

    The one rule for every page suo renders itself (guide, deny, preview,
    live-code and 404/410 pages), so a page and its ``Content-Language``
    always agree: the ``Accept-Language`` header first, then the app's own
    ``Language/xx`` token in the User-Agent, and failing both, Chinese for a
    Chinese in-app browser (:data:`~suo.antiblock.CHINESE_APPS`: WeChat, QQ,
    Douyin...) and English for everyone else.

    Example:
        >>> from suo.antiblock import detect
        >>> wechat = detect("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
        ...                 "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44")
        >>> page_language(None, wechat), page_language("en-US", wechat)
        ('zh', 'en')
        >>> page_language(None, detect("curl/8.5")), page_language("zh-CN,zh;q=0.9")
        ('en', 'zh')
    """
    if client is None:
        return pick_language(accept_language)
    default = "zh" if client.platform in CHINESE_APPS else "en"
    return pick_language(accept_language, client.user_agent, default=default)
