"""Click ids and conversions: from a click to a join to a purchase.

A link made with ``click_ids=True`` (or any link of a Shortener made with
``click_ids=True``) gets a fresh, unguessable click id on every counted
redirect: 16 random bytes from :mod:`secrets`, URL-safe base64 (22
characters), appended to the target as ``?suo_cid=<id>`` (the parameter
name is the Shortener's ``click_param``). The id is kept with the visit that
earned it (:meth:`ConversionStore.visit_by_click`), so the site behind the
link can report later what that click became: ``Shortener.track(click_id,
"purchase", value=..., currency=...)``.

Bots, link-preview fetchers, guide and deny pages and refused visits (cap
used up) get no id: only a person actually sent on does.

Examples:
    >>> add_click_id("https://shop.example/p?x=1#top", "AbC-_1")
    'https://shop.example/p?x=1&suo_cid=AbC-_1#top'
    >>> add_click_id("https://shop.example/", "AbC", param="cid")
    'https://shop.example/?cid=AbC'
    >>> len(new_click_id())
    22
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, runtime_checkable

from attrs import frozen

from suo._time import from_iso, iso_utc
from suo.errors import InvalidInput
from suo.shortener.model import Visit

__all__ = [
    "CLICK_PARAM",
    "EXPORT_COLUMNS",
    "Conversion",
    "ConversionStore",
    "add_click_id",
    "check_click_id",
    "check_click_param",
    "clean_conversion",
    "is_counted_click",
    "new_click_id",
]

CLICK_PARAM = "suo_cid"
"""The default query parameter that carries the click id to the target."""

_PARAM = re.compile(r"[A-Za-z0-9_.~-]{1,64}")
_CLICK_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_EVENT = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_MAX_EXTERNAL = 255
_MAX_VALUE = Decimal("1e15")


def new_click_id() -> str:
    """A fresh click id: 16 random bytes, URL-safe base64 without padding (22 chars).

    Never starting with ``-``, so that ``suo track <id> ...`` does not read it
    as an option (one id in 64 is drawn again: 127.9 bits of randomness stay).
    """
    while True:
        click_id = secrets.token_urlsafe(16)
        if click_id[0] != "-":
            return click_id


def check_click_param(param: str) -> str:
    """``param`` if it can name a query parameter as is (no encoding needed).

    Example:
        >>> check_click_param("utm id")
        Traceback (most recent call last):
        ...
        suo.errors.InvalidInput: click_param must be 1-64 of A-Z a-z 0-9 _ . ~ -, got 'utm id'
    """
    if not isinstance(param, str) or not _PARAM.fullmatch(param):
        raise InvalidInput(f"click_param must be 1-64 of A-Z a-z 0-9 _ . ~ -, got {param!r}")
    return param


def add_click_id(url: str, click_id: str, param: str = CLICK_PARAM) -> str:
    """``url`` with ``param=click_id`` added to its query (before any fragment).

    The id and the parameter name are made of URL-safe characters only, so
    nothing needs percent-encoding; the rest of the URL is left as it is.
    """
    base, hash_, fragment = url.partition("#")
    if "?" not in base:
        sep = "?"
    elif base.endswith(("?", "&")):
        sep = ""
    else:
        sep = "&"
    return f"{base}{sep}{param}={click_id}{hash_}{fragment}"


def is_counted_click(visit: Visit) -> bool:
    """True when ``visit`` counted as a click: a person sent to the target or a live target.

    From the event alone: not a bot, and a redirect, or a page that served a
    live-code target (a preview page serves none).
    """
    if visit.bot:
        return False
    return visit.outcome == "redirect" or (visit.outcome == "page" and visit.target is not None)


def _event(name: Any) -> str:
    if not isinstance(name, str) or not _EVENT.fullmatch(name):
        raise InvalidInput(
            f"event must be 1-64 of A-Z a-z 0-9 _ . : - (like 'join' or 'purchase'), got {name!r}"
        )
    if name == "click":
        raise InvalidInput("'click' is the funnel's first step, counted from visits: not trackable")
    return name


def _external(value: Any) -> str | None:
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not value
        or len(value) > _MAX_EXTERNAL
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
    ):
        raise InvalidInput(
            f"external_id must be a string of 1-{_MAX_EXTERNAL} characters without control"
            f" characters (an order or member id), got {value!r}"
        )
    return value


def _value(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise InvalidInput(f"value must be a number (Decimal, int or float), got {value!r}")
    try:
        # A float through its shortest repr: 19.99 stays 19.99, not 19.989999...
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise InvalidInput(f"value must be a number, got {value!r}") from None
    if not number.is_finite() or abs(number) >= _MAX_VALUE:
        raise InvalidInput(f"value must be a finite number below 10**15, got {value!r}")
    return number


def _currency(currency: Any, value: Decimal | None) -> str | None:
    if currency is None:
        return None
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise InvalidInput(
            f"currency must be an ISO 4217 code of three letters (CNY, USD), got {currency!r}"
        )
    if value is None:
        raise InvalidInput("currency given without a value: give value= too, or neither")
    return currency.upper()


def clean_conversion(
    event: Any, value: Any, currency: Any, external_id: Any
) -> tuple[str, Decimal | None, str | None, str | None]:
    """Validate :meth:`Shortener.track`'s arguments: ``(event, value, currency, external_id)``.

    Example:
        >>> clean_conversion("purchase", 19.99, "cny", "order-1")
        ('purchase', Decimal('19.99'), 'CNY', 'order-1')
        >>> clean_conversion("purchase", 5, "RMB元", None)
        Traceback (most recent call last):
        ...
        suo.errors.InvalidInput: currency must be an ISO 4217 code of three letters (CNY, USD), got 'RMB元'
    """
    number = _value(value)
    return _event(event), number, _currency(currency, number), _external(external_id)


def check_click_id(click_id: Any) -> str:
    """``click_id`` if it has the shape of an id suo mints, else :class:`InvalidInput`."""
    if not isinstance(click_id, str) or not _CLICK_ID.fullmatch(click_id):
        raise InvalidInput(
            f"a click id is 8-64 of A-Z a-z 0-9 _ - (as appended to the target), got {click_id!r}"
        )
    return click_id


@frozen
class Conversion:
    """One reported outcome of a click: a join, a sign-up, a purchase...

    Attributes:
        click_id: the click it belongs to.
        event: what happened (``"join"``, ``"purchase"``, any name).
        at: when it was reported to have happened (aware).
        click: the visit that earned the click id (code, time, platform,
            outcome, live target...): conversions are read by their click.
        external_id: the reporter's own id (order id, member id); one
            conversion per ``(click_id, event, external_id)``.
        value / currency: what it was worth (``Decimal``, ISO 4217 code).
    """

    click_id: str
    event: str
    at: datetime
    click: Visit
    external_id: str | None = None
    value: Decimal | None = None
    currency: str | None = None

    @property
    def code(self) -> str:
        """The short code that was clicked."""
        return self.click.code

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes it unique: ``(click_id, event, external_id or "")``."""
        return (self.click_id, self.event, self.external_id or "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields; :meth:`from_dict` reads them back (backends use it)."""
        return {
            "click_id": self.click_id,
            "event": self.event,
            "at": iso_utc(self.at),
            "external_id": self.external_id,
            "value": None if self.value is None else str(self.value),
            "currency": self.currency,
            "click": self.click.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Conversion:
        """Read :meth:`to_dict` output back."""
        at = from_iso(data["at"])
        if at is None:
            raise InvalidInput(f"a conversion needs its time 'at', got {data!r}")
        value = data.get("value")
        return cls(
            data["click_id"],
            data["event"],
            at,
            Visit.from_dict(data["click"]),
            data.get("external_id"),
            None if value is None else Decimal(value),
            data.get("currency"),
        )

    def row(self) -> dict[str, Any]:
        """A flat row for exports: :data:`EXPORT_COLUMNS`."""
        c = self.click
        return {
            "at": iso_utc(self.at),
            "click_id": self.click_id,
            "event": self.event,
            "external_id": self.external_id,
            "value": None if self.value is None else str(self.value),
            "currency": self.currency,
            "code": c.code,
            "click_at": iso_utc(c.at),
            "platform": c.platform,
            "os": c.os,
            "outcome": c.outcome,
            "referrer": c.referrer,
            "target": c.target,
            "variant": getattr(c, "variant", None),
        }


EXPORT_COLUMNS = (
    "at",
    "click_id",
    "event",
    "external_id",
    "value",
    "currency",
    "code",
    "click_at",
    "platform",
    "os",
    "outcome",
    "referrer",
    "target",
    "variant",
)
"""The columns of a conversions export (``suo export conversions``)."""


@runtime_checkable
class ConversionStore(Protocol):
    """What click ids and conversions need from a store.

    Click records are keyed by their id; conversions are unique per
    ``(click_id, event, external_id)``, settled atomically by the engine
    (primary key / unique constraint / ``HSETNX``). Deleting a link deletes
    its click records and conversions.
    """

    def record_click(self, visit: Visit, *, ttl: float | None = None) -> None:
        """Keep ``visit`` (which has ``click_id`` set) findable by its click id.

        ``ttl`` (seconds) is how long it must stay findable; backends with
        expiring keys (Redis) forget it then, others keep it until the link goes.
        """

    def visit_by_click(self, click_id: str) -> Visit | None:
        """The visit that earned ``click_id``, or ``None`` when unknown (or expired)."""

    def add_conversion(self, conversion: Conversion) -> bool:
        """Store ``conversion`` unless one with its :attr:`~Conversion.key` exists.

        ``True`` when stored, ``False`` when it was a repeat (nothing changes).
        """

    def conversions(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> list[Conversion]:
        """Conversions of clicks on ``code`` made in ``start <= click time < end``.

        Ordered by click time, then conversion time, then event and external id.
        """


def sort_key(c: Conversion) -> tuple[datetime, datetime, str, str, str]:
    """The order :meth:`ConversionStore.conversions` returns (backends sort by it)."""
    return (c.click.at, c.at, c.click_id, c.event, c.external_id or "")


def in_window(at: datetime, start: datetime | None, end: datetime | None) -> bool:
    """``start <= at < end`` with open ends."""
    return (start is None or at >= start) and (end is None or at < end)
