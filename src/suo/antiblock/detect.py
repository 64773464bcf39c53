"""Client detection from the User-Agent (first version; replaced by the full scanner)."""

from __future__ import annotations

import enum

from attrs import frozen

__all__ = ["OS", "Client", "Platform", "detect"]


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


@frozen
class Client:
    """Who is asking, as far as the User-Agent tells."""

    platform: Platform = Platform.BROWSER
    os: OS = OS.OTHER
    is_bot: bool = False
    is_mobile: bool = False
    is_preview: bool = False
    app_version: str | None = None
    user_agent: str = ""


def detect(user_agent: str) -> Client:
    """Classify a User-Agent string."""
    ua = user_agent or ""
    low = ua.lower()
    os_ = OS.OTHER
    if "iphone" in low or "ipad" in low:
        os_ = OS.IOS
    elif "android" in low:
        os_ = OS.ANDROID
    elif "windows" in low:
        os_ = OS.WINDOWS
    elif "mac os x" in low:
        os_ = OS.MACOS
    mobile = os_ in (OS.IOS, OS.ANDROID)
    if "wxwork" in low:
        return Client(Platform.WECOM, os_, is_mobile=mobile, user_agent=ua)
    if "micromessenger" in low:
        return Client(Platform.WECHAT, os_, is_mobile=mobile, user_agent=ua)
    if "bot" in low or "spider" in low or "crawler" in low:
        return Client(Platform.BOT, os_, is_bot=True, user_agent=ua)
    return Client(Platform.BROWSER, os_, is_mobile=mobile, user_agent=ua)
