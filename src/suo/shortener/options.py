"""The options a :class:`~suo.shortener.Link` may have beyond its target: :class:`LinkExtras`.

A value object with no behaviour of its own; :mod:`suo.shortener.extras`
applies it when a link is resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import field, frozen

from suo._time import from_iso, iso_utc

__all__ = ["LinkExtras"]


@frozen
class LinkExtras:
    """The options a link may have beyond its target and rules.

    Attributes:
        expired_url: where visitors of an expired or exhausted link are sent
            instead of the 410 page.
        pass_query: ``None`` (off), ``"merge"`` (the short URL's query is added
            to the target's; the target's own parameters win) or
            ``"override"`` (the visitor's parameters win).
        password: the scrypt hash of the link's password (never the password).
        variants: an A/B split: ``(url, weight)`` pairs, named A, B, C... in order.
        variants_until: when the split ends; after it everyone gets ``winner``.
        winner: the variant index everyone gets after ``variants_until``
            (``None``: the first variant).
        domain: the short domain the link was made on (see :mod:`suo.shortener.domains`).

    Example:
        >>> from suo.shortener.passwords import hash_password
        >>> LinkExtras(password=hash_password("s3cret"))
        LinkExtras(expired_url=None, pass_query=None, variants=(), variants_until=None, winner=None, domain=None, protected=True)
    """

    expired_url: str | None = None
    pass_query: str | None = None
    password: str | None = field(default=None, repr=False)
    variants: tuple[tuple[str, int], ...] = ()
    variants_until: datetime | None = None
    winner: int | None = None
    domain: str | None = None
    protected: bool = field(init=False, eq=False)

    @protected.default
    def _protected(self) -> bool:
        return self.password is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields (only those that are set)."""
        out: dict[str, Any] = {}
        if self.expired_url is not None:
            out["expired_url"] = self.expired_url
        if self.pass_query is not None:
            out["pass_query"] = self.pass_query
        if self.password is not None:
            out["password"] = self.password
        if self.variants:
            out["variants"] = [[url, w] for url, w in self.variants]
            out["variants_until"] = iso_utc(self.variants_until)
            out["winner"] = self.winner
        if self.domain is not None:
            out["domain"] = self.domain
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinkExtras:
        """Read :meth:`to_dict` output back."""
        return cls(
            expired_url=data.get("expired_url"),
            pass_query=data.get("pass_query"),
            password=data.get("password"),
            variants=tuple((str(u), int(w)) for u, w in data.get("variants") or ()),
            variants_until=from_iso(data.get("variants_until")),
            winner=data.get("winner"),
            domain=data.get("domain"),
        )
