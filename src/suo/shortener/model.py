"""Value objects of the shortener: :class:`Link`, :class:`Visit`, :class:`Stats`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from attrs import Attribute, evolve, field, frozen

from suo._time import from_iso as _from_iso
from suo._time import iso_utc as _iso
from suo.errors import InvalidInput
from suo.shortener.options import LinkExtras

if TYPE_CHECKING:
    from suo.antiblock.policy import AccessPolicy

__all__ = ["TRACKING", "UTM_KEYS", "Link", "LinkPage", "Stats", "Visit"]

MAX_CLICKS = 2_000_000_000
"""The largest click cap (it fits a 32-bit INTEGER column in every SQL engine)."""
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRACKING = ("events", "counts")
"""Tracking levels: every visit as an event, or totals only."""
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
"""The UTM parameters a visit keeps from the short URL's query string."""
_NO_UTM: Mapping[str, str] = MappingProxyType({})


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        raise InvalidInput(f"tags must be a sequence of strings, not the string {value!r}")
    out: list[str] = []
    for tag in value:
        if not isinstance(tag, str) or not tag.strip() or len(tag) > 64:
            raise InvalidInput(f"each tag must be a non-empty string of at most 64 chars: {tag!r}")
        if tag not in out:
            out.append(tag)
    return tuple(out)


@frozen
class Link:
    """A short link: a code that stands for a target URL, with its rules.

    Links are immutable values; ``Shortener.update`` stores a changed copy.
    Click counts live in the store (see :class:`Stats`), not here.

    Attributes:
        code: the short code (the path after the domain).
        target: the normalised http(s) URL the code stands for. For a live code,
            the first target at creation time (the live pool decides per visit).
        created_at: when it was made (aware, UTC).
        expires_at: after this instant ``resolve`` answers EXPIRED (410).
        max_clicks: after this many counted clicks ``resolve`` answers EXHAUSTED.
        tags: labels for listing and reporting.
        policy: the :class:`~suo.antiblock.AccessPolicy`; ``None`` uses the
            Shortener's default.
        redirect_status: 301, 302 (default), 303, 307 or 308.
        live: the live-code strategy name when this link is a live code.
        title: a human title (used by preview pages and landing pages).
        description: a human description (preview pages).
        tracking: ``"events"`` (every visit kept as an event), ``"counts"``
            (totals only, no events) or ``None`` (the Shortener's default).
        click_ids: append a click id to the target on each counted redirect
            (``True``/``False``), or ``None`` for the Shortener's default.
        extras: password, A/B split, query pass-through and expired destination
            (a :class:`~suo.shortener.extras.LinkExtras`), or ``None``.

    Examples:
        >>> import suo
        >>> s = suo.Shortener(suo.open_store("memory://"))
        >>> link = s.shorten("https://example.com", alias="ex", tags=["spring"])
        >>> link.code, link.target, link.tags
        ('ex', 'https://example.com/', ('spring',))
    """

    code: str
    target: str
    created_at: datetime
    expires_at: datetime | None = None
    max_clicks: int | None = field(default=None)
    tags: tuple[str, ...] = field(default=(), converter=_tags)
    policy: AccessPolicy | None = None
    redirect_status: int = field(default=302)
    live: str | None = None
    title: str | None = None
    description: str | None = None
    tracking: str | None = field(default=None)
    click_ids: bool | None = None
    extras: LinkExtras | None = None
    short_url: str | None = field(default=None, eq=False, repr=False)
    """The public short URL, set on links a Shortener hands out (not stored)."""

    @redirect_status.validator
    def _check_status(self, _attr: object, value: int) -> None:
        if value not in REDIRECT_STATUSES:
            raise InvalidInput(
                f"redirect_status must be one of {sorted(REDIRECT_STATUSES)}, got {value!r}"
            )

    @tracking.validator
    def _check_tracking(self, _attr: object, value: str | None) -> None:
        if value is not None and value not in TRACKING:
            raise InvalidInput(f"tracking must be one of {TRACKING} or None, got {value!r}")

    @max_clicks.validator
    def _check_max(self, _attr: object, value: int | None) -> None:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CLICKS
        ):
            raise InvalidInput(
                f"max_clicks must be an integer from 1 to {MAX_CLICKS} or None, got {value!r}"
            )

    def is_expired(self, now: datetime) -> bool:
        """True when ``now`` is at or past ``expires_at``."""
        return self.expires_at is not None and now >= self.expires_at

    def _qr_data(self) -> str:
        return self.short_url or self.target

    def _repr_svg_(self) -> str:
        """Jupyter shows a link as the QR code of its short URL."""
        from suo.shortener.qr import svg_inline

        return svg_inline(self._qr_data())

    def with_changes(self, **changes: Any) -> Link:
        """A copy with some fields replaced (validators run again)."""
        return evolve(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict; :meth:`from_dict` reads it back. Used by backends."""
        return {
            "code": self.code,
            "target": self.target,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.expires_at),
            "max_clicks": self.max_clicks,
            "tags": list(self.tags),
            "policy": None if self.policy is None else self.policy.to_dict(),
            "redirect_status": self.redirect_status,
            "live": self.live,
            "title": self.title,
            "description": self.description,
            "tracking": self.tracking,
            "click_ids": self.click_ids,
            **({} if self.extras is None else {"extras": self.extras.to_dict()}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Link:
        """Rebuild a link from :meth:`to_dict` output."""
        policy = None
        if data.get("policy") is not None:
            from suo.antiblock.policy import AccessPolicy

            policy = AccessPolicy.from_dict(data["policy"])
        created = _from_iso(data["created_at"])
        assert created is not None
        return cls(
            code=data["code"],
            target=data["target"],
            created_at=created,
            expires_at=_from_iso(data.get("expires_at")),
            max_clicks=data.get("max_clicks"),
            tags=tuple(data.get("tags", ())),
            policy=policy,
            redirect_status=data.get("redirect_status", 302),
            live=data.get("live"),
            title=data.get("title"),
            description=data.get("description"),
            tracking=data.get("tracking"),
            click_ids=data.get("click_ids"),
            extras=_extras(data.get("extras")),
        )


def _extras(data: Mapping[str, Any] | None) -> LinkExtras | None:
    return LinkExtras.from_dict(data) if data else None


_KEY = re.compile(r"[A-Za-z0-9_.-]{1,32}")


_GOOD_KEYS: set[str] = set()
_DAYS: dict[int, str] = {}


def _key_validator(_inst: object, attr: Attribute[str], value: str) -> None:
    # Breakdown keys become JSON paths and hash fields in the backends.
    if value in _GOOD_KEYS:  # the hot path: the few platform and OS names
        return
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise InvalidInput(f"Visit.{attr.name} must match [A-Za-z0-9_.-]{{1,32}}, got {value!r}")
    if len(_GOOD_KEYS) < 1024:
        _GOOD_KEYS.add(value)


def _utm(value: Any) -> Mapping[str, str]:
    if not value:
        return _NO_UTM
    return MappingProxyType(dict(value))


@frozen
class Visit:
    """One request for a link, as the store records it: a visit event.

    Attributes:
        at: when (aware).
        platform: the :class:`~suo.antiblock.Platform` value (``"wechat"``...).
        os: the :class:`~suo.antiblock.OS` value (``"ios"``...).
        bot: a crawler or link-preview fetcher (never consumes a click cap).
        outcome: the :class:`~suo.decision.DecisionKind` value it got.
        code: the short code visited.
        language: the visitor's first ``Accept-Language`` tag, lower case (``"zh-cn"``).
        referrer: the referring page's host only (``"mp.weixin.qq.com"``),
            never its path or query.
        target: the live-code target served (its id), for live codes.
        utm: the ``utm_*`` parameters of the short URL's query string.
        visitor: a daily-salted keyed hash of IP and User-Agent (16 hex
            digits): the same person on the same day has the same id, and no
            IP address is stored (see :func:`suo.shortener.visits.visitor_id`).
        click_id: the click id handed to the target (links made with
            ``click_ids=True``; see :mod:`suo.shortener.conversions`), else ``None``.
        variant: the A/B variant served (``"A"``, ``"B"``...), for A/B links.
    """

    at: datetime
    platform: str = field(default="browser", validator=_key_validator)
    os: str = field(default="other", validator=_key_validator)
    bot: bool = False
    outcome: str = "redirect"
    code: str = ""
    language: str | None = None
    referrer: str | None = None
    target: str | None = None
    utm: Mapping[str, str] = field(default=_NO_UTM, converter=_utm)
    visitor: str | None = None
    click_id: str | None = None
    variant: str | None = None

    @property
    def day(self) -> str:
        """The UTC calendar day, ``YYYY-MM-DD`` (the per-day breakdown key)."""
        at = self.at if self.at.tzinfo is UTC else self.at.astimezone(UTC)
        ordinal = at.toordinal()
        day = _DAYS.get(ordinal)
        if day is None:  # formatted once per day seen, not once per visit
            day = _DAYS[ordinal] = at.date().isoformat()
            if len(_DAYS) > 4096:
                _DAYS.clear()
        return day

    def with_outcome(self, outcome: str) -> Visit:
        """This visit with another outcome."""
        return evolve(self, outcome=outcome)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields (the CSV/JSONL export's columns, in order)."""
        return {
            "at": _iso(self.at),
            "code": self.code,
            "outcome": self.outcome,
            "platform": self.platform,
            "os": self.os,
            "bot": self.bot,
            "language": self.language,
            "referrer": self.referrer,
            "target": self.target,
            "utm": dict(self.utm),
            "visitor": self.visitor,
            "click_id": self.click_id,
            "variant": self.variant,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Visit:
        """Read :meth:`to_dict` output back."""
        at = _from_iso(data["at"])
        if at is None:
            raise InvalidInput(f"a visit needs its time 'at', got {data!r}")
        return cls(
            at,
            data.get("platform", "browser"),
            data.get("os", "other"),
            bool(data.get("bot", False)),
            data.get("outcome", "redirect"),
            data.get("code", ""),
            data.get("language"),
            data.get("referrer"),
            data.get("target"),
            data.get("utm") or _NO_UTM,
            data.get("visitor"),
            data.get("click_id"),
            data.get("variant"),
        )


@frozen
class Stats:
    """What happened to one link.

    Attributes:
        code: the link.
        clicks: counted clicks: people sent to (or shown) the target. Caps count these.
        visits: every human visit, whatever it got (guide pages and denials too).
        bots: visits by crawlers and preview fetchers, counted apart.
        first_visit / last_visit: first and latest human visit.
        by_platform / by_os / by_day: human visits broken down (days in UTC).
        uniques: distinct visitors among human visits. A visitor id is salted
            per day, so one person on two days counts twice (as in
            privacy-first web analytics). Exact on memory and SQL; a
            HyperLogLog on Redis (standard error 0.81%).
        by_outcome: human visits by what they got (``redirect``, ``guide``...).
        by_target: human visits of a live code by the target served (its id).
    """

    code: str
    clicks: int = 0
    visits: int = 0
    bots: int = 0
    first_visit: datetime | None = None
    last_visit: datetime | None = None
    by_platform: Mapping[str, int] = field(factory=dict)
    by_os: Mapping[str, int] = field(factory=dict)
    by_day: Mapping[str, int] = field(factory=dict)
    uniques: int = 0
    by_outcome: Mapping[str, int] = field(factory=dict)
    by_target: Mapping[str, int] = field(factory=dict)

    def day(self, when: date) -> int:
        """Human visits on one UTC day."""
        return self.by_day.get(when.isoformat(), 0)


@frozen
class LinkPage:
    """One page of links from ``Shortener.links``; pass ``next`` back as ``after``."""

    links: tuple[Link, ...]
    next: str | None
