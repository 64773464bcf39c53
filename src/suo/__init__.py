"""suo: link-driven private-community campaigns.

Short links that open properly in in-app browsers (WeChat, QQ, Alipay,
Weibo, DingTalk, Douyin, Feishu...), QR and live codes, the communities those
links feed, and the SOP calendar that says who posts what, when.

Examples:
    >>> import suo
    >>> s = suo.Shortener(suo.open_store("memory://"))
    >>> link = s.shorten("https://example.com/welcome", alias="hi")
    >>> s.resolve("hi").location
    'https://example.com/welcome'
"""

from __future__ import annotations

from suo import errors
from suo.antiblock import OS, AccessPolicy, Client, Platform, detect
from suo.decision import Decision, DecisionKind
from suo.shortener import Link, LiveTarget, Shortener, Stats
from suo.storage import open_store

__version__ = "0.1.0"

__all__ = [
    "OS",
    "AccessPolicy",
    "Client",
    "Decision",
    "DecisionKind",
    "Link",
    "LiveTarget",
    "Platform",
    "Shortener",
    "Stats",
    "__version__",
    "detect",
    "errors",
    "open_store",
]
