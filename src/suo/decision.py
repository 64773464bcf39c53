"""What ``Shortener.resolve`` answers: a :class:`Decision`.

A Decision says what to do with one request: redirect, show a page, or refuse.
Web adapters only turn it into an HTTP response; they add no logic.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from attrs import Factory, field, frozen

if TYPE_CHECKING:
    from suo.antiblock.detect import Client
    from suo.shortener.model import Link

__all__ = ["Decision", "DecisionKind"]


class DecisionKind(enum.Enum):
    """The kinds of answer ``resolve`` can give, each with its usual HTTP status."""

    REDIRECT = "redirect"
    """Send the visitor to ``Decision.location`` (301/302/307/308)."""
    GUIDE = "guide"
    """Show the "open in your browser" guide page (200)."""
    DENY = "deny"
    """Refuse this visitor with a page (403)."""
    PAGE = "page"
    """Show a page of suo's own: a live-code landing page or a preview (200)."""
    NOT_FOUND = "not_found"
    """No link has this code (404)."""
    EXPIRED = "expired"
    """The link's ``expires_at`` has passed (410)."""
    EXHAUSTED = "exhausted"
    """The link's click cap is used up, or every live-code target is full (410)."""
    PASSWORD = "password"  # noqa: S105 - a kind of answer, not a secret
    """The link is password-protected: show the password form (401)."""
    THROTTLED = "throttled"
    """Too many wrong password tries: wait ``Retry-After`` seconds (429)."""

    @property
    def default_status(self) -> int:
        """The usual HTTP status of this kind (a redirect's may be 301/303/307/308 instead).

        Example:
            >>> DecisionKind.GUIDE.default_status, DecisionKind.EXHAUSTED.default_status
            (200, 410)
        """
        return _DEFAULT_STATUS[self]


_DEFAULT_STATUS = {
    DecisionKind.REDIRECT: 302,
    DecisionKind.GUIDE: 200,
    DecisionKind.DENY: 403,
    DecisionKind.PAGE: 200,
    DecisionKind.NOT_FOUND: 404,
    DecisionKind.EXPIRED: 410,
    DecisionKind.EXHAUSTED: 410,
    DecisionKind.PASSWORD: 401,
    DecisionKind.THROTTLED: 429,
}


_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


def _default_status(self: Decision) -> int:
    return _DEFAULT_STATUS[self.kind]


@frozen
class Decision:
    """The answer to one visit of a short link.

    Attributes:
        kind: what to do (:class:`DecisionKind`).
        status: the HTTP status to answer with.
        location: the URL for a ``Location`` header (REDIRECT only).
        target: what the visitor is sent to or shown: the target URL, or for a
            live code the chosen :class:`~suo.shortener.LiveTarget`.
        body: the HTML page for GUIDE, DENY, PAGE, PASSWORD and THROTTLED
            (and suo's 404/410 pages).
        headers: extra response headers the page needs.
        code: the short code that was asked for.
        link: the link, when one was found.
        client: who asked (:class:`~suo.antiblock.Client`).
        trace: why: the policy rules tried, in order.
        lang: the language of ``body`` (``"zh"`` or ``"en"``) when suo chose
            one; adapters send it as ``Content-Language`` so header and page agree.
        click_id: the click id given to this visit (appended to ``location``)
            for links with click ids on; ``None`` otherwise.

    Examples:
        >>> import suo
        >>> s = suo.Shortener(suo.open_store("memory://"))
        >>> link = s.shorten("https://example.com/a", alias="hello")
        >>> d = s.resolve("hello")
        >>> d.kind, d.status, d.location
        (<DecisionKind.REDIRECT: 'redirect'>, 302, 'https://example.com/a')
    """

    kind: DecisionKind
    status: int = field(default=Factory(_default_status, takes_self=True))
    location: str | None = None
    target: Any = None
    body: str | None = None
    headers: Mapping[str, str] = _NO_HEADERS
    code: str | None = None
    link: Link | None = None
    client: Client | None = None
    trace: tuple[str, ...] = ()
    lang: str | None = None
    click_id: str | None = None

    @property
    def is_redirect(self) -> bool:
        """True when the visitor should be sent to ``location``."""
        return self.kind is DecisionKind.REDIRECT

    @property
    def counted(self) -> bool:
        """True when this visit counted as a click (a person reached the target)."""
        return self.kind in (DecisionKind.REDIRECT, DecisionKind.PAGE) and not (
            self.client is not None and (self.client.is_bot or self.client.is_preview)
        )
