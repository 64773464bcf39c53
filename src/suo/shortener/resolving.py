"""The pure steps of the resolve path, shared by ``Shortener.resolve`` and ``aresolve``.

Both drivers (``Shortener._resolve`` in :mod:`suo.shortener.service` and
``_aresolve`` in :mod:`suo.shortener.aio`) call these between their store
calls, so every rule of a visit is written once. See the comment above
``Shortener._resolve`` for the numbered steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from suo.antiblock.detect import Client
from suo.antiblock.policy import Action, PolicyDecision
from suo.decision import DecisionKind
from suo.shortener.live.choose import Pick
from suo.shortener.live.values import is_scan_only
from suo.shortener.model import Link, Visit
from suo.shortener.store import LinkStore
from suo.shortener.visits import language_tag, referrer_host, utm_params


class _Recorder:
    """Writes one visit: the single recording step of :meth:`Shortener.resolve`.

    ``hit`` is the store's own method (no extra call on the hot path).
    """

    claims = True  # live-code slots are taken, events noticed

    def __init__(self, store: LinkStore) -> None:
        self.store = store
        self.hit: Callable[..., int | None] = store.hit


class _DryRun(_Recorder):
    """:meth:`Shortener.explain`: the same path, reading the count instead of writing."""

    claims = False

    def __init__(self, store: LinkStore) -> None:
        super().__init__(store)
        self.hit = self._peek

    def _peek(
        self,
        code: str,
        visit: Visit,
        *,
        count: bool,
        cap: int | None,
        event: bool = True,
        deadline: float | None = None,
    ) -> int | None:
        return _peek_clicks(self.store.link_stats(code).clicks, count, cap)


def _peek_clicks(clicks: int, count: bool, cap: int | None) -> int | None:
    """Step 7 of explain(): what ``hit`` would return, from the count read instead."""
    return None if count and cap is not None and clicks >= cap else clicks


# Enum members read once: the resolve path compares against them per visit.
_REDIRECT, _PAGE, _DENY, _EXHAUSTED, _GUIDE = (
    DecisionKind.REDIRECT,
    DecisionKind.PAGE,
    DecisionKind.DENY,
    DecisionKind.EXHAUSTED,
    DecisionKind.GUIDE,
)
_ACT_REDIRECT, _ACT_ELSEWHERE = Action.REDIRECT, Action.ELSEWHERE


_Plan = tuple[Link, PolicyDecision | None, DecisionKind | None, str | None, Any]
"""What steps 3-5 of the resolve path hand on: link, verdict, kind, location, target."""


def _live_outcome(pick: Pick) -> tuple[DecisionKind, str | None, Any]:
    """Step 5 for a live code: ``(kind, location, target)`` from the picked slot."""
    if pick.slot is None:
        return _EXHAUSTED, None, None
    if is_scan_only(pick.slot.payload):
        return _PAGE, None, pick.slot.target
    return _REDIRECT, pick.slot.payload, pick.slot.target


def _visit(
    code: str,
    client: Client,
    bot: bool,
    kind: DecisionKind,
    pick: Pick | None,
    now: datetime,
    accept_language: str | None,
    referrer: str | None,
    query: str | Mapping[str, Any] | None,
    visitor: str | None,
    variant: str | None = None,
) -> tuple[bool, Visit]:
    """Step 6: whether the visit is a click, and the :class:`Visit` to record.

    A click (a person sent to a target, or shown a live target's page) counts
    against the cap; anything else is only recorded.
    """
    count = not bot and (kind is _REDIRECT or (pick is not None and kind is _PAGE))
    return count, Visit(
        now,
        client.platform._value_,
        client.os._value_,
        bot,
        kind._value_,
        code,
        language_tag(accept_language) if accept_language else None,
        referrer_host(referrer) if referrer else None,
        variant if pick is None or pick.slot is None else str(pick.slot.id),
        utm_params(query) if query else None,
        visitor,
        variant=variant,
    )


def _expired(link: Link, now: datetime) -> bool:
    """Step 3's EXPIRED test (the extras step runs only for a link that is not)."""
    return link.expires_at is not None and now >= link.expires_at


def _trace(verdict: PolicyDecision | None, notes: tuple[str, ...]) -> tuple[str, ...]:
    """Step 10's rule trace: the extras step's notes, then the policy's own."""
    trace = () if verdict is None else verdict.trace
    return (*notes, *trace) if notes else trace


def _refused(clicks: int | None, count: bool, kind: DecisionKind, cap: int | None) -> bool:
    """Step 8: the store refused the click, or a bot meets a used-up cap.

    A bot never uses up the cap, but sees what people see once it is used up.
    """
    return clicks is None or (not count and kind is _REDIRECT and cap is not None and clicks >= cap)
