"""Several short domains: links belong to a domain, and the server answers by ``Host``.

Domains separate brands and campaigns (``s.brand-a.cn`` for one, ``go.brand-b.com``
for another), each with its own base URL, default access policy, 404
destination and expired destination. suo does **not** rotate domains to
dodge a platform's block: a link stays on the domain it was made on.

How links are kept: a link on the *default* domain (the one flagged
``default``, or the Shortener's own ``base_url`` when none is) is stored under
its code, as before domains existed, so existing stores need no migration:
their links belong to the default domain. A link on another domain is stored
under ``<code>@<domain id>`` (the id is 8 hex digits derived from the domain
name); that qualified code is its :attr:`Link.code` in Python, the API and
the CLI, and its short URL is the domain's base URL plus the bare code. The
same bare code can thus exist on two domains.

Resolving with ``host``: no domain configured -> as before (any Host).
Otherwise a configured host (or the Shortener's own) finds its domain; an
unknown host gets the default domain when one is flagged ``default``, else 404.

Example:
    >>> import suo
    >>> s = suo.Shortener("memory://", base_url="https://s.example/")
    >>> _ = s.domains.add("go.brand.example")
    >>> a = s.shorten("https://example.com/a", alias="sale")
    >>> b = s.shorten("https://example.com/b", alias="sale", domain="go.brand.example")
    >>> b.code, b.short_url
    ('sale@4f246ef1', 'https://go.brand.example/sale')
    >>> s.resolve("sale", host="s.example").location, s.resolve("sale", host="go.brand.example").location
    ('https://example.com/a', 'https://example.com/b')
    >>> s.resolve("sale", host="elsewhere.example").kind.value
    'not_found'
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from attrs import evolve, frozen

from suo.decision import Decision, DecisionKind
from suo.errors import ConfigurationError, InvalidInput, NotFound, StorageError
from suo.shortener.passthrough import merge_query, pass_mode
from suo.shortener.urls import URLPolicy, normalize_url

if TYPE_CHECKING:
    from suo.antiblock.policy import AccessPolicy

__all__ = ["SEP", "Domain", "DomainStore", "Domains", "domain_id", "normalize_host"]

# The Shortener (suo.shortener.service), not imported: it imports this module.
Shortener = Any

SEP = "@"
"""Between a link's bare code and its domain id in the stored code."""
_HOST = re.compile(
    r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)
_CACHE_SECONDS = 10.0


@functools.lru_cache(maxsize=1024)
def normalize_host(host: str) -> str:
    """A ``Host`` header as a domain name: lower case, no port, no trailing dot, IDN as punycode.

    Example:
        >>> normalize_host("Go.Brand.Example:8443"), normalize_host("短.例子")
        ('go.brand.example', 'xn--s7y.xn--fsqu00a')
    """
    text = host.strip()
    if text.startswith("["):  # an IPv6 literal
        return text.split("]", 1)[0].lower() + "]"
    name = text.rsplit(":", 1)[0] if text.count(":") == 1 else text
    name = name.rstrip(".").lower()
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    return name


def domain_id(name: str) -> str:
    """The 8-hex-digit id of a domain in stored codes (derived from its name).

    Example:
        >>> domain_id("go.brand.example")
        '4f246ef1'
    """
    return hashlib.sha256(name.encode("ascii")).hexdigest()[:8]


@frozen
class Domain:
    """A short domain and its settings.

    Attributes:
        name: the host name visitors use (``go.brand.example``).
        base_url: the public prefix of its short URLs (default ``https://<name>/``).
        default: whether it is the default domain: links made without
            ``domain=`` belong to it, and hosts no domain names get it.
        policy: the access policy of its links that have none of their own.
        not_found_url: where unknown codes on this domain go instead of the 404 page.
        expired_url: where its expired or exhausted links without their own go.
        pass_query: query pass-through for its links without their own setting:
            ``None`` (off), ``"merge"`` (the target's parameters win) or
            ``"override"`` (the visitor's win); see ``shorten(pass_query=)``.
        click_ids: give its links' counted redirects click ids, for links
            without their own setting (see ``shorten(click_ids=)``).
    """

    name: str
    base_url: str
    default: bool = False
    policy: AccessPolicy | None = None
    not_found_url: str | None = None
    expired_url: str | None = None
    pass_query: str | None = None
    click_ids: bool = False

    @property
    def id(self) -> str:
        """See :func:`domain_id`."""
        return domain_id(self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible fields; :meth:`from_dict` reads them back."""
        return {
            "name": self.name,
            "base_url": self.base_url,
            "default": self.default,
            "policy": None if self.policy is None else self.policy.to_dict(),
            "not_found_url": self.not_found_url,
            "expired_url": self.expired_url,
            "pass_query": self.pass_query,
            "click_ids": self.click_ids,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Domain:
        """Rebuild a domain from :meth:`to_dict` output."""
        policy = None
        if data.get("policy") is not None:
            from suo.antiblock.policy import AccessPolicy

            policy = AccessPolicy.from_dict(data["policy"])
        return cls(
            data["name"],
            data["base_url"],
            bool(data.get("default", False)),
            policy,
            data.get("not_found_url"),
            data.get("expired_url"),
            data.get("pass_query"),
            bool(data.get("click_ids", False)),
        )


@runtime_checkable
class DomainStore(Protocol):
    """What domains need from a store (memory, SQL and Redis implement it)."""

    def save_domain(self, name: str, data: Mapping[str, Any]) -> None:
        """Store (or replace) the domain ``name``'s settings."""

    def load_domains(self) -> dict[str, dict[str, Any]]:
        """Every domain's settings by name."""

    def delete_domain(self, name: str) -> bool:
        """Forget a domain; ``False`` if there was none."""


class Domains:
    """The short domains of a :class:`~suo.shortener.Shortener` (``s.domains``).

    The list is read from the store and cached for 10 seconds per process;
    changes through this object show at once.
    """

    def __init__(self, shortener: Shortener) -> None:
        self._s = shortener
        self._lock = threading.Lock()
        self._cache: tuple[float, dict[str, Domain]] | None = None

    @property
    def _store(self) -> DomainStore:
        store = self._s.store
        if not isinstance(store, DomainStore):
            raise ConfigurationError(
                f"{store!r} does not implement suo.shortener.domains.DomainStore; "
                "use a suo store (memory, SQL, Redis)"
            )
        return store

    def _all(self) -> dict[str, Domain]:
        now = time.monotonic()
        cached = self._cache  # one attribute read: no lock needed to look
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        store = self._s.store
        # A store without domains (a custom LinkStore) simply has none.
        try:
            raw = store.load_domains() if isinstance(store, DomainStore) else {}
        except StorageError:
            if cached is None:
                raise
            # The store is down: keep answering with the domains known, like cached links.
            with self._lock:
                self._cache = (now, cached[1])
            return cached[1]
        loaded = {n: Domain.from_dict(d) for n, d in raw.items()}
        with self._lock:
            self._cache = (now, loaded)
        self._s._cid_domains = any(d.click_ids for d in loaded.values())
        return loaded

    def _forget(self) -> None:
        with self._lock:
            self._cache = None

    def add(
        self,
        name: str,
        *,
        base_url: str | None = None,
        default: bool = False,
        policy: AccessPolicy | None = None,
        not_found_url: str | None = None,
        expired_url: str | None = None,
        pass_query: bool | str | None = None,
        click_ids: bool = False,
    ) -> Domain:
        """Add (or replace) a domain; returns it.

        Raises:
            InvalidInput: ``name`` is not a host name.
            InvalidURL: ``base_url``, ``not_found_url`` or ``expired_url`` is not a safe URL.
            InvalidInput: ``pass_query`` is not True, False, "merge" or "override".
        """
        host = normalize_host(name)
        if not _HOST.fullmatch(host):
            raise InvalidInput(f"{name!r} is not a domain name; give a host like go.brand.example")
        policy_: URLPolicy | None = self._s.url_policy
        base = normalize_url(base_url or f"https://{host}/", policy=policy_)
        base = base if base.endswith("/") else base + "/"
        if urlsplit(base).query or urlsplit(base).fragment:
            raise InvalidInput(f"base_url must have no query or fragment, got {base_url!r}")
        domain = Domain(
            host,
            base,
            default,
            policy,
            None if not_found_url is None else normalize_url(not_found_url, policy=policy_),
            None if expired_url is None else normalize_url(expired_url, policy=policy_),
            pass_mode(pass_query),
            bool(click_ids),
        )
        store = self._store
        if default:  # one default at most
            for other in self._all().values():
                if other.default and other.name != host:
                    store.save_domain(other.name, evolve(other, default=False).to_dict())
        store.save_domain(host, domain.to_dict())
        self._forget()
        self._all()  # reload, which also says whether any domain gives click ids
        return domain

    def list(self) -> list[Domain]:
        """Every domain, by name."""
        return [d for _, d in sorted(self._all().items())]

    def get(self, name: str) -> Domain:
        """One domain. Raises :class:`~suo.errors.NotFound`."""
        found = self._all().get(normalize_host(name))
        if found is None:
            raise NotFound(f"no domain {name!r}; add it with suo domains add {name}")
        return found

    def find(self, name: str) -> Domain | None:
        """One domain, or ``None``."""
        return self._all().get(name)

    def remove(self, name: str) -> bool:
        """Forget a domain (its links stay in the store, unreachable until it is added again)."""
        gone = self._store.delete_domain(normalize_host(name))
        self._forget()
        self._all()
        return gone

    # -- used by the Shortener ----------------------------------------------

    def stored_code(self, code: str, domain: str | None) -> str:
        """The code a link made on ``domain`` is stored under."""
        if domain is None:
            return code
        d = self.get(domain)
        if d.default:
            return code
        if len(code) > 55:
            raise InvalidInput(f"a code on a domain may have at most 55 characters, got {code!r}")
        return f"{code}{SEP}{d.id}"

    def route(self, code: str, host: str) -> tuple[str | None, Domain | None]:
        """The stored code a request for ``code`` on ``host`` means (``None``: 404), and its domain.

        A visitor names a bare code: an already qualified one (``code@id``) is
        not found on any host, so one domain's links can't be reached from another.
        """
        if SEP in code:
            return None, None
        domains = self._all()
        if not domains:
            return code, None
        name = normalize_host(host)
        found = domains.get(name)
        if found is not None:
            return (code if found.default else f"{code}{SEP}{found.id}"), found
        default = next((d for d in domains.values() if d.default), None)
        if name == urlsplit(self._s.base_url).hostname or default is not None:
            return code, default
        return None, None

    def of_code(self, code: str) -> Domain | None:
        """The domain a stored code belongs to (``None``: the Shortener's own, or a default)."""
        _bare, sep, ident = code.partition(SEP)
        domains = self._all()
        if not sep:
            return next((d for d in domains.values() if d.default), None)
        return next((d for d in domains.values() if d.id == ident), None)

    def short_url(self, code: str) -> str | None:
        """The public short URL of a stored code on a domain (``None``: use the Shortener's)."""
        if not self._all():
            return None
        domain = self.of_code(code)
        return None if domain is None else domain.base_url + code.partition(SEP)[0]


def finish(
    s: Shortener,
    decision: Decision,
    domain: Domain | None,
    code: str,
    query: str | Mapping[str, Any] | None = None,
) -> Decision:
    """A domain's 404 and expired destinations and its pass-through, applied to a Decision."""
    link = decision.link
    if domain is None and link is not None and link.extras is not None and link.extras.domain:
        domain = s.domains.find(link.extras.domain)
    if domain is None:
        return decision
    kind = decision.kind
    if kind is DecisionKind.NOT_FOUND and domain.not_found_url:
        note = f"not found on {domain.name}: sent to its not_found_url"
        return Decision(
            DecisionKind.REDIRECT, 302, domain.not_found_url, domain.not_found_url,
            code=code, client=decision.client, trace=(note,),
        )  # fmt: skip
    if kind in (DecisionKind.EXPIRED, DecisionKind.EXHAUSTED) and domain.expired_url:
        # (A link's own expired_url was applied before: it wins.)
        note = f"{kind.value}: sent to the expired_url of {domain.name}"
        return Decision(
            DecisionKind.REDIRECT, 302, domain.expired_url, domain.expired_url, code=code,
            link=decision.link, client=decision.client, trace=(*decision.trace, note),
        )  # fmt: skip
    ex = None if link is None else link.extras
    if (
        kind is DecisionKind.REDIRECT
        and domain.pass_query is not None
        and link is not None
        and decision.location
        and (ex is None or (ex.pass_query is None and decision.location != ex.expired_url))
    ):
        # The domain's pass-through, for a link without its own setting.
        if not query:
            note = f"pass-through of {domain.name}: no query to pass"
            return evolve(decision, trace=(*decision.trace, note))
        location = merge_query(
            decision.location, query, mode=domain.pass_query, drop=(s.click_param,)
        )
        note = f"pass-through of {domain.name} ({domain.pass_query}): {location}"
        return evolve(decision, location=location, trace=(*decision.trace, note))
    return decision
