"""The :class:`LiveCode` manager: add, retire, replace and list a live code's targets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from suo._time import Clock, require_aware
from suo.errors import InvalidInput, NotFound
from suo.shortener.live.choose import coerce, new_slots
from suo.shortener.live.events import (
    EventHooks,
    Listener,
    empty_event,
    expiry_events,
    fill_events,
)
from suo.shortener.live.values import LiveEvent, LiveSlot, LiveStatus, LiveTarget
from suo.shortener.model import Link
from suo.shortener.store import LiveStore

__all__ = ["LiveCode", "LiveHost"]


class LiveHost(Protocol):
    """What a :class:`LiveCode` needs from the Shortener that made it."""

    clock: Clock
    event_hooks: EventHooks

    @property
    def live_store(self) -> LiveStore:
        """The store, checked against the :class:`~suo.shortener.LiveStore` protocol."""

    def get(self, code: str) -> Link:
        """The link with this code (raises NotFound)."""

    def delete(self, code: str) -> bool:
        """Delete a link with its live targets."""

    def short_url(self, code: str) -> str:
        """The public short URL of a code."""

    def qr(self, code: str, fmt: str = "png", **options: Any) -> bytes | str:
        """The QR code of a link's short URL."""


class LiveCode:
    """Manage one live code's targets: add, retire, replace, list, events.

    Get one with ``Shortener.live(code)``. Every change goes straight to the
    store; visits in other processes see it on their next scan.

    Example:
        >>> import suo
        >>> from datetime import UTC, datetime
        >>> s = suo.Shortener("memory://", clock=lambda: datetime(2026, 11, 25, tzinfo=UTC))
        >>> link = s.shorten_live(["https://weixin.qq.com/g/AAA"], alias="club")
        >>> live = s.live("club")
        >>> seen = []
        >>> _ = live.on("full", seen.append)
        >>> new = live.add(suo.shortener.LiveTarget("https://weixin.qq.com/g/BBB", cap=1))
        >>> _ = live.retire(1)
        >>> s.resolve("club").target.payload
        'https://weixin.qq.com/g/BBB'
        >>> [e.kind for e in seen], live.status().exhausted
        (['full'], True)
    """

    def __init__(self, shortener: LiveHost, code: str) -> None:
        self.shortener = shortener
        self.code = code

    @property
    def _store(self) -> LiveStore:
        return self.shortener.live_store

    @property
    def link(self) -> Link:
        """The live code's link. Raises NotFound, or InvalidInput if not a live code."""
        link = self.shortener.get(self.code)
        if link.live is None:
            raise InvalidInput(f"{self.code!r} is a plain short link, not a live code")
        return link

    def _now(self, now: datetime | None) -> datetime:
        return self.shortener.clock() if now is None else require_aware(now, "now")

    def targets(self, *, include_retired: bool = False) -> list[LiveSlot]:
        """The targets in the order added, with ``used``, ``cap``, ``fill`` and expiry.

        ``slot.state(now)`` tells active, full, expired or retired.
        """
        self.link  # noqa: B018 - raises NotFound for a missing code
        slots = self._store.live_targets(self.code)
        return [s for s in slots if include_retired or not s.retired]

    def add(self, target: LiveTarget | str, *, now: datetime | None = None) -> LiveSlot:
        """Add a target at the end of the rotation; returns it with its id."""
        self.link  # noqa: B018
        [slot] = new_slots(self._store, self.code, [target], self._now(now))
        self._store.add_live_targets(self.code, [slot])
        return slot

    def add_image(
        self,
        image: bytes,
        *,
        cap: int | None = None,
        expires_at: datetime | None = None,
        weight: int = 1,
        now: datetime | None = None,
    ) -> LiveSlot:
        """Add a target from an uploaded QR image (see :meth:`LiveTarget.from_image`)."""
        target = LiveTarget.from_image(image, cap=cap, expires_at=expires_at, weight=weight)
        return self.add(target, now=now)

    def replace(
        self,
        target_id: int,
        target: LiveTarget | str,
        *,
        reset: bool = False,
        now: datetime | None = None,
    ) -> LiveSlot:
        """Put a new QR code (or cap, expiry, weight) in place of a target.

        The target keeps its id and its place in the rotation. By default it
        keeps its fill too: a new QR code of the *same* group admits into the
        same member list. With ``reset=True`` the fill starts at 0 (a new group
        in the same place). WeChat group payloads get a fresh 7-day expiry.

        Raises:
            NotFound: no such target, or it was retired.
        """
        self.link  # noqa: B018
        new = coerce(target, self._now(now))
        slot = self._store.update_live_target(self.code, target_id, new, reset=reset)
        if slot is None:
            raise NotFound(f"live code {self.code!r} has no active target {target_id}")
        return slot

    def retire(self, target_id: int) -> bool:
        """Take a target out of rotation (kept for the record). ``False`` if it was not active."""
        self.link  # noqa: B018
        return self._store.retire_live_target(self.code, target_id)

    def status(self, now: datetime | None = None) -> LiveStatus:
        """Counts of active, full, expired and retired targets, and the room left."""
        when = self._now(now)
        link = self.link
        slots = self._store.live_targets(self.code)
        states = [s.state(when) for s in slots]
        open_ = [s for s in slots if s.has_room(when)]
        remaining: int | None = 0
        for s in open_:
            room = s.remaining
            remaining = None if room is None or remaining is None else remaining + room
        return LiveStatus(
            code=self.code,
            strategy=link.live or "fill_first",
            active=states.count("active"),
            full=states.count("full"),
            expired=states.count("expired"),
            retired=states.count("retired"),
            served=sum(s.used for s in slots),
            remaining=remaining,
            exhausted=not open_,
        )

    def check(self, now: datetime | None = None) -> list[LiveEvent]:
        """Look for events now, record the new ones and call the callbacks.

        Visits notice fill events as they happen; expiry is driven by time,
        so a scheduler (or the bot itself) calls this, every hour say.
        Returns only events not recorded before.
        """
        when = self._now(now)
        self.link  # noqa: B018
        store = self._store
        slots = store.live_targets(self.code)
        events: list[LiveEvent] = []
        for s in slots:
            if not s.retired:
                events += fill_events(s, when, crossing_only=False)
                events += expiry_events(s, when)
        if not any(s.has_room(when) for s in slots):
            events.append(empty_event(self.code, slots, when))
        return self.shortener.event_hooks.emit(store, events)

    def events(self, *, since: datetime | None = None) -> list[LiveEvent]:
        """Recorded events, oldest first (``since``: only those at or after it)."""
        found = self._store.live_events(self.code)
        return [e for e in found if since is None or e.at >= since]

    def on(self, kind: str | None, callback: Listener) -> Callable[[], None]:
        """Call ``callback(event)`` on this code's events of ``kind`` (``None``: all).

        Returns a function that unsubscribes. The hook belongs to the Shortener
        (see :meth:`Shortener.on <suo.shortener.Shortener.on>`).
        """
        return self.shortener.event_hooks.add(kind, callback, code=self.code)

    def delete(self) -> bool:
        """Delete the live code: its link, targets, counters and events."""
        return self.shortener.delete(self.code)

    def qr(self, fmt: str = "png", **options: Any) -> bytes | str:
        """The permanent QR code of the live code's short URL (see ``qr.render``)."""
        return self.shortener.qr(self.code, fmt, **options)

    def _repr_svg_(self) -> str:
        from suo.shortener.qr import svg_inline

        return svg_inline(self.shortener.short_url(self.code))

    def __repr__(self) -> str:
        return f"LiveCode({self.shortener.short_url(self.code)!r})"
