"""The pages suo serves itself: guide, deny, preview and status (404/410) pages.

Every page is one self-contained HTML document: inline CSS (and for the guide
a few lines of inline JS), no external requests (a Content-Security-Policy
meta tag forbids them), ``noindex``, a mobile viewport, under 16 KB, in
Simplified Chinese or English. Everything echoed is escaped: HTML with
``html.escape(quote=True)``; the URL given to the copy button is a JSON
string with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no target can
close the ``<script>`` element or break out of the string.

Override any page by subclassing :class:`Pages` and passing an instance to
the Shortener (see the docs); the module functions use :data:`DEFAULT_PAGES`.

Example:
    >>> from suo.antiblock import detect
    >>> c = detect("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    ...            "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44 NetType/WIFI")
    >>> page = guide_page(c, "https://shop.example.com/sale?a=1&b=<2>", lang="zh")
    >>> "在Safari中打开" in page, "shop.example.com" in page, "<2>" in page
    (True, True, False)
"""

from __future__ import annotations

import base64
import functools
import html
import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from suo.antiblock.detect import OS, Client, Platform
from suo.antiblock.lang import page_language, pick_language
from suo.errors import InvalidInput

if TYPE_CHECKING:
    from suo.shortener.model import Link

__all__ = [
    "DEFAULT_PAGES",
    "Pages",
    "deny_page",
    "guide_page",
    "intent_url",
    "page_language",
    "pick_language",
    "preview_page",
    "status_page",
]

_APP_NAMES = {
    Platform.WECHAT: ("微信", "WeChat"), Platform.WECOM: ("企业微信", "WeCom"),
    Platform.QQ: ("QQ", "QQ"), Platform.ALIPAY: ("支付宝", "Alipay"),
    Platform.WEIBO: ("微博", "Weibo"), Platform.DINGTALK: ("钉钉", "DingTalk"),
    Platform.DOUYIN: ("抖音", "Douyin"), Platform.TOUTIAO: ("今日头条", "Toutiao"),
    Platform.FEISHU: ("飞书", "Feishu"), Platform.XIAOHONGSHU: ("小红书", "Xiaohongshu"),
    Platform.KUAISHOU: ("快手", "Kuaishou"), Platform.BAIDU: ("百度", "Baidu"),
    Platform.TAOBAO: ("淘宝", "Taobao"), Platform.FACEBOOK: ("Facebook", "Facebook"),
    Platform.INSTAGRAM: ("Instagram", "Instagram"), Platform.LINE: ("LINE", "LINE"),
    Platform.TWITTER: ("X", "X"), Platform.LINKEDIN: ("LinkedIn", "LinkedIn"),
    Platform.TELEGRAM: ("Telegram", "Telegram"), Platform.TIKTOK: ("TikTok", "TikTok"),
    Platform.SNAPCHAT: ("Snapchat", "Snapchat"),
}  # fmt: skip

# The menu item each app shows, per OS family ("ios" or "other").
_MENU_ITEM = {
    (Platform.WECHAT, "ios"): ("在Safari中打开", "Open in Safari"),
    (Platform.WECHAT, "other"): ("在浏览器打开", "Open in Browser"),
    (Platform.WECOM, "ios"): ("在Safari中打开", "Open in Safari"),
    (Platform.WECOM, "other"): ("用默认浏览器打开", "Open in Default Browser"),
    (Platform.QQ, "ios"): ("在Safari中打开", "Open in Safari"),
    (Platform.QQ, "other"): ("在浏览器打开", "Open in Browser"),
    (Platform.ALIPAY, "ios"): ("在Safari中打开", "Open in Safari"),
    (Platform.ALIPAY, "other"): ("在浏览器中打开", "Open in Browser"),
    (Platform.WEIBO, "ios"): ("用Safari打开", "Open with Safari"),
    (Platform.WEIBO, "other"): ("用浏览器打开", "Open with Browser"),
    (Platform.DINGTALK, "ios"): ("在Safari中打开", "Open in Safari"),
    (Platform.DINGTALK, "other"): ("在浏览器中打开", "Open in Browser"),
    (Platform.FEISHU, "ios"): ("在Safari中打开", "Open in Safari"),
    (Platform.FEISHU, "other"): ("在浏览器中打开", "Open in Browser"),
}
_BROWSER = {"ios": ("Safari", "Safari"), "other": ("浏览器", "your browser")}

_TEXT = {
    "guide_title": ("请在浏览器中打开", "Open this link in your browser"),
    "guide_lead": (
        "{app}不能直接打开这个链接。请按下面的步骤在{browser}中打开：",
        "{app} can't open this link here. Open it in {browser}:",
    ),
    "step_menu": ('点击右上角的 <b class="k">···</b>', 'Tap <b class="k">···</b> at the top right'),
    "step_item": ("选择「<b>{item}</b>」", "Choose “<b>{item}</b>”"),
    "step_generic": (
        "在菜单中选择「<b>在浏览器打开</b>」；没有这个选项时，复制链接后粘贴到{browser}",
        "Choose “<b>Open in browser</b>”; if there is none, copy the link and paste it into {browser}",
    ),
    "desktop": (
        "点击窗口右上角的「在默认浏览器中打开」，或复制链接后粘贴到浏览器",
        "Click “Open in default browser” at the top right, or copy the link into a browser",
    ),
    "dest": ("将要打开：", "You are going to:"),
    "copy": ("复制链接", "Copy link"),
    "copied": ("已复制，请粘贴到浏览器打开", "Copied. Paste it into your browser"),
    "copy_failed": ("请长按上面的链接手动复制", "Press and hold the link above to copy it"),
    "trying": ("正在尝试用系统浏览器打开…", "Trying to open your browser…"),
    "app_default": ("当前应用", "This app"),
    "deny_title": ("无法在此访问", "Not available here"),
    "deny_body": (
        "这个链接的发布者限制了可以打开它的应用或设备。",
        "Whoever shared this link limited the apps or devices that may open it.",
    ),
    "continue": ("继续访问", "Continue"),
    "not_found_title": ("链接不存在", "Link not found"),
    "not_found_body": (
        "这个短链接不存在或已被删除。",
        "This short link does not exist or was deleted.",
    ),
    "expired_title": ("链接已过期", "Link expired"),
    "expired_body": ("这个短链接已过有效期。", "This short link has expired."),
    "landing_title": ("扫码加入群聊", "Scan to join"),
    "landing_hint": (
        "长按二维码识别加入，或用微信扫一扫；也可截图后在微信中从相册识别。",
        "Long-press the code to join, or scan it with WeChat; you can also take "
        "a screenshot and pick it from your album in WeChat's scanner.",
    ),
    "landing_hint_text": ("请用手机扫描二维码。", "Scan this code with your phone."),
    "qr_alt": ("二维码", "QR code"),
    "live_full_title": ("名额已满", "No places left"),
    "live_full_body": (
        "这个活码的所有群都已满员或已过期，请稍后再来，或联系发码的人。",
        "Every group behind this code is full or has expired. Please come back "
        "later or ask whoever shared it.",
    ),
    "password_title": ("请输入访问密码", "Enter the password"),
    "password_body": (
        "这个链接受密码保护，请输入分享者给你的密码。",
        "This link is protected. Enter the password you were given.",
    ),
    "password_label": ("密码", "Password"),
    "password_submit": ("打开链接", "Open link"),
    "password_wrong": ("密码不正确，请重试。", "That password is not right. Try again."),
    "throttled_title": ("尝试次数过多", "Too many tries"),
    "throttled_body": (
        "密码错误次数过多，请在 {minutes} 分钟后再试。",
        "Too many wrong passwords. Try again in {minutes} minutes.",
    ),
    "exhausted_title": ("链接已失效", "Link no longer available"),
    "exhausted_body": (
        "这个短链接的访问次数已用完。",
        "This short link has reached its visit limit.",
    ),
}

_CSS = (
    "*{box-sizing:border-box}body{margin:0;font:16px/1.6 -apple-system,BlinkMacSystemFont,"
    "'PingFang SC','Microsoft YaHei',sans-serif;background:#f5f6f8;color:#1f2329}"
    "main{max-width:480px;margin:0 auto;padding:24px 20px 40px}"
    "h1{font-size:22px;margin:8px 0 12px;padding-right:36px}p{margin:8px 0}"
    ".arrow{position:fixed;top:6px;right:14px;font-size:44px;line-height:1;color:#07c160;"
    "animation:b 1.2s infinite}@keyframes b{50%{transform:translate(4px,-6px)}}"
    "ol{padding-left:22px;margin:16px 0}li{margin:10px 0}"
    ".card{background:#fff;border-radius:12px;padding:16px;margin:16px 0;"
    "box-shadow:0 1px 3px rgba(0,0,0,.08)}.host{font-weight:600;word-break:break-all}"
    ".url{display:block;width:100%;margin:8px 0;padding:8px;border:1px solid #dcdfe6;"
    "border-radius:8px;font:13px/1.4 monospace;color:#555;background:#fafafa}"
    "button,.btn{display:block;width:100%;padding:12px;border:0;border-radius:10px;"
    "background:#07c160;color:#fff;font-size:17px;text-align:center;text-decoration:none}"
    ".msg{min-height:1.6em;color:#07c160;text-align:center}.muted{color:#8f959e;font-size:14px}"
    ".k{display:inline-block;padding:0 10px;border-radius:6px;background:#e7f8ee;color:#07a14f;"
    "letter-spacing:2px;font-weight:700}"
)
# The landing page's QR: inline SVG to look at, and a transparent PNG of the
# same code exactly over it, because in-app "long-press to recognise" (WeChat,
# QQ) reads <img> elements, not inline SVG.
_QR_CSS = (
    "<style>main{text-align:center}.qr{background:#fff;border-radius:12px;padding:16px;"
    "display:inline-block;position:relative}.qr svg{width:240px;height:240px;display:block}"
    ".qr .press{position:absolute;left:16px;top:16px;width:240px;height:240px;opacity:0;"
    "-webkit-touch-callout:default}p{color:#555}</style>"
)


@functools.lru_cache(maxsize=1024)
def _qr_figure(payload: str, alt: str) -> str:
    # A pure function of the payload: cached like the QR renders themselves.
    from suo.shortener.qr import render, svg_inline

    svg = svg_inline(payload, border=2)
    png = render(payload, "png", scale=8, border=2)
    data = png if isinstance(png, bytes) else png.encode()
    src = "data:image/png;base64," + base64.b64encode(data).decode()
    return f'<div class="qr">{svg}<img class="press" alt="{_e(alt)}" src="{src}"></div>'


def _t(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise InvalidInput(f"lang must be 'zh' or 'en' (see pick_language), got {lang!r}")
    return lang


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def js_string(value: str) -> str:
    """``value`` as a JavaScript string literal safe inside ``<script>``.

    Example:
        >>> js_string("</script><script>alert(1)</script>\\u2028")
        '"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e\\\\u2028"'
    """
    out = json.dumps(value, ensure_ascii=True)
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _host(target: str) -> str:
    try:
        return urlsplit(target).hostname or target
    except ValueError:
        return target


def intent_url(target: str) -> str | None:
    """An Android ``intent:`` URL that asks the system to open ``target`` in a browser.

    ``None`` for anything but http(s) URLs.

    Example:
        >>> intent_url("https://example.com/a?b=1")
        'intent://example.com/a?b=1#Intent;scheme=https;action=android.intent.action.VIEW;category=android.intent.category.BROWSABLE;end'
    """
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    rest = target.split("://", 1)[1].split("#", 1)[0]
    return (
        f"intent://{rest}#Intent;scheme={parts.scheme};action=android.intent.action.VIEW;"
        "category=android.intent.category.BROWSABLE;end"
    )


# Apps whose web view refuses intent: hand-offs (they open nothing, or warn).
_NO_INTENT = frozenset({Platform.WECHAT, Platform.WECOM, Platform.DOUYIN, Platform.TIKTOK})


class Pages:
    """The page set. Subclass and override any method to change a page.

    Each method returns a complete HTML document as a string. ``lang`` is
    ``"zh"`` or ``"en"`` (see :func:`pick_language`).

    Example:
        >>> class MyPages(Pages):
        ...     def deny(self, client, *, lang):
        ...         return "<!doctype html><title>Members only</title>"
        >>> MyPages().deny(Client(), lang="en")
        '<!doctype html><title>Members only</title>'
    """

    def document(
        self,
        title: str,
        body: str,
        *,
        lang: str,
        head: str = "",
        script: str = "",
        form_action: str = "'none'",
    ) -> str:
        """Wrap ``body`` (trusted HTML) in the shared page shell.

        ``form_action`` is the page's CSP ``form-action`` (``'self'`` for the
        password form; no other page has a form).
        """
        html_lang = "zh-CN" if lang == "zh" else "en"
        csp = (
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
            f"img-src data:; base-uri 'none'; form-action {form_action}"
        )
        js = f"<script>{script}</script>" if script else ""
        return (
            f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">'
            '<meta name="robots" content="noindex,nofollow">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{_e(title)}</title>{head}<style>{_CSS}</style></head>"
            f"<body><main>{body}</main>{js}</body></html>"
        )

    def steps(self, client: Client, lang: str) -> list[str]:
        """The guide's instructions for this app and OS, as trusted HTML items."""
        i = 0 if lang == "zh" else 1
        fam = "ios" if client.os is OS.IOS else "other"
        browser = _BROWSER[fam][i]
        if not client.is_mobile and client.platform in (
            Platform.WECHAT,
            Platform.WECOM,
            Platform.DINGTALK,
            Platform.FEISHU,
        ):
            return [_t("desktop", lang)]
        item = _MENU_ITEM.get((client.platform, fam))
        if item is not None:
            return [_t("step_menu", lang), _t("step_item", lang).format(item=_e(item[i]))]
        return [_t("step_menu", lang), _t("step_generic", lang).format(browser=_e(browser))]

    def guide(self, client: Client, target: str, *, lang: str, try_browser: bool = False) -> str:
        """The "open in your browser" page for ``target``."""
        lang = _lang(lang)
        i = 0 if lang == "zh" else 1
        fam = "ios" if client.os is OS.IOS else "other"
        app = _APP_NAMES.get(client.platform, _TEXT["app_default"])[i]
        lead = _t("guide_lead", lang).format(app=_e(app), browser=_e(_BROWSER[fam][i]))
        items = "".join(f"<li>{s}</li>" for s in self.steps(client, lang))
        body = (
            '<div class="arrow" aria-hidden="true">&#x2197;</div>'
            f"<h1>{_e(_t('guide_title', lang))}</h1><p>{lead}</p><ol>{items}</ol>"
            f'<div class="card"><p class="muted">{_e(_t("dest", lang))}</p>'
            f'<p class="host">{_e(_host(target))}</p>'
            f'<input class="url" id="u" readonly value="{_e(target)}" aria-label="URL">'
            f'<button id="c" type="button">{_e(_t("copy", lang))}</button>'
            '<p class="msg" id="m" role="status"></p></div>'
        )
        intent = intent_url(target) if try_browser else None
        attempt = (
            intent is not None and client.os is OS.ANDROID and client.platform not in _NO_INTENT
        )
        if attempt:
            body += f'<p class="muted" id="t">{_e(_t("trying", lang))}</p>'
        script = (
            f"var U={js_string(target)},OK={js_string(_t('copied', lang))},"
            f"NO={js_string(_t('copy_failed', lang))},m=document.getElementById('m');"
            "function f(){var i=document.getElementById('u');i.focus();i.select();"
            "try{m.textContent=document.execCommand('copy')?OK:NO}catch(e){m.textContent=NO}}"
            "document.getElementById('c').onclick=function(){"
            "if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(U)"
            ".then(function(){m.textContent=OK},f)}else{f()}};"
        )
        if attempt:
            assert intent is not None
            script += (
                f"setTimeout(function(){{location.href={js_string(intent)}}},50);"
                "setTimeout(function(){var t=document.getElementById('t');if(t)t.remove()},2500);"
            )
        return self.document(_t("guide_title", lang), body, lang=lang, script=script)

    def deny(self, client: Client, *, lang: str) -> str:
        """The page for visitors the policy refuses (served with 403)."""
        lang = _lang(lang)
        body = f"<h1>{_e(_t('deny_title', lang))}</h1><p>{_e(_t('deny_body', lang))}</p>"
        return self.document(_t("deny_title", lang), body, lang=lang)

    def preview(self, link: Link, *, lang: str) -> str:
        """A page with the link's Open Graph tags: the title and description people see."""
        lang = _lang(lang)
        title = link.title or _host(link.target)
        desc = link.description or ""
        head = (
            f'<meta property="og:title" content="{_e(title)}">'
            f'<meta property="og:description" content="{_e(desc)}">'
            f'<meta property="og:url" content="{_e(link.target)}">'
            '<meta property="og:type" content="website">'
            '<meta name="twitter:card" content="summary">'
            f'<meta name="description" content="{_e(desc)}">'
        )
        body = (
            f"<h1>{_e(title)}</h1>"
            + (f"<p>{_e(desc)}</p>" if desc else "")
            + f'<p class="host">{_e(_host(link.target))}</p>'
            f'<a class="btn" href="{_e(link.target)}" rel="noopener noreferrer">'
            f"{_e(_t('continue', lang))}</a>"
        )
        return self.document(title, body, lang=lang, head=head)

    def status(self, kind: str, *, lang: str) -> str:
        """The 404 (``"not_found"``) or 410 (``"expired"``, ``"exhausted"``) page."""
        lang = _lang(lang)
        if kind not in ("not_found", "expired", "exhausted"):
            raise InvalidInput(
                f"status page kind must be not_found, expired or exhausted, got {kind!r}"
            )
        title = _t(f"{kind}_title", lang)
        body = f"<h1>{_e(title)}</h1><p>{_e(_t(f'{kind}_body', lang))}</p>"
        return self.document(title, body, lang=lang)

    def landing(self, payload: str, *, title: str | None = None, lang: str) -> str:
        """A live code's landing page: the chosen target's QR code, to scan or long-press.

        Example:
            >>> page = Pages().landing("https://weixin.qq.com/g/A", lang="zh")
            >>> "<svg" in page and "noindex" in page and "扫码加入群聊" in page
            True
        """
        lang = _lang(lang)
        web = payload[:8].lower().startswith(("https://", "http://"))
        hint = _t("landing_hint" if web else "landing_hint_text", lang)
        heading = title or _t("landing_title", lang)
        body = f"<h1>{_e(heading)}</h1>{_qr_figure(payload, _t('qr_alt', lang))}<p>{_e(hint)}</p>"
        return self.document(heading, body, lang=lang, head=_QR_CSS)

    def password(self, *, lang: str, wrong: bool = False, title: str | None = None) -> str:
        """The password form of a protected link (served with 401).

        The form POSTs the password in the body to the same URL (with its
        query), never in the query string.

        Example:
            >>> page = Pages().password(lang="en", wrong=True)
            >>> 'method="post"' in page, "not right" in page, "noindex" in page
            (True, True, True)
        """
        lang = _lang(lang)
        heading = _t("password_title", lang)
        error = f'<p class="msg" role="alert">{_e(_t("password_wrong", lang))}</p>' if wrong else ""
        body = (
            f"<h1>{_e(heading)}</h1>"
            + (f'<p class="host">{_e(title)}</p>' if title else "")
            + f"<p>{_e(_t('password_body', lang))}</p>{error}"
            '<form class="card" method="post" autocomplete="off">'
            f'<label for="p">{_e(_t("password_label", lang))}</label>'
            '<input class="url" id="p" name="password" type="password" required autofocus'
            ' autocomplete="current-password" maxlength="1024">'
            f'<button type="submit">{_e(_t("password_submit", lang))}</button></form>'
        )
        return self.document(heading, body, lang=lang, form_action="'self'")

    def throttled(self, *, lang: str, retry_after: int) -> str:
        """The page for a client that made too many wrong password tries (429).

        Example:
            >>> "15 分钟" in Pages().throttled(lang="zh", retry_after=900)
            True
        """
        lang = _lang(lang)
        title = _t("throttled_title", lang)
        minutes = max(1, -(-retry_after // 60))
        text = _t("throttled_body", lang).format(minutes=minutes)
        return self.document(title, f"<h1>{_e(title)}</h1><p>{_e(text)}</p>", lang=lang)

    def exhausted(self, *, lang: str) -> str:
        """A live code's page when every target is full, expired or retired (410)."""
        lang = _lang(lang)
        title = _t("live_full_title", lang)
        body = f"<h1>{_e(title)}</h1><p>{_e(_t('live_full_body', lang))}</p>"
        return self.document(title, body, lang=lang)


#: The page set the module functions (and Shortener, by default) use.
DEFAULT_PAGES = Pages()


def guide_page(client: Client, target: str, *, lang: str, try_browser: bool = False) -> str:
    """The guide page from :data:`DEFAULT_PAGES` (see :meth:`Pages.guide`)."""
    return DEFAULT_PAGES.guide(client, target, lang=lang, try_browser=try_browser)


def deny_page(client: Client, *, lang: str) -> str:
    """The deny page from :data:`DEFAULT_PAGES` (see :meth:`Pages.deny`)."""
    return DEFAULT_PAGES.deny(client, lang=lang)


def preview_page(link: Link, *, lang: str) -> str:
    """The preview page from :data:`DEFAULT_PAGES` (see :meth:`Pages.preview`)."""
    return DEFAULT_PAGES.preview(link, lang=lang)


def status_page(kind: str, *, lang: str) -> str:
    """The 404/410 page from :data:`DEFAULT_PAGES` (see :meth:`Pages.status`).

    Example:
        >>> "链接已过期" in status_page("expired", lang="zh")
        True
    """
    return DEFAULT_PAGES.status(kind, lang=lang)
