"""The WSGI adapter: serve a Shortener's links from any WSGI server.

Example:
    >>> import suo
    >>> from suo.web import WSGIApp
    >>> s = suo.Shortener("memory://")
    >>> _ = s.shorten("https://example.com/", alias="ex")
    >>> app = WSGIApp(s)
    >>> seen = []
    >>> body = app({"REQUEST_METHOD": "GET", "PATH_INFO": "/ex", "REMOTE_ADDR": "127.0.0.1"},
    ...            lambda status, headers: seen.append((status, dict(headers))))
    >>> seen[0][0], seen[0][1]["Location"]
    ('302 Found', 'https://example.com/')
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from suo.web.core import MAX_FORM, Request, Responder, Response
from suo.web.proxies import TrustedProxies

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from suo.shortener.service import Shortener

__all__ = ["WSGIApp"]


class WSGIApp:
    """A WSGI application (PEP 3333) answering visits to a Shortener's links.

    Mount it anywhere (a WSGI server, Flask's ``DispatcherMiddleware``,
    Django's URLconf through a view); it reads ``PATH_INFO`` below its mount
    point. Every request is answered by :class:`~suo.web.core.Responder`:
    see :mod:`suo.web.core` for the routes and headers.

    Args:
        shortener: the :class:`~suo.shortener.Shortener` whose links are served.
        trusted_proxies: addresses / CIDR blocks of your reverse proxies whose
            ``X-Forwarded-For`` is believed (``"unix"`` for a Unix-socket peer).
            Empty (default): the client is ``REMOTE_ADDR``.
        referrer_policy: the ``Referrer-Policy`` sent with redirects.

    Example:
        >>> import suo
        >>> app = WSGIApp(suo.Shortener("memory://"), trusted_proxies=["10.0.0.0/8"])
        >>> app.responder.trusted_proxies.trusts("10.2.3.4")
        True
    """

    def __init__(
        self,
        shortener: Shortener,
        *,
        trusted_proxies: Iterable[str] | TrustedProxies = (),
        referrer_policy: str = "strict-origin-when-cross-origin",
    ) -> None:
        self.shortener = shortener
        self.responder = Responder(
            shortener, trusted_proxies=trusted_proxies, referrer_policy=referrer_policy
        )

    @staticmethod
    def request_from(environ: WSGIEnvironment) -> Request:
        """Read the fields suo uses from a WSGI environ."""
        path = environ.get("PATH_INFO") or "/"
        # PEP 3333 carries the raw path bytes as latin-1 text; a path that is
        # not UTF-8 stays as it is, does not look like a code and gets a 404.
        with contextlib.suppress(UnicodeError):
            path = path.encode("latin-1").decode("utf-8")
        method = str(environ.get("REQUEST_METHOD") or "GET")
        body: bytes | None = None
        if method == "POST":  # a password form: at most MAX_FORM + 1 bytes are read
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            stream = environ.get("wsgi.input")
            body = stream.read(min(max(length, 0), MAX_FORM + 1)) if stream and length else b""
        return Request(
            method=method,
            path=path,
            user_agent=environ.get("HTTP_USER_AGENT") or "",
            accept_language=environ.get("HTTP_ACCEPT_LANGUAGE") or None,
            forwarded_for=environ.get("HTTP_X_FORWARDED_FOR") or None,
            peer=environ.get("REMOTE_ADDR") or None,
            referrer=environ.get("HTTP_REFERER") or None,
            query=environ.get("QUERY_STRING") or None,
            content_type=environ.get("CONTENT_TYPE") or None,
            body=body,
            host=environ.get("HTTP_HOST") or None,
        )

    def handle(self, environ: WSGIEnvironment) -> Response:
        """The :class:`~suo.web.core.Response` for a WSGI environ (no I/O)."""
        return self.responder.handle(self.request_from(environ))

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        response = self.handle(environ)
        start_response(f"{response.status} {response.reason}", list(response.headers))
        return [response.body] if response.body else []

    def __repr__(self) -> str:
        return f"WSGIApp({self.shortener!r})"
