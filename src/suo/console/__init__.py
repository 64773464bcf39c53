"""The operator console: a small web page for making links, served at ``/console``.

``suo serve --api`` (and :class:`suo.web.ASGIApp` whenever its ``api`` is set)
answers every path under ``/console`` from :func:`respond`, which serves the
three committed files of this package (``index.html``, ``console.js``,
``console.css``) and nothing else. The page talks only to the management API
(``/api/v1``), with the API key the operator signs in with.

Why hand-written static files and no front-end build: the files are package
data, so ``pip install suo`` needs no Node.js, there is no npm tree to audit
and nothing to rebuild before a release; the page is small enough (create,
links, a link's page with its charts and live-code groups) that vanilla
JavaScript without a framework stays readable. Charts are SVG built with DOM
calls, which the strict policy allows and which needs no chart library. No
CDN either: everything comes from the server itself, which lets the page run
under a strict Content-Security-Policy (:data:`CSP`: ``'self'`` only, no
inline script or style) and work on networks that block foreign hosts.

Example:
    >>> status, headers, body = respond("GET", "/console/")
    >>> status, dict(headers)["Content-Type"]
    (200, 'text/html; charset=utf-8')
    >>> respond("GET", "/console")[0], dict(respond("GET", "/console")[1])["Location"]
    (308, 'console/')
    >>> respond("GET", "/console/secret.py")[0]
    404
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

__all__ = ["CSP", "FILES", "PREFIX", "is_console", "respond"]

PREFIX = "/console"
"""Where the console is served (below the app's ``root_path``)."""

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of every console response."""

FILES = {
    "index.html": "text/html; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
"""The files served, with their content types; any other name is 404."""

_API_MARK = b"__SUO_API_BASE__"


def is_console(path: str) -> bool:
    """Whether ``path`` (below the root path) is the console's: ``/console`` or below it.

    Example:
        >>> is_console("/console"), is_console("/console/console.js"), is_console("/consoles")
        (True, True, False)
    """
    return path == PREFIX or path.startswith(PREFIX + "/")


@cache
def _read(name: str) -> bytes:
    return resources.files(__name__).joinpath(name).read_bytes()


def _headers(content_type: str, length: int) -> list[tuple[str, str]]:
    return [
        ("Content-Type", content_type),
        ("Content-Length", str(length)),
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-cache"),
    ]


def respond(
    method: str, path: str, *, api_prefix: str = "/api/v1"
) -> tuple[int, list[tuple[str, str]], bytes]:
    """``(status, headers, body)`` for a request to ``path`` under :data:`PREFIX`.

    ``/console`` redirects to ``/console/`` (so the page's relative URLs
    resolve); ``/console/`` is ``index.html``, which learns where the API is
    (``api_prefix``, relative to the page) from a ``<meta>`` tag. GET and HEAD
    only (405 otherwise); HEAD gets the headers and no body.
    """
    if method not in ("GET", "HEAD"):
        body = b"method not allowed\n"
        headers = _headers("text/plain; charset=utf-8", len(body))
        return 405, [*headers, ("Allow", "GET, HEAD")], body
    if path == PREFIX:
        return 308, [*_headers("text/plain; charset=utf-8", 0), ("Location", "console/")], b""
    name = path[len(PREFIX) + 1 :] or "index.html"
    if name not in FILES:
        body = b"not found\n"
        return 404, _headers("text/plain; charset=utf-8", len(body)), body
    body = _read(name)
    if name == "index.html":
        base = "../" + api_prefix.strip("/") + "/"
        body = body.replace(_API_MARK, html.escape(base, quote=True).encode("utf-8"))
    return 200, _headers(FILES[name], len(body)), b"" if method == "HEAD" else body
