"""Guide, deny and status pages (first version; replaced by the full page set)."""

from __future__ import annotations

import html

from suo.antiblock.detect import Client
from suo.shortener.model import Link

__all__ = ["deny_page", "guide_page", "pick_language"]


def pick_language(accept_language: str | None) -> str:
    """``"zh"`` when Accept-Language prefers Chinese, else ``"en"``."""
    if accept_language and accept_language.strip().lower().startswith("zh"):
        return "zh"
    return "en"


def guide_page(client: Client, target: str, *, lang: str) -> str:
    t = html.escape(target)
    title = "请在浏览器中打开" if lang == "zh" else "Open in your browser"
    return f'<!doctype html><meta name="robots" content="noindex"><title>{title}</title><p>{t}</p>'


def deny_page(client: Client, *, lang: str) -> str:
    title = "无法访问" if lang == "zh" else "Not available here"
    return f'<!doctype html><meta name="robots" content="noindex"><title>{title}</title>'


def preview_page(link: Link, *, lang: str) -> str:
    title = html.escape(link.title or link.target)
    return f'<!doctype html><meta property="og:title" content="{title}"><title>{title}</title>'
