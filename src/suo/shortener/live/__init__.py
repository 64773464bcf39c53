"""Live codes (活码): one permanent short link and QR code that rotates through targets.

A WeChat group's QR code expires after 7 days and stops admitting by scan at
200 members, so operators keep replacing it. A live code is one permanent
short link (and QR code) whose landing page shows whichever target is active
now. Each target (:class:`LiveTarget`) has a payload (what its QR code
holds: a group invite URL, any text, or a plain web page), an optional cap
(how many visitors it may take), an optional expiry and a weight.

Strategies (``fill_first``, ``round_robin``, ``weighted``) and the atomic
slot claims are described in :mod:`suo.shortener.live.choose`.

The package is split by concept: :mod:`~suo.shortener.live.values` (targets,
slots, events, status), :mod:`~suo.shortener.live.choose` (choosing and
claiming a target), :mod:`~suo.shortener.live.events` (noticing events and the
Shortener's hooks) and :mod:`~suo.shortener.live.manager` (:class:`LiveCode`).
The store side is :class:`suo.shortener.LiveStore`; the pages are
:meth:`Pages.landing <suo.antiblock.Pages.landing>` and
:meth:`Pages.exhausted <suo.antiblock.Pages.exhausted>`, so a branded
``Pages`` passed as ``Shortener(pages=...)`` reaches them.

What a visit gets, after the link's access policy allowed it:

* PAGE (200): a self-contained landing page (zh/en, ``noindex``) with the
  chosen target's QR code inline as SVG, when the payload is meant to be
  *scanned*: anything that is not an http(s) URL, and http(s) invites of
  chat apps, which only work from a scanner (:func:`is_scan_only`: WeChat
  ``weixin.qq.com/g/`` and ``/r/``, ``u.wechat.com``, WeCom
  ``work.weixin.qq.com``, QQ ``qm.qq.com`` and ``jq.qq.com``, Alipay
  ``qr.alipay.com``, DingTalk ``qr.dingtalk.com``).
* REDIRECT (the link's ``redirect_status``) to the payload when it is a
  plain web page.
* EXHAUSTED (410) when every target is full, expired or retired.

``Decision.target`` is the chosen :class:`LiveTarget` in both first cases.

Bots and link-preview fetchers get the same page (no cloaking) but never
claim a slot: they are shown the first target with room in the strategy's
order (round robin without advancing, weighted: the heaviest). ``explain()``
does the same and records nothing.

WeChat group payloads (``https://weixin.qq.com/g/...``) get a 7-day expiry
from when they are added (the shortener's clock) unless one is given.

Events: a target crossing :data:`NEARLY_FULL` of its cap, filling up, coming
within :data:`EXPIRING_WITHIN` of its expiry or expiring, and the whole pool
running empty, are each recorded once in the store (a set-if-absent key) and
passed to the hooks of the Shortener that noticed them (``Shortener.on``,
:meth:`LiveCode.on`). A bot in another process reads them with :meth:`LiveCode.events`, and a scheduler calls
:meth:`LiveCode.check` to find time-driven ones (expiry) between visits.

Example:
    >>> import suo
    >>> from datetime import UTC, datetime
    >>> s = suo.Shortener("memory://", base_url="https://s.example/",
    ...                   clock=lambda: datetime(2026, 11, 25, tzinfo=UTC))
    >>> link = s.shorten_live([
    ...     suo.shortener.LiveTarget("https://weixin.qq.com/g/AAA", cap=2),
    ...     suo.shortener.LiveTarget("https://weixin.qq.com/g/BBB", cap=1),
    ... ], alias="join")
    >>> [s.resolve("join").target.payload for _ in range(3)]
    ['https://weixin.qq.com/g/AAA', 'https://weixin.qq.com/g/AAA', 'https://weixin.qq.com/g/BBB']
    >>> s.resolve("join").kind.value
    'exhausted'
    >>> [(t.id, t.used, t.cap, t.state()) for t in s.live("join").targets()]
    [(1, 2, 2, 'full'), (2, 1, 1, 'full')]
"""

from __future__ import annotations

from suo.shortener.live.events import EventHooks, Listener
from suo.shortener.live.manager import LiveCode
from suo.shortener.live.values import (
    EVENTS,
    EXPIRING_WITHIN,
    MAX_PAYLOAD,
    NEARLY_FULL,
    STRATEGIES,
    WECHAT_GROUP_TTL,
    LiveEvent,
    LiveSlot,
    LiveStatus,
    LiveTarget,
    is_scan_only,
    is_wechat_group,
)

__all__ = [
    "EVENTS",
    "EXPIRING_WITHIN",
    "MAX_PAYLOAD",
    "NEARLY_FULL",
    "STRATEGIES",
    "WECHAT_GROUP_TTL",
    "EventHooks",
    "Listener",
    "LiveCode",
    "LiveEvent",
    "LiveSlot",
    "LiveStatus",
    "LiveTarget",
    "is_scan_only",
    "is_wechat_group",
]

from suo._exports import publish

publish(globals(), __all__)
