"""Live-code events: what an operator (or their bot) should act on, noticed once.

A target crossing :data:`~suo.shortener.live.NEARLY_FULL` of its cap,
filling up, coming within :data:`~suo.shortener.live.EXPIRING_WITHIN` of its
expiry or expiring, and the whole pool running empty, are each recorded once
in the store (a set-if-absent key) and passed to the hooks of the Shortener
that noticed them (:class:`EventHooks`, ``Shortener.on``).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from attrs import evolve
from cachetools import LRUCache

from suo._time import iso_utc
from suo.errors import InvalidInput
from suo.shortener.live.values import (
    EVENTS,
    EXPIRING_WITHIN,
    NEARLY_FULL,
    LiveEvent,
    LiveSlot,
)
from suo.shortener.steps import Steps, op, run
from suo.shortener.store import LiveStore

__all__ = ["EventHooks", "Listener", "empty_event", "expiry_events", "fill_events"]

log = logging.getLogger("suo.live")

Listener = Callable[[LiveEvent], object]
"""A callback that receives one :class:`~suo.shortener.live.LiveEvent`."""


class EventHooks:
    """The live-code event callbacks of one Shortener, and what it has recorded.

    Hooks belong to the instance that fires them (as ``httpx`` keeps
    ``event_hooks`` on its client): two Shorteners in one process keep their
    own. Callbacks run in the thread that noticed the event (a visit or a
    ``LiveCode.check()``); an exception in one is logged to the ``suo.live``
    logger and does not disturb the visit.

    Example:
        >>> hooks = EventHooks()
        >>> seen = []
        >>> stop = hooks.add("full", seen.append)
        >>> stop()
        >>> hooks.add("soon", print)
        Traceback (most recent call last):
        ...
        suo.errors.InvalidInput: event kind must be one of ('nearly_full', 'full', 'expiring', 'expired', 'empty') or None, got 'soon'
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hooks: list[tuple[str | None, str | None, Listener]] = []
        # Event keys known to be recorded: an exhausted pool or a target in its
        # last 24 h would otherwise cost two round trips per visit to learn that
        # the event exists already. Only a cache: the store decides.
        self._known: LRUCache[tuple[str, str], bool] = LRUCache(maxsize=20_000)

    def add(
        self, kind: str | None, callback: Listener, *, code: str | None = None
    ) -> Callable[[], None]:
        """Call ``callback(event)`` on events of ``kind`` (``None``: all), of ``code`` only
        if given. Returns a function that removes the hook."""
        if kind is not None and kind not in EVENTS:
            raise InvalidInput(f"event kind must be one of {EVENTS} or None, got {kind!r}")
        if not callable(callback):
            raise InvalidInput(f"callback must be callable, got {callback!r}")
        entry = (kind, code, callback)
        with self._lock:
            self._hooks.append(entry)

        def remove() -> None:
            with self._lock:
                if entry in self._hooks:
                    self._hooks.remove(entry)

        return remove

    def forget(self, code: str) -> None:
        """Drop what is known of ``code``'s recorded events (it was deleted or made anew)."""
        with self._lock:
            for key in [k for k in self._known if k[0] == code]:
                del self._known[key]

    def emit(self, store: LiveStore, events: Iterable[LiveEvent]) -> list[LiveEvent]:
        """Record the events not recorded before and call the hooks; returns those."""
        return run(self.emit_steps(events), store)

    def emit_steps(self, events: Iterable[LiveEvent]) -> Steps[list[LiveEvent]]:
        """:meth:`emit` as sans-IO steps (see :mod:`suo.shortener.steps`)."""
        with self._lock:
            events = [e for e in events if (e.code, e.key) not in self._known]
        fired = []
        for event in events:
            # Events are rare (a few per target's life): one counter round trip each
            # keeps them in the order they happened, across processes.
            event = evolve(event, seq=(yield op("next_sequence", "live-events")))
            if (yield op("record_live_event", event)):
                fired.append(event)
            with self._lock:
                self._known[(event.code, event.key)] = True
        if not fired:
            return fired
        with self._lock:
            hooks = list(self._hooks)
        for event in fired:
            for kind, code, callback in hooks:
                if (kind is None or kind == event.kind) and (code is None or code == event.code):
                    try:
                        callback(event)
                    except Exception:
                        log.exception("live-code event callback %r failed on %s", callback, event)
        return fired


def _threshold(cap: int) -> int:
    return max(1, math.ceil(NEARLY_FULL * cap))


def _event(kind: str, slot: LiveSlot, at: datetime, key: str) -> LiveEvent:
    return LiveEvent(
        kind=kind,
        code=slot.code,
        at=at,
        key=key,
        target_id=slot.id,
        payload=slot.payload,
        used=slot.used,
        cap=slot.cap,
        expires_at=slot.expires_at,
    )


def _fill_key(slot: LiveSlot, kind: str) -> str:
    # A crossing belongs to one fill epoch and one cap: a reset or a new cap re-arms it.
    return f"t{slot.id}.e{slot.epoch}.c{slot.cap}.{kind}"


def _expiry_key(slot: LiveSlot, expires_at: datetime, kind: str) -> str:
    return f"t{slot.id}.x{int(expires_at.timestamp())}.{kind}"


def fill_events(slot: LiveSlot, now: datetime, *, crossing_only: bool) -> list[LiveEvent]:
    """``nearly_full`` / ``full`` for a target's fill: as it crosses them, or (not
    ``crossing_only``) whenever it is at or past them."""
    if slot.cap is None:
        return []
    out = []
    edge = _threshold(slot.cap)
    if (slot.used == edge) if crossing_only else (slot.used >= edge):
        out.append(_event("nearly_full", slot, now, _fill_key(slot, "nearly_full")))
    if (slot.used == slot.cap) if crossing_only else (slot.used >= slot.cap):
        out.append(_event("full", slot, now, _fill_key(slot, "full")))
    return out


def expiry_events(slot: LiveSlot, now: datetime) -> list[LiveEvent]:
    """``expiring`` / ``expired`` for a target's expiry as seen at ``now``."""
    if slot.expires_at is None or slot.retired:
        return []
    if now >= slot.expires_at:
        return [
            _event("expiring", slot, now, _expiry_key(slot, slot.expires_at, "expiring")),
            _event("expired", slot, now, _expiry_key(slot, slot.expires_at, "expired")),
        ]
    if slot.expires_at - now <= EXPIRING_WITHIN:
        return [_event("expiring", slot, now, _expiry_key(slot, slot.expires_at, "expiring"))]
    return []


def empty_event(code: str, slots: Sequence[LiveSlot], now: datetime) -> LiveEvent:
    """The ``empty`` event of a pool whose targets are ``slots``."""
    # The pool's make-up names the emptiness: adding a target, raising a cap
    # or resetting one re-arms the event.
    parts = sorted(
        f"{s.id}.{s.epoch}.{s.cap}.{iso_utc(s.expires_at)}" for s in slots if not s.retired
    )
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return LiveEvent(kind="empty", code=code, at=now, key=f"empty.{digest}")
