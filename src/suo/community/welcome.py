"""Welcome messages per community kind, in Chinese and English, with placeholders.

Placeholders (``str.format`` style): ``{name}`` (the member's name or id),
``{community}``, ``{goal}``, ``{role}`` (the role's label in the language),
``{ends_at}`` (a flash community's end, ``YYYY-MM-DD HH:MM`` in UTC),
``{rules}`` (one line on the house rules), plus any keys passed as ``extra``.
An unknown placeholder raises :class:`~suo.errors.InvalidInput` naming the
known ones, before anything is sent.

Example:
    >>> from datetime import UTC, datetime
    >>> from suo.community import Community, Member
    >>> flash = Community(name="双11快闪群", kind="flash", starts_at=datetime(2026, 11, 9, 12, tzinfo=UTC))
    >>> print(welcome_message(flash, Member(id="u1", name="小红")))
    欢迎 小红 加入「双11快闪群」！本群为快闪群，将于 2026-11-12 12:00 (UTC) 关闭，福利限时，记得置顶。请勿发广告和外链，违规将依次警告、禁言、移出。
    >>> welcome_message(flash, Member(id="u1"), lang="en", template="Hi {name}, {extra_note}", extra={"extra_note": "see pinned"})
    'Hi u1, see pinned'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from suo.community.model import Community, CommunityKind, Member
from suo.errors import InvalidInput

__all__ = ["PLACEHOLDERS", "WELCOME_TEMPLATES", "welcome_message"]

PLACEHOLDERS = ("name", "community", "goal", "role", "ends_at", "rules")
"""Placeholders every template may use."""

_RULES = {
    "zh": "请勿发广告和外链，违规将依次警告、禁言、移出。",
    "en": "No ads or outside links: a first offence gets a warning, then a mute, then removal.",
}

WELCOME_TEMPLATES: Mapping[tuple[CommunityKind, str], str] = {
    (CommunityKind.TRAFFIC, "zh"): "欢迎 {name} 加入「{community}」！先看群公告，有问题随时@运营官。{rules}",
    (CommunityKind.TRAFFIC, "en"): "Welcome to {community}, {name}! Read the pinned notice first and ask an operator anything. {rules}",
    (CommunityKind.WELFARE, "zh"): "欢迎 {name} 加入「{community}」！每周一、三、五、日有福利，留意群公告。{rules}",
    (CommunityKind.WELFARE, "en"): "Welcome to {community}, {name}! Perks drop every Monday, Wednesday, Friday and Sunday: watch the pinned notice. {rules}",
    (CommunityKind.FLASH, "zh"): "欢迎 {name} 加入「{community}」！本群为快闪群，将于 {ends_at} (UTC) 关闭，福利限时，记得置顶。{rules}",
    (CommunityKind.FLASH, "en"): "Welcome to {community}, {name}! This flash group closes at {ends_at} UTC: the deals are for now, so pin it. {rules}",
}  # fmt: skip
"""The built-in template per (kind, language)."""


def welcome_message(
    community: Community,
    member: Member,
    *,
    lang: str = "zh",
    template: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The welcome text for ``member`` joining ``community``.

    Args:
        community: where they join.
        member: who joins.
        lang: ``"zh"`` or ``"en"``.
        template: your own template (default: the built-in one for the kind).
        extra: values for placeholders of your own.

    Raises:
        InvalidInput: unknown language, or a placeholder nobody fills.
    """
    if lang not in ("zh", "en"):
        raise InvalidInput(f"lang must be 'zh' or 'en', got {lang!r}")
    text = template if template is not None else WELCOME_TEMPLATES[(community.kind, lang)]
    ends = (
        community.ends_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        if community.ends_at is not None
        else ("未定" if lang == "zh" else "to be announced")
    )
    values: dict[str, Any] = {
        "name": member.name or member.id,
        "community": community.name,
        "goal": community.goal,
        "role": member.role.label(lang),
        "ends_at": ends,
        "rules": _RULES[lang],
        **dict(extra or {}),
    }
    try:
        fields = [f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise InvalidInput(f"welcome template {text!r} is malformed: {exc}") from None
    unknown = sorted({f.split(".")[0].split("[")[0] for f in fields} - set(values))
    if unknown or any(f == "" for f in fields):
        raise InvalidInput(
            f"welcome template uses unknown placeholders {unknown or ['{}']}; "
            f"known: {', '.join(sorted(values))} (pass more through extra=)"
        )
    return text.format_map(values)
