"""Live codes (活码): one permanent short link and QR code that rotates through targets.

A WeChat group's QR code expires after 7 days and stops admitting by scan at
200 members, so operators keep replacing it. A live code is one permanent
short link (and QR code) whose landing page shows whichever target is active
now. Each target (:class:`LiveTarget`) has a payload (what its QR code
holds: a group invite URL, any text, or a plain web page), an optional cap
(how many visitors it may take), an optional expiry and a weight.

Strategies (which target a visitor gets, among those with room):

* ``fill_first``: in the order the targets were added; the next one starts
  when the one before is full, expired or retired.
* ``round_robin``: in turn, from an atomic counter in the store.
* ``weighted``: at random in proportion to ``weight``; if the pick filled up
  meanwhile, the next in the weighted order is tried.

Every claim of a slot is one atomic step in the engine (a conditional
``UPDATE ... WHERE used < cap``, a Lua script, a lock), so whatever the
concurrency no target goes over its cap and no claim is lost.

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
passed to the callbacks registered with :meth:`LiveCode.on`. A bot in another
process reads them with :meth:`LiveCode.events`, and a scheduler calls
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

import functools
import hashlib
import html
import json
import logging
import math
import random
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from attrs import evolve, field, frozen
from cachetools import LRUCache

from suo._time import require_aware
from suo.decision import Decision, DecisionKind
from suo.errors import (
    AliasTaken,
    ConfigurationError,
    InvalidInput,
    NotFound,
    QRDecodeError,
)

if TYPE_CHECKING:
    from suo.antiblock.detect import Client
    from suo.antiblock.policy import AccessPolicy
    from suo.shortener.model import Link
    from suo.shortener.service import Shortener

__all__ = [
    "EVENTS",
    "EXPIRING_WITHIN",
    "NEARLY_FULL",
    "STRATEGIES",
    "WECHAT_GROUP_TTL",
    "LiveCode",
    "LiveEvent",
    "LiveSlot",
    "LiveStatus",
    "LiveStore",
    "LiveTarget",
    "create",
    "is_scan_only",
    "is_wechat_group",
    "landing_page",
    "resolve",
    "subscribe",
]

log = logging.getLogger("suo.live")

STRATEGIES = ("fill_first", "round_robin", "weighted")
"""The ways a live code picks a target."""

EVENTS = ("nearly_full", "full", "expiring", "expired", "empty")
"""Event kinds: a target reached :data:`NEARLY_FULL` of its cap, reached its
cap, is within :data:`EXPIRING_WITHIN` of its expiry, has expired; the pool
has no target with room."""

NEARLY_FULL = 0.9
"""Share of a target's cap at which ``nearly_full`` fires (90 %)."""

EXPIRING_WITHIN = timedelta(hours=24)
"""How long before a target's expiry ``expiring`` fires."""

WECHAT_GROUP_TTL = timedelta(days=7)
"""A WeChat group QR code's life; the default expiry of such payloads."""

MAX_PAYLOAD = 1024
"""Longest payload accepted (a QR code with a logo holds about 1.2 kB at level H)."""

_SCAN_ONLY_HOSTS = frozenset(
    {
        "u.wechat.com",
        "work.weixin.qq.com",
        "qm.qq.com",
        "jq.qq.com",
        "qr.alipay.com",
        "qr.dingtalk.com",
    }
)
_SCAN_ONLY_PREFIXES = {"weixin.qq.com": ("/g/", "/r/")}
_BAD_SCHEMES = re.compile(r"^\s*(javascript|vbscript|data|file|blob|about)\s*:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_ID_TRIES = 24


# -- values -------------------------------------------------------------------


def _http_parts(payload: str) -> tuple[str, str] | None:
    """(host, path) of an http(s) URL payload, else ``None``."""
    if not re.match(r"^https?://", payload, re.IGNORECASE):
        return None
    parts = urlsplit(payload)
    return (parts.hostname or "").lower().rstrip("."), parts.path or "/"


@functools.lru_cache(maxsize=4096)
def is_scan_only(payload: str) -> bool:
    """True when a payload is meant to be scanned, not opened in a browser.

    That is anything but an http(s) URL, and the http(s) invite links of chat
    apps that only work from a scanner (WeChat/WeCom/QQ groups and contacts,
    Alipay and DingTalk codes). A live code shows these on its landing page as
    a QR code; other http(s) URLs are plain web pages and get a redirect.

    Example:
        >>> from suo.shortener.live import is_scan_only
        >>> is_scan_only("https://weixin.qq.com/g/AQYAAAbc"), is_scan_only("https://example.com/")
        (True, False)
        >>> is_scan_only("WIFI:T:WPA;S:cafe;P:secret;;")
        True
    """
    parts = _http_parts(payload)
    if parts is None:
        return True
    host, path = parts
    if host in _SCAN_ONLY_HOSTS:
        return True
    return any(path.startswith(p) for p in _SCAN_ONLY_PREFIXES.get(host, ()))


def is_wechat_group(payload: str) -> bool:
    """True for a WeChat group invite payload (``https://weixin.qq.com/g/...``).

    Example:
        >>> from suo.shortener.live import is_wechat_group
        >>> is_wechat_group("https://weixin.qq.com/g/AQYAAAbc")
        True
    """
    parts = _http_parts(payload)
    return parts is not None and parts[0] == "weixin.qq.com" and parts[1].startswith("/g/")


def _payload(value: Any) -> str:
    if not isinstance(value, str):
        return _check_payload(value)
    return _checked_payload(value)


@functools.lru_cache(maxsize=4096)
def _checked_payload(value: str) -> str:
    # Targets are rebuilt on every visit (read from the store, evolved after a
    # claim): validating and normalising a payload once per process is enough.
    return _check_payload(value)


def _check_payload(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            f"a live target's payload must be a non-empty string (a URL or QR text), got {value!r}"
        )
    if len(value) > MAX_PAYLOAD:
        raise InvalidInput(
            f"a live target's payload is {len(value)} characters; at most {MAX_PAYLOAD} fit "
            "in a scannable QR code"
        )
    if _CONTROL.search(value):
        raise InvalidInput("a live target's payload must not contain control characters")
    if _BAD_SCHEMES.match(value):
        raise InvalidInput(
            f"a live target's payload must not be a {value.split(':', 1)[0].strip()}: URL; "
            "use an http(s) URL or the text of a group QR code"
        )
    if _http_parts(value.strip()) is not None:
        from suo.shortener.urls import normalize_url

        return normalize_url(value.strip())
    return value


def _positive(name: str, allow_none: bool) -> Callable[[Any, Any, Any], None]:
    def check(_self: Any, _attr: Any, value: Any) -> None:
        if value is None and allow_none:
            return
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**9:
            raise InvalidInput(
                f"a live target's {name} must be a positive integer"
                + (" or None" if allow_none else "")
                + f", got {value!r}"
            )

    return check


def _aware_or_none(_self: Any, _attr: Any, value: Any) -> None:
    if value is not None:
        if not isinstance(value, datetime):
            raise InvalidInput(f"expires_at must be an aware datetime or None, got {value!r}")
        require_aware(value, "expires_at")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _from_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@frozen
class LiveTarget:
    """One target of a live code: what its QR holds, how many it may take, until when.

    Attributes:
        payload: the QR text: a group invite URL (``https://weixin.qq.com/g/...``),
            any text, or a web page URL (http(s) URLs are normalised).
        cap: how many visitors it may take (``None``: no limit). WeChat groups
            stop admitting by scan at 200 members.
        expires_at: when it stops being shown (aware). WeChat group payloads
            get 7 days from when they are added if this is ``None``.
        weight: its share under the ``weighted`` strategy.

    Example:
        >>> from suo.shortener import LiveTarget
        >>> LiveTarget("https://weixin.qq.com/g/AQY", cap=200).cap
        200
    """

    payload: str = field(converter=_payload)
    cap: int | None = field(default=None, validator=_positive("cap", True))
    expires_at: datetime | None = field(default=None, validator=_aware_or_none)
    weight: int = field(default=1, validator=_positive("weight", False))

    @classmethod
    def from_image(
        cls,
        image: bytes,
        *,
        cap: int | None = None,
        expires_at: datetime | None = None,
        weight: int = 1,
    ) -> LiveTarget:
        """A target from an uploaded QR image (a group's QR code).

        The image is decoded with :func:`suo.shortener.qr.read`; only the
        payload is kept (suo renders its own QR from it, no image is stored).

        Raises:
            QRDecodeError: the image has no readable QR code, or more than one.

        Example:
            >>> from suo.shortener import LiveTarget, qr
            >>> LiveTarget.from_image(qr.render("https://weixin.qq.com/g/AQY")).payload
            'https://weixin.qq.com/g/AQY'
        """
        from suo.shortener.qr import read

        found = read(image)
        if len(found) != 1:
            raise QRDecodeError(
                f"the image holds {len(found)} different QR codes; upload one group code "
                "per image (crop the others out)"
            )
        return cls(found[0], cap=cap, expires_at=expires_at, weight=weight)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields."""
        return {
            "payload": self.payload,
            "cap": self.cap,
            "expires_at": _iso(self.expires_at),
            "weight": self.weight,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LiveTarget:
        """Read :meth:`to_dict` output back."""
        return cls(
            data["payload"],
            cap=data.get("cap"),
            expires_at=_from_iso(data.get("expires_at")),
            weight=data.get("weight", 1),
        )


@frozen
class LiveSlot:
    """A stored target of a live code with its fill level.

    Attributes:
        code: the live code.
        id: the target's id (unique in the store, increasing in the order added).
        target: the :class:`LiveTarget`.
        used: visitors it has taken.
        retired: taken out of rotation by the operator.
        epoch: how many times its fill was reset (``replace(..., reset=True)``).
        added_at: when it was added.
    """

    code: str
    id: int
    target: LiveTarget
    used: int = 0
    retired: bool = False
    epoch: int = 0
    added_at: datetime = field(factory=lambda: datetime.fromtimestamp(0, UTC))

    @property
    def payload(self) -> str:
        """The target's payload."""
        return self.target.payload

    @property
    def cap(self) -> int | None:
        """The target's cap."""
        return self.target.cap

    @property
    def expires_at(self) -> datetime | None:
        """The target's expiry."""
        return self.target.expires_at

    @property
    def remaining(self) -> int | None:
        """Visitors it may still take (``None``: no cap)."""
        return None if self.cap is None else max(0, self.cap - self.used)

    @property
    def fill(self) -> float | None:
        """``used / cap`` (``None``: no cap)."""
        return None if self.cap is None else self.used / self.cap

    def is_expired(self, now: datetime) -> bool:
        """True at or after the target's expiry."""
        return self.expires_at is not None and now >= self.expires_at

    def has_room(self, now: datetime) -> bool:
        """True when a visitor may be given this target now."""
        return (
            not self.retired
            and not self.is_expired(now)
            and (self.cap is None or self.used < self.cap)
        )

    def state(self, now: datetime | None = None) -> str:
        """``"retired"``, ``"expired"``, ``"full"`` or ``"active"`` (expiry needs ``now``)."""
        if self.retired:
            return "retired"
        if now is not None and self.is_expired(now):
            return "expired"
        if self.cap is not None and self.used >= self.cap:
            return "full"
        return "active"


@frozen
class LiveEvent:
    """Something an operator (or their bot) should act on.

    Attributes:
        kind: one of :data:`EVENTS`.
        code: the live code.
        at: when it was noticed.
        key: what makes it unique: the same crossing never fires twice.
        seq: its place in the store's order of events (from an atomic counter).
        target_id: the target concerned (``None`` for ``empty``).
        payload / used / cap / expires_at: the target's state then.
    """

    kind: str
    code: str
    at: datetime
    key: str
    seq: int = 0
    target_id: int | None = None
    payload: str | None = None
    used: int | None = None
    cap: int | None = None
    expires_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields."""
        return {
            "kind": self.kind,
            "code": self.code,
            "at": _iso(self.at),
            "key": self.key,
            "seq": self.seq,
            "target_id": self.target_id,
            "payload": self.payload,
            "used": self.used,
            "cap": self.cap,
            "expires_at": _iso(self.expires_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LiveEvent:
        """Read :meth:`to_dict` output back."""
        at = _from_iso(data["at"])
        assert at is not None
        return cls(
            kind=data["kind"],
            code=data["code"],
            at=at,
            key=data["key"],
            seq=data.get("seq", 0),
            target_id=data.get("target_id"),
            payload=data.get("payload"),
            used=data.get("used"),
            cap=data.get("cap"),
            expires_at=_from_iso(data.get("expires_at")),
        )


@frozen
class LiveStatus:
    """A live code's pool at a glance.

    Attributes:
        code / strategy: the live code and how it picks.
        active / full / expired / retired: how many targets are in each state.
        served: the current fill of every target, retired ones included (a
            ``replace(..., reset=True)`` starts a target's count again; the
            link's ``Stats.clicks`` keep the all-time total).
        remaining: room left in targets with room (``None``: one has no cap).
        exhausted: no target has room.
    """

    code: str
    strategy: str
    active: int
    full: int
    expired: int
    retired: int
    served: int
    remaining: int | None
    exhausted: bool


# -- storage protocol -----------------------------------------------------------


@runtime_checkable
class LiveStore(Protocol):
    """What live codes need from a store. Every method is atomic in the engine."""

    def add_live_targets(self, code: str, slots: Sequence[LiveSlot]) -> None:
        """Store new targets of ``code`` (ids already assigned, all new)."""

    def live_targets(self, code: str) -> list[LiveSlot]:
        """Every target of ``code``, retired ones too, in id order."""

    def claim_live_target(self, code: str, target_id: int, *, now: datetime) -> int | None:
        """Take one slot: ``used += 1`` if the target is not retired, not expired at
        ``now`` and under its cap, as one atomic step. Returns ``used`` after it, or
        ``None`` when the target had no room (or does not exist)."""

    def release_live_target(self, code: str, target_id: int) -> None:
        """Give back one slot taken by :meth:`claim_live_target` (``used -= 1``,
        never below zero), as one atomic step."""

    def update_live_target(
        self, code: str, target_id: int, target: LiveTarget, *, reset: bool
    ) -> LiveSlot | None:
        """Replace a target's payload, cap, expiry and weight, keeping ``used``
        (or with ``reset`` setting it to 0 and adding 1 to ``epoch``). ``None``
        when the target does not exist or is retired."""

    def retire_live_target(self, code: str, target_id: int) -> bool:
        """Take a target out of rotation; ``False`` if missing or retired already."""

    def live_turn(self, code: str) -> int:
        """Atomically increment and return the round-robin counter of ``code`` (from 1)."""

    def record_live_event(self, event: LiveEvent) -> bool:
        """Store ``event`` unless one with its ``(code, key)`` exists; ``True`` if stored."""

    def live_events(self, code: str) -> list[LiveEvent]:
        """The recorded events of ``code`` in ``seq`` order (ties by ``at``, then key)."""

    def delete_live(self, code: str) -> None:
        """Forget every target, counter and event of ``code``."""

    def next_sequence(self, name: str) -> int:
        """Atomically increment and return the named counter (shared with links)."""


_LIVE_STORE_TYPES: set[type] = set()  # types already checked against LiveStore


def _store(shortener: Shortener) -> LiveStore:
    store = shortener.store
    if type(store) in _LIVE_STORE_TYPES:
        return store  # type: ignore[return-value]
    if isinstance(store, LiveStore):
        _LIVE_STORE_TYPES.add(type(store))
    else:
        raise ConfigurationError(
            f"{store!r} does not implement the LiveStore protocol that live codes need "
            "(suo.shortener.live.LiveStore); use a suo store (memory, SQL, Redis)"
        )
    return store


# -- events -----------------------------------------------------------------------

Listener = Callable[[LiveEvent], object]

_listeners: weakref.WeakKeyDictionary[Any, list[tuple[str | None, str | None, Listener]]] = (
    weakref.WeakKeyDictionary()
)
_listeners_lock = threading.Lock()


def subscribe(
    shortener: Shortener,
    callback: Listener,
    *,
    kind: str | None = None,
    code: str | None = None,
) -> Callable[[], None]:
    """Call ``callback(event)`` for live-code events seen by this shortener.

    Args:
        kind: only this event kind (one of :data:`EVENTS`; ``None``: all).
        code: only this live code (``None``: all).

    Returns:
        A function that unsubscribes.

    Callbacks run in the thread that noticed the event (a visit or a
    :meth:`LiveCode.check`); an exception in one is logged to the
    ``suo.live`` logger and does not disturb the visit.
    """
    if kind is not None and kind not in EVENTS:
        raise InvalidInput(f"event kind must be one of {EVENTS} or None, got {kind!r}")
    if not callable(callback):
        raise InvalidInput(f"callback must be callable, got {callback!r}")
    entry = (kind, code, callback)
    with _listeners_lock:
        _listeners.setdefault(shortener, []).append(entry)

    def unsubscribe() -> None:
        with _listeners_lock:
            entries = _listeners.get(shortener, [])
            if entry in entries:
                entries.remove(entry)

    return unsubscribe


# Event keys this process knows are recorded, per store: an exhausted pool or
# a target in its last 24 h would otherwise cost two round trips per visit to
# learn that the event exists already. Only a cache: the store decides.
_known: weakref.WeakKeyDictionary[Any, LRUCache[tuple[str, str], bool]] = (
    weakref.WeakKeyDictionary()
)
_known_lock = threading.Lock()


def _known_for(store: LiveStore) -> LRUCache[tuple[str, str], bool]:
    with _known_lock:
        cache = _known.get(store)
        if cache is None:
            cache = _known[store] = LRUCache(maxsize=20_000)
        return cache


def _forget_events(store: LiveStore) -> None:
    with _known_lock:
        _known.pop(store, None)


def _emit(shortener: Shortener, store: LiveStore, events: Iterable[LiveEvent]) -> list[LiveEvent]:
    known = _known_for(store)
    with _known_lock:
        events = [e for e in events if (e.code, e.key) not in known]
    fired = []
    for event in events:
        # Events are rare (a few per target's life): one counter round trip each
        # keeps them in the order they happened, across processes.
        event = evolve(event, seq=store.next_sequence("live-events"))
        if store.record_live_event(event):
            fired.append(event)
        with _known_lock:
            known[(event.code, event.key)] = True
    if not fired:
        return fired
    with _listeners_lock:
        entries = list(_listeners.get(shortener, ()))
    for event in fired:
        for kind, code, callback in entries:
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


def _expiry_key(slot: LiveSlot, kind: str) -> str:
    assert slot.expires_at is not None
    return f"t{slot.id}.x{int(slot.expires_at.timestamp())}.{kind}"


def _fill_events(slot: LiveSlot, now: datetime, *, crossing_only: bool) -> list[LiveEvent]:
    if slot.cap is None:
        return []
    out = []
    edge = _threshold(slot.cap)
    if (slot.used == edge) if crossing_only else (slot.used >= edge):
        out.append(_event("nearly_full", slot, now, _fill_key(slot, "nearly_full")))
    if (slot.used == slot.cap) if crossing_only else (slot.used >= slot.cap):
        out.append(_event("full", slot, now, _fill_key(slot, "full")))
    return out


def _expiry_events(slot: LiveSlot, now: datetime) -> list[LiveEvent]:
    if slot.expires_at is None or slot.retired:
        return []
    if now >= slot.expires_at:
        return [
            _event("expiring", slot, now, _expiry_key(slot, "expiring")),
            _event("expired", slot, now, _expiry_key(slot, "expired")),
        ]
    if slot.expires_at - now <= EXPIRING_WITHIN:
        return [_event("expiring", slot, now, _expiry_key(slot, "expiring"))]
    return []


def _empty_event(code: str, slots: Sequence[LiveSlot], now: datetime) -> LiveEvent:
    # The pool's make-up names the emptiness: adding a target, raising a cap
    # or resetting one re-arms the event.
    parts = sorted(f"{s.id}.{s.epoch}.{s.cap}.{_iso(s.expires_at)}" for s in slots if not s.retired)
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return LiveEvent(kind="empty", code=code, at=now, key=f"empty.{digest}")


# -- creating -------------------------------------------------------------------


def _coerce(target: LiveTarget | str, now: datetime) -> LiveTarget:
    if isinstance(target, str):
        target = LiveTarget(target)
    elif not isinstance(target, LiveTarget):
        raise InvalidInput(
            f"each live target must be a LiveTarget or a payload string, got {target!r}"
        )
    if target.expires_at is None and is_wechat_group(target.payload):
        target = evolve(target, expires_at=now + WECHAT_GROUP_TTL)
    return target


def _new_slots(
    store: LiveStore, code: str, targets: Iterable[LiveTarget | str], now: datetime
) -> list[LiveSlot]:
    return [
        LiveSlot(
            code=code, id=store.next_sequence("live-targets"), target=_coerce(t, now), added_at=now
        )
        for t in targets
    ]


def create(
    shortener: Shortener,
    targets: Sequence[LiveTarget | str],
    *,
    strategy: str = "fill_first",
    alias: str | None = None,
    policy: AccessPolicy | None = None,
    title: str | None = None,
    tags: Iterable[str] = (),
) -> Link:
    """Make a live code (what ``Shortener.shorten_live`` calls).

    The link's ``target`` is the first http(s) payload, or the short URL
    itself when no target is a URL (a live code's visits never use it).

    Raises:
        InvalidInput: no targets, an unknown strategy, or a bad target.
        InvalidAlias / AliasTaken: as for ``Shortener.shorten``.
    """
    from suo.shortener.codes import check_alias

    if strategy not in STRATEGIES:
        raise InvalidInput(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if isinstance(targets, str | LiveTarget):
        targets = [targets]
    store = _store(shortener)
    now = shortener.clock()
    items = [_coerce(t, now) for t in targets]
    if not items:
        raise InvalidInput("a live code needs at least one target")
    url = next((t.payload for t in items if _http_parts(t.payload) is not None), None)
    fields: dict[str, Any] = {
        "expires_at": None,
        "max_clicks": None,
        "policy": policy,
        "tags": tags,
        "now": now,
        "live": strategy,
        "title": title,
    }
    if alias is not None:
        code = check_alias(alias)
        link = shortener._build(url or shortener.short_url(code), code=code, **fields)
        shortener.store.create_link(link)
    else:
        key = "\n".join(t.payload for t in items)
        for attempt in range(_MAX_ID_TRIES):
            code = shortener.codes.generate(key, attempt, shortener._next_number)
            link = shortener._build(url or shortener.short_url(code), code=code, **fields)
            try:
                shortener.store.create_link(link)
            except AliasTaken:
                continue
            break
        else:  # pragma: no cover - needs a nearly full code space
            raise InvalidInput(f"no free code after {_MAX_ID_TRIES} attempts")
    # A deleted live code's leftovers must not leak into a new one of the same name.
    store.delete_live(link.code)
    _forget_events(store)
    store.add_live_targets(link.code, _new_slots(store, link.code, items, now))
    shortener._forget(link.code)
    return link


# -- resolving ------------------------------------------------------------------


def _order(
    strategy: str, candidates: list[LiveSlot], store: LiveStore, code: str, *, advance: bool
) -> list[LiveSlot]:
    if len(candidates) <= 1:
        return candidates
    if strategy == "round_robin":
        if not advance:
            return candidates
        turn = store.live_turn(code)
        start = (turn - 1) % len(candidates)
        return candidates[start:] + candidates[:start]
    if strategy == "weighted":
        if not advance:
            return sorted(candidates, key=lambda s: (-s.target.weight, s.id))
        # Efraimidis-Spirakis: a weighted random order in one pass, so a
        # failed claim falls back to the next pick by weight.
        keyed = [(random.random() ** (1.0 / s.target.weight), s) for s in candidates]
        return [s for _k, s in sorted(keyed, key=lambda ks: -ks[0])]
    return candidates


def resolve(
    shortener: Shortener,
    link: Link,
    *,
    client: Client,
    lang: str,
    now: datetime,
    record: bool,
    common: dict[str, Any],
) -> Decision:
    """Answer one visit of a live code (what ``Shortener.resolve`` calls after the policy)."""
    from suo.shortener.model import Visit

    store = _store(shortener)
    code = link.code
    bot = client.is_bot or client.is_preview
    claim = record and not bot

    def visit(outcome: DecisionKind) -> Visit:
        return Visit(
            at=now,
            platform=client.platform.value,
            os=client.os.value,
            bot=bot,
            outcome=outcome.value,
        )

    slots = store.live_targets(code)
    candidates = [s for s in slots if s.has_room(now)]
    order = _order(link.live or "fill_first", candidates, store, code, advance=claim)
    chosen: LiveSlot | None = None
    counted = False
    if not claim:
        chosen = order[0] if order else None
    else:
        for slot in order:
            used = store.claim_live_target(code, slot.id, now=now)
            if used is not None:
                chosen = evolve(slot, used=used)
                break
        if chosen is not None and link.max_clicks is not None:
            # A live code with its own overall cap: the slot is taken first, then
            # the click counted against the cap; over the cap, the slot goes back,
            # so a refused scan never uses up either.
            outcome = DecisionKind.PAGE if is_scan_only(chosen.payload) else DecisionKind.REDIRECT
            if shortener.store.hit(code, visit(outcome), count=True, cap=link.max_clicks) is None:
                store.release_live_target(code, chosen.id)
                chosen = None
            counted = True
    if chosen is None:
        if record and not counted:
            shortener.store.hit(code, visit(DecisionKind.EXHAUSTED), count=False, cap=None)
        if record:
            fresh = store.live_targets(code) if order else slots
            if not any(s.has_room(now) for s in fresh):
                _emit(shortener, store, [_empty_event(code, fresh, now)])
        return Decision(
            DecisionKind.EXHAUSTED,
            body=_exhausted_page(link, lang),
            headers=_HEADERS,
            lang=lang,
            **common,
        )
    scan = is_scan_only(chosen.payload)
    kind = DecisionKind.PAGE if scan else DecisionKind.REDIRECT
    if record and not counted:
        shortener.store.hit(code, visit(kind), count=not bot, cap=None)
    if claim:
        events = _fill_events(chosen, now, crossing_only=True) + _expiry_events(chosen, now)
        if chosen.cap is not None and chosen.used >= chosen.cap:
            fresh = store.live_targets(code)
            if not any(s.has_room(now) for s in fresh):
                events.append(_empty_event(code, fresh, now))
        if events:
            _emit(shortener, store, events)
    if not scan:
        return Decision(
            DecisionKind.REDIRECT,
            status=link.redirect_status,
            location=chosen.payload,
            target=chosen.target,
            headers={"Cache-Control": "no-store"},
            **common,
        )
    return Decision(
        DecisionKind.PAGE,
        target=chosen.target,
        body=landing_page(link, chosen.target, lang=lang),
        headers=_HEADERS,
        lang=lang,
        **common,
    )


_HEADERS = {
    # The target changes from visit to visit: never cache the page.
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "Referrer-Policy": "no-referrer",
}

_TEXT = {
    "zh": {
        "title": "扫码加入群聊",
        "hint": "长按二维码识别加入，或用微信扫一扫；也可截图后在微信中从相册识别。",
        "alt": "二维码",
        "hint_text": "请用手机扫描二维码。",
        "full_title": "名额已满",
        "full": "这个活码的所有群都已满员或已过期，请稍后再来，或联系发码的人。",
        "lang": "zh-CN",
    },
    "en": {
        "title": "Scan to join",
        "hint": "Long-press the code to join, or scan it with WeChat; you can also take "
        "a screenshot and pick it from your album in WeChat's scanner.",
        "alt": "QR code",
        "hint_text": "Scan this code with your phone.",
        "full_title": "No places left",
        "full": "Every group behind this code is full or has expired. Please come back "
        "later or ask whoever shared it.",
        "lang": "en",
    },
}

_STYLE = (
    "body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,'PingFang SC',"
    "'Microsoft YaHei',sans-serif;background:#f5f5f5;color:#222}"
    "main{max-width:420px;margin:0 auto;padding:32px 20px;text-align:center}"
    "h1{font-size:20px;margin:0 0 20px}"
    ".qr{background:#fff;border-radius:12px;padding:16px;display:inline-block;position:relative}"
    ".qr svg{width:240px;height:240px;display:block}"
    ".qr .press{position:absolute;left:16px;top:16px;width:240px;height:240px;opacity:0;"
    "-webkit-touch-callout:default}"
    "p{color:#555}"
)


def _page(lang: str, title: str, inner: str) -> str:
    t = _TEXT.get(lang, _TEXT["en"])
    return (
        f'<!doctype html><html lang="{t["lang"]}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{inner}</main></body></html>"
    )


def landing_page(link: Link, target: LiveTarget, *, lang: str) -> str:
    """The live code's landing page: the target's QR code inline as SVG.

    Self-contained (no external assets), ``noindex``, everything escaped; the
    QR code is rendered by suo from the payload.

    Example:
        >>> from datetime import UTC, datetime
        >>> from suo.shortener import Link, LiveTarget
        >>> link = Link("join", "https://s.example/join", datetime(2026, 1, 1, tzinfo=UTC), live="fill_first")
        >>> page = landing_page(link, LiveTarget("https://weixin.qq.com/g/A"), lang="zh")
        >>> "<svg" in page and "noindex" in page and "扫码加入群聊" in page
        True
    """
    return _landing_html(link.title, target.payload, lang)


@functools.lru_cache(maxsize=1024)
def _landing_html(title: str | None, payload: str, lang: str) -> str:
    # Pages are a pure function of these three: cache them like the QR renders.
    import base64

    from suo.shortener.qr import render, svg_inline

    t = _TEXT.get(lang, _TEXT["en"])
    hint = t["hint"] if _http_parts(payload) is not None else t["hint_text"]
    svg = svg_inline(payload, border=2)
    # In-app "long-press to recognise" (WeChat, QQ) reads <img> elements, not
    # inline SVG: a transparent PNG of the same code lies exactly over it.
    png = render(payload, "png", scale=8, border=2)
    assert isinstance(png, bytes)
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    alt = html.escape(t["alt"], quote=True)
    inner = (
        f'<div class="qr">{svg}<img class="press" alt="{alt}" src="{src}"></div>'
        f"<p>{html.escape(hint)}</p>"
    )
    return _page(lang, title or t["title"], inner)


def _exhausted_page(link: Link, lang: str) -> str:
    t = _TEXT.get(lang, _TEXT["en"])
    return _page(lang, t["full_title"], f"<p>{html.escape(t['full'])}</p>")


# -- managing -----------------------------------------------------------------


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

    def __init__(self, shortener: Shortener, code: str) -> None:
        self.shortener = shortener
        self.code = code

    @property
    def _store(self) -> LiveStore:
        return _store(self.shortener)

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
        [slot] = _new_slots(self._store, self.code, [target], self._now(now))
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
        new = _coerce(target, self._now(now))
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
                events += _fill_events(s, when, crossing_only=False)
                events += _expiry_events(s, when)
        if not any(s.has_room(when) for s in slots):
            events.append(_empty_event(self.code, slots, when))
        return _emit(self.shortener, store, events)

    def events(self, *, since: datetime | None = None) -> list[LiveEvent]:
        """Recorded events, oldest first (``since``: only those at or after it)."""
        found = self._store.live_events(self.code)
        return [e for e in found if since is None or e.at >= since]

    def on(self, kind: str | None, callback: Listener) -> Callable[[], None]:
        """Call ``callback(event)`` on this code's events of ``kind`` (``None``: all).

        Returns a function that unsubscribes. See :func:`subscribe`.
        """
        return subscribe(self.shortener, callback, kind=kind, code=self.code)

    def delete(self) -> bool:
        """Delete the live code: its link, targets, counters and events."""
        self._store.delete_live(self.code)
        _forget_events(self._store)
        return self.shortener.delete(self.code)

    def qr(self, fmt: str = "png", **options: Any) -> bytes | str:
        """The permanent QR code of the live code's short URL (see ``qr.render``)."""
        return self.shortener.qr(self.code, fmt, **options)

    def _repr_svg_(self) -> str:
        from suo.shortener.qr import svg_inline

        return svg_inline(self.shortener.short_url(self.code))

    def __repr__(self) -> str:
        return f"LiveCode({self.shortener.short_url(self.code)!r})"


def _dump_event(event: LiveEvent) -> str:
    """JSON of an event (used by the SQL and Redis backends)."""
    return json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":"))


def _load_event(data: str) -> LiveEvent:
    return LiveEvent.from_dict(json.loads(data))
