"""Live-code values: targets, stored slots, events and the pool's status.

Also the payload rules: what a target may hold and which payloads are meant
to be scanned rather than opened (:func:`is_scan_only`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from attrs import field, frozen

from suo._time import from_iso as _from_iso
from suo._time import iso_utc as _iso
from suo._time import require_aware
from suo.errors import InvalidInput, QRDecodeError
from suo.shortener.urls import normalize_url

__all__ = [
    "EVENTS",
    "EXPIRING_WITHIN",
    "MAX_PAYLOAD",
    "NEARLY_FULL",
    "STRATEGIES",
    "WECHAT_GROUP_TTL",
    "LiveEvent",
    "LiveSlot",
    "LiveStatus",
    "LiveTarget",
    "is_scan_only",
    "is_wechat_group",
]

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
        max_pixels: int | None = None,
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

        found = read(image) if max_pixels is None else read(image, max_pixels=max_pixels)
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

    def to_json(self) -> str:
        """Compact JSON of :meth:`to_dict` (how the SQL and Redis stores keep events).

        Example:
            >>> from datetime import UTC, datetime
            >>> e = LiveEvent("full", "join", datetime(2026, 1, 1, tzinfo=UTC), "t1.full")
            >>> LiveEvent.from_json(e.to_json()) == e
            True
        """
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> LiveEvent:
        """Read :meth:`to_json` output back."""
        return cls.from_dict(json.loads(data))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LiveEvent:
        """Read :meth:`to_dict` output back."""
        at = _from_iso(data["at"])
        if at is None:
            raise InvalidInput(f"a live event needs its time 'at', got {data!r}")
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
