"""Turn a request into a :class:`~suo.decision.Decision` and the Decision into a response.

This is the part the WSGI and ASGI adapters share. It holds no policy of its
own: which page, which status, which target all come from
:meth:`Shortener.resolve <suo.shortener.Shortener.resolve>`. What it adds is
HTTP: the routes, the headers every answer carries, and the pages for
"no such link" and "gone".

Routes:

* ``GET /{code}`` -- resolve the visit (and count it);
* ``HEAD /{code}`` -- the same status and headers with no body, from
  :meth:`Shortener.explain <suo.shortener.Shortener.explain>`, so a HEAD (link
  checkers, chat apps probing a URL) never counts as a click;
* ``GET|HEAD /{code}.svg`` and ``/{code}.png`` -- the link's QR code;
* ``GET|HEAD /healthz`` -- ``ok``, without touching the store (liveness);
* ``POST /{code}`` of a password-protected link -- the password form's
  answer: an ``application/x-www-form-urlencoded`` body of at most
  :data:`MAX_FORM` bytes with a ``password`` field (never the query string).
  The right password gets ``303 See Other`` to the target (a 307/308 would
  make the browser send the password on to the target); a wrong one the form
  again (401), too many wrong ones 429 with ``Retry-After``;
* anything else -- 404 page.

Otherwise only ``GET`` and ``HEAD`` are served. Methods are case-sensitive (RFC 9110
section 9.1), so ``get`` or ``Get`` is not ``GET``: nothing is resolved and no
click is counted. A method HTTP defines (``POST``, ``PUT``, ``DELETE``,
``OPTIONS``, ``PATCH``...) is answered ``405 Method Not Allowed`` with
``Allow: GET, HEAD`` (RFC 9110 section 15.5.6); any other method is one the
server does not recognise, answered ``501 Not Implemented`` (section 15.6.2).

Every page suo renders itself carries a ``Content-Language`` equal to its
``<html lang>``: the :attr:`Decision.lang <suo.decision.Decision.lang>` the
Shortener chose, or for 404/410 pages
:func:`~suo.antiblock.lang.page_language` (the same rule the Shortener uses).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from html.parser import HTMLParser
from http import HTTPStatus
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qs, quote

from attrs import evolve, field, frozen

from suo.antiblock.detect import Client, detect
from suo.antiblock.lang import page_language
from suo.decision import Decision, DecisionKind
from suo.errors import NotFound, StorageError, StorageUnavailable
from suo.web.proxies import TrustedProxies

if TYPE_CHECKING:
    from suo.shortener.service import Shortener

__all__ = [
    "CODE_PATTERN",
    "MAX_FORM",
    "NO_STORE",
    "Request",
    "Responder",
    "Response",
    "page_csp",
]

log = logging.getLogger("suo.web")

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
"""What a code in a path may look like (generated codes and aliases both fit).

Anything else is answered 404 without a store lookup, so junk paths (scanners,
``/wp-login.php``, NUL bytes) never reach the engine.
"""

NO_STORE = "no-store, private, max-age=0"
"""Cache-Control of every answer that may count a visit: no cache may replay it.

A redirect a cache (or the browser, for a 301) replays is a click nobody
counts, and a click cap or expiry nobody enforces.
"""

MAX_FORM = 4096
"""Bytes a password form's body may have (a longer one is answered 413 unread)."""
_FORM_TYPE = "application/x-www-form-urlencoded"

QR_CACHE = "public, max-age=300"
"""QR images depend only on the short URL: caches may keep them a few minutes."""

_QR_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
_QR_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_TEXT = "text/plain; charset=utf-8"
_HTML = "text/html; charset=utf-8"


@frozen
class Request:
    """What the adapters read from one HTTP request.

    Attributes:
        method: ``GET``, ``HEAD``...
        path: the decoded path below the mount point, starting with ``/``.
        user_agent: the ``User-Agent`` header (``""`` when absent).
        accept_language: the ``Accept-Language`` header.
        forwarded_for: ``X-Forwarded-For`` (several headers joined with ``", "``).
        peer: the socket peer's address (``None`` on a Unix socket).
        referrer: the ``Referer`` header; the visit event keeps its host only.
        query: the raw query string (no ``?``); the visit event keeps its
            ``utm_*`` parameters only.
        content_type: the ``Content-Type`` header (read for ``POST`` only).
        host: the ``Host`` header: with several short domains it picks the
            domain (see :mod:`suo.shortener.domains`).
        body: the request body of a ``POST`` (at most :data:`MAX_FORM` + 1
            bytes are read), ``None`` for other methods.
    """

    method: str
    path: str
    user_agent: str = ""
    accept_language: str | None = None
    forwarded_for: str | None = None
    peer: str | None = None
    referrer: str | None = None
    query: str | None = None
    content_type: str | None = None
    body: bytes | None = None
    host: str | None = None


@frozen
class Response:
    """An HTTP response, ready for either adapter.

    Attributes:
        status: the status code.
        headers: ``(name, value)`` pairs in the order to send them.
        body: the bytes to send (empty for HEAD; ``Content-Length`` still
            gives the length a GET would have).
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    @property
    def reason(self) -> str:
        """The reason phrase (``"Found"`` for 302)."""
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Unknown"

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)


# -- Content-Security-Policy for suo's own pages --------------------------------


class _InlineCollector(HTMLParser):
    """Collects what a CSP must allow in a page: inline scripts, styles, attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.script_attrs: list[str] = []
        self.style_attrs: list[str] = []
        self._raw: str | None = None
        self._chunks: list[str] = []
        self._external_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.style_attrs.append(value)
            elif name.startswith("on"):
                self.script_attrs.append(value)
        if tag in ("script", "style"):
            self._raw = tag
            self._chunks = []
            self._external_script = tag == "script" and any(n == "src" for n, _ in attrs)

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._chunks.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is not None and tag == self._raw:
            text = "".join(self._chunks)
            if tag == "style":
                self.styles.append(text)
            elif not self._external_script:
                self.scripts.append(text)
            self._raw = None


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _sources(elements: Iterable[str], attributes: Iterable[str]) -> str:
    hashes = sorted({_hash(t) for t in elements})
    attr_hashes = sorted({_hash(t) for t in attributes} - set(hashes))
    if attr_hashes:
        hashes = ["'unsafe-hashes'", *hashes, *attr_hashes]
    return " ".join(hashes) if hashes else "'none'"


@functools.lru_cache(maxsize=512)
def page_csp(body: str) -> str:
    """A Content-Security-Policy that allows exactly the inline code of ``body``.

    suo's pages are self-contained: their scripts and styles are inline. Rather
    than ``'unsafe-inline'``, the policy lists the SHA-256 hash of each inline
    ``<script>`` and ``<style>`` (and, with ``'unsafe-hashes'``, of each
    ``style=""`` / ``on*=""`` attribute), so nothing injected into a page could
    run. Images may come from the page itself, ``data:`` URLs and ``https:``
    (a live code's landing page may show a group QR image); everything else
    (fetch, frames, fonts, plugins, ``<base>``) is off.

    Example:
        >>> csp = page_csp("<style>p{color:red}</style><p>hi</p>")
        >>> csp.split("; ")[1:3]
        ["script-src 'none'", "style-src 'sha256-p0bF+un5yUb9MBO6xRb8kPHlY2BdpHVtLiFkDrZPF64='"]
    """
    # Browsers normalise CR LF and CR to LF before parsing, and hash what they parsed.
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    found = _InlineCollector()
    found.feed(text)
    found.close()
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {_sources(found.scripts, found.script_attrs)}",
            f"style-src {_sources(found.styles, found.style_attrs)}",
            "img-src 'self' data: https:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# -- status pages -------------------------------------------------------------

_CONTENT_LANGUAGE = {"zh": "zh-CN", "en": "en"}
"""The ``Content-Language`` of a page in each of suo's languages (as its ``<html lang>``)."""

#: Methods RFC 9110 (and RFC 5789, PATCH) define: answered 405 with ``Allow``.
#: Any other method, including ``get`` (methods are case-sensitive), is 501.
_KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)


# -- the responder --------------------------------------------------------------


def _proxies(value: TrustedProxies | Iterable[str] | None) -> TrustedProxies:
    return value if isinstance(value, TrustedProxies) else TrustedProxies.of(value)


@frozen
class Responder:
    """Answers requests for one :class:`~suo.shortener.Shortener`; both adapters use it.

    Attributes:
        shortener: the Shortener whose links are served.
        trusted_proxies: proxies whose ``X-Forwarded-For`` is believed
            (see :class:`~suo.web.proxies.TrustedProxies`); strings are parsed.
        referrer_policy: the ``Referrer-Policy`` of redirects. The default
            ``strict-origin-when-cross-origin`` lets the target see which
            site the visitor came from (the origin only, never the path).
            suo's own pages always send ``no-referrer``, so a short code
            (which may carry a click cap) never leaks from them.

    Example:
        >>> import suo
        >>> s = suo.Shortener("memory://")
        >>> _ = s.shorten("https://example.com/", alias="ex")
        >>> r = Responder(s).handle(Request("GET", "/ex", user_agent="curl/8"))
        >>> r.status, r.header("Location"), r.header("Cache-Control")
        (302, 'https://example.com/', 'no-store, private, max-age=0')
    """

    shortener: Shortener
    trusted_proxies: TrustedProxies = field(factory=TrustedProxies, converter=_proxies)
    referrer_policy: str = "strict-origin-when-cross-origin"

    # -- entry point --------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """The response to ``request`` (a HEAD gets the GET's headers and no body)."""
        response = self._route(request)
        if request.method == "HEAD":
            return Response(response.status, response.headers, b"")
        return response

    def client_ip(self, request: Request) -> str | None:
        """The visitor's address: the socket peer, or X-Forwarded-For behind trusted proxies."""
        return self.trusted_proxies.client_ip(request.peer, request.forwarded_for)

    def _route(self, request: Request) -> Response:
        method = request.method
        if method == "POST" and CODE_PATTERN.fullmatch(request.path[1:]):
            answer = self._guarded(lambda: self._password_post(request.path[1:], request), request)
            if answer is not None:
                return answer
        if method not in ("GET", "HEAD"):
            # Nothing is resolved, so no click is counted. Methods are
            # case-sensitive (RFC 9110 section 9.1): "get" is not GET.
            if method in _KNOWN_METHODS:
                return self._text(
                    405, "method not allowed: use GET or HEAD\n", [("Allow", "GET, HEAD")]
                )
            return self._text(501, "method not implemented: use GET or HEAD\n")
        path = request.path
        if not path.startswith("/"):
            return self._status_page(DecisionKind.NOT_FOUND, request)
        name = path[1:]
        if name == "healthz":
            return self._text(200, "ok\n")
        stem, dot, ext = name.rpartition(".")
        if dot and ext in _QR_TYPES and CODE_PATTERN.fullmatch(stem):
            return self._guarded(lambda: self._qr(stem, ext, request), request)
        if not CODE_PATTERN.fullmatch(name):
            return self._status_page(DecisionKind.NOT_FOUND, request)
        return self._guarded(lambda: self._visit(name, request), request)

    def visit_code(self, request: Request) -> str | None:
        """The short code when ``request`` is a visit to one (GET/HEAD ``/<code>``), else ``None``.

        The async adapter answers those with ``Shortener.aresolve`` (:meth:`avisit`)
        and everything else (QR codes, ``/healthz``, errors) with :meth:`handle`.
        """
        if request.method not in ("GET", "HEAD") or not request.path.startswith("/"):
            return None
        name = request.path[1:]
        if name == "healthz" or not CODE_PATTERN.fullmatch(name):
            return None
        stem, dot, ext = name.rpartition(".")
        if dot and ext in _QR_TYPES and CODE_PATTERN.fullmatch(stem):
            return None
        return name

    async def avisit(self, code: str, request: Request) -> Response:
        """:meth:`handle` for a visit to ``code``, with ``aresolve``/``aexplain``."""
        s = self.shortener
        try:
            if request.method == "HEAD":
                decision = await s.aexplain(
                    code,
                    user_agent=request.user_agent,
                    accept_language=request.accept_language,
                    host=request.host,
                )
            else:
                decision = await s.aresolve(
                    code,
                    user_agent=request.user_agent,
                    ip=self.client_ip(request),
                    accept_language=request.accept_language,
                    referrer=request.referrer,
                    query=request.query,
                    host=request.host,
                )
        except StorageError as exc:
            failure = exc

            def fail() -> Response:
                raise failure

            return self._guarded(fail, request)  # the sync path's answer to a failed store
        response = self.respond(decision, accept_language=request.accept_language)
        if request.method == "HEAD":
            return Response(response.status, response.headers, b"")
        return response

    def _guarded(self, fn: Callable[[], _R], request: Request) -> _R | Response:
        try:
            return fn()
        except StorageUnavailable as exc:
            # No line per request: the Shortener's outage tracker (logger
            # suo.outage) logs once when the store goes down and once when it is back.
            self.shortener.outage.failed(exc)
            return _unavailable(request.path)
        except StorageError:
            log.exception("suo.web: the store failed while answering %s", request.path)
            return _unavailable(request.path)

    # -- visits -------------------------------------------------------------

    def _password_post(self, code: str, request: Request) -> Response | None:
        """The password form's POST; ``None`` when the link has no password (then 405)."""
        s = self.shortener
        routed = code if request.host is None else s.domains.route(code, request.host)[0]
        link = None if routed is None else s._load(routed)
        if link is None or link.extras is None or link.extras.password is None:
            return None
        ctype = (request.content_type or "").split(";", 1)[0].strip().lower()
        if ctype != _FORM_TYPE:
            return self._text(415, f"send the password form as {_FORM_TYPE}\n")
        body = request.body or b""
        if len(body) > MAX_FORM:
            return self._text(413, f"the form may have at most {MAX_FORM} bytes\n")
        try:
            fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
        except ValueError:
            return self._text(400, "the form has too many fields\n")
        given = fields.get("password")
        password = given[0] if given and given[0] else None
        decision = s.resolve(
            code,
            user_agent=request.user_agent,
            ip=self.client_ip(request),
            accept_language=request.accept_language,
            referrer=request.referrer,
            query=request.query,
            password=password,
            host=request.host,
        )
        if decision.kind is DecisionKind.REDIRECT:
            # 303: the browser follows with a GET. A 307/308 would send the
            # form, password and all, on to the target.
            decision = evolve(decision, status=303)
        return self.respond(decision, accept_language=request.accept_language)

    def _visit(self, code: str, request: Request) -> Response:
        s = self.shortener
        if request.method == "HEAD":
            decision = s.explain(
                code,
                user_agent=request.user_agent,
                accept_language=request.accept_language,
                host=request.host,
            )
        else:
            # The client IP only feeds the daily-salted visitor id (never stored),
            # the Referer keeps its host, the query its utm_* parameters.
            decision = s.resolve(
                code,
                user_agent=request.user_agent,
                ip=self.client_ip(request),
                accept_language=request.accept_language,
                referrer=request.referrer,
                query=request.query,
                host=request.host,
            )
        return self.respond(decision, accept_language=request.accept_language)

    def respond(self, decision: Decision, *, accept_language: str | None = None) -> Response:
        """Translate one :class:`~suo.decision.Decision` into a :class:`Response`.

        Framework views that call ``Shortener.resolve`` themselves use this to
        answer with exactly the adapters' status, headers and body.

        Example:
            >>> import suo
            >>> s = suo.Shortener("memory://")
            >>> r = Responder(s).respond(s.resolve("nope"), accept_language="en")
            >>> r.status, r.header("X-Robots-Tag"), r.header("Content-Language")
            (404, 'noindex', 'en')
        """
        kind = decision.kind
        if kind is DecisionKind.REDIRECT and decision.location:
            headers = [
                ("Location", _header_safe_url(decision.location)),
                ("Content-Type", _TEXT),
                ("Cache-Control", NO_STORE),
                ("Vary", "User-Agent, Accept-Language"),
                ("Referrer-Policy", self.referrer_policy),
                ("X-Content-Type-Options", "nosniff"),
                ("Content-Length", "0"),
            ]
            return Response(decision.status, _merge(headers, decision.headers))
        body = decision.body
        lang = decision.lang
        if body is None:
            if lang is None or lang not in _CONTENT_LANGUAGE:
                client = decision.client if decision.client is not None else Client()
                lang = page_language(accept_language, client)
            page_kind = kind if kind in _STATUS_KINDS else DecisionKind.NOT_FOUND
            body = self.shortener.pages.status(page_kind.value, lang=lang)
        return self._page(decision.status, body, lang, decision.headers)

    # -- QR codes -----------------------------------------------------------

    def _qr(self, code: str, ext: str, request: Request) -> Response:
        try:
            if request.host is not None:
                routed = self.shortener.domains.route(code, request.host)[0]
                if routed is None:
                    raise NotFound(code)
                code = routed
            image = self.shortener.qr(code, ext)
        except NotFound:
            return self._status_page(DecisionKind.NOT_FOUND, request)
        data = image.encode("utf-8") if isinstance(image, str) else bytes(image)
        headers = [
            ("Content-Type", _QR_TYPES[ext]),
            ("Content-Length", str(len(data))),
            ("Cache-Control", QR_CACHE),
            ("Content-Security-Policy", _QR_CSP),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        ]
        return Response(200, tuple(headers), data)

    # -- pages --------------------------------------------------------------

    def _status_page(self, kind: DecisionKind, request: Request) -> Response:
        lang = page_language(request.accept_language, detect(request.user_agent))
        return self._page(
            Decision(kind).status, self.shortener.pages.status(kind.value, lang=lang), lang, {}
        )

    def _page(
        self,
        status: int,
        body: str,
        lang: str | None,
        extra: Mapping[str, str],
    ) -> Response:
        try:
            data = body.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: send (and hash) what the browser gets
            data = body.encode("utf-8", "replace")
            body = data.decode("utf-8")
        headers = [
            ("Content-Type", _HTML),
            ("Content-Length", str(len(data))),
            ("Cache-Control", NO_STORE),
            ("Vary", "User-Agent, Accept-Language"),
            ("Content-Security-Policy", page_csp(body)),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("X-Robots-Tag", "noindex"),
            ("Referrer-Policy", "no-referrer"),
        ]
        content_language = _CONTENT_LANGUAGE.get(lang or "")
        if content_language is not None:  # a page of unknown language gets none, not a wrong one
            headers.insert(2, ("Content-Language", content_language))
        return Response(status, _merge(headers, extra), data)

    @staticmethod
    def _text(status: int, text: str, extra: Iterable[tuple[str, str]] = ()) -> Response:
        data = text.encode("utf-8")
        headers = [
            ("Content-Type", _TEXT),
            ("Content-Length", str(len(data))),
            ("Cache-Control", NO_STORE),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Robots-Tag", "noindex"),
            *extra,
        ]
        return Response(status, tuple(headers), data)


_R = TypeVar("_R")

_PROBLEM_503 = (
    '{"type":"about:blank","title":"Service Unavailable","status":503,'
    '"detail":"The link store is unavailable; try again in a few seconds. '
    '链接服务暂时不可用，请稍后重试。"'
)


def _unavailable(path: str) -> Response:
    """503 with ``Retry-After`` and an RFC 9457 problem body (no traceback, no cause)."""
    instance = json.dumps(path if len(path) <= 200 else path[:200], ensure_ascii=True)
    data = f'{_PROBLEM_503},"instance":{instance}}}'.encode()
    headers = (
        ("Content-Type", "application/problem+json"),
        ("Content-Length", str(len(data))),
        ("Cache-Control", NO_STORE),
        ("Retry-After", "5"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Robots-Tag", "noindex"),
    )
    return Response(503, headers, data)


_STATUS_KINDS = frozenset({DecisionKind.NOT_FOUND, DecisionKind.EXPIRED, DecisionKind.EXHAUSTED})


_ADAPTER_OWNED = frozenset({"cache-control", "vary", "content-length", "content-type"})


def _merge(headers: list[tuple[str, str]], extra: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """``headers`` plus the Decision's own headers (the Decision knows its page).

    A Decision header replaces the adapter's of the same name, except that
    caching, ``Vary`` and the body's length and type stay the adapter's (no
    page may let a cache swallow a click), and a Decision's
    ``Content-Security-Policy`` is sent *beside* the adapter's hash-based one:
    a browser enforces every policy it gets, so the page gets the stricter of
    both. A header that would split the response (CR/LF), or that HTTP/1.1
    cannot carry (outside latin-1), is dropped.
    """
    if not extra:
        return tuple(headers)
    for name, value in extra.items():
        value = str(value)
        if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
            continue
        if not (name.isascii() and _latin1(value)):
            continue
        low = name.lower()
        if low in _ADAPTER_OWNED:
            continue
        if low != "content-security-policy":
            headers = [(k, v) for k, v in headers if k.lower() != low]
        headers.append((name, value))
    return tuple(headers)


def _latin1(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _header_safe_url(url: str) -> str:
    """``url`` with any non-ASCII or control character percent-encoded (headers are bytes)."""
    if url.isascii() and url.isprintable():
        return url
    return quote(url, safe="!#$%&'()*+,/:;=?@[]~")
