"""The :class:`Shortener`: make links, resolve visits, count clicks."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Any, Self

from attrs import evolve
from cachetools import TTLCache

import suo.shortener.tracking as _conv
from suo._time import Clock, require_aware, utcnow
from suo.antiblock.detect import Client, detect
from suo.antiblock.lang import page_language
from suo.antiblock.pages import DEFAULT_PAGES, Pages
from suo.antiblock.policy import AccessPolicy, Action, PolicyDecision
from suo.decision import Decision, DecisionKind
from suo.errors import (
    AliasTaken,
    ConfigurationError,
    InvalidInput,
    NotFound,
    PolicyError,
    StorageUnavailable,
)
from suo.shortener.aio import AsyncMethods
from suo.shortener.batching import BatchHitStore, HitBatcher
from suo.shortener.codes import CodeGenerator, RandomCodes, check_alias
from suo.shortener.conversions import CLICK_PARAM, check_click_param
from suo.shortener.domains import Domain, Domains
from suo.shortener.domains import finish as domains_finish
from suo.shortener.extras import after as extras_after
from suo.shortener.extras import before as extras_before
from suo.shortener.extras import build_extras, changed_extras
from suo.shortener.funnel import Funnel, VariantComparison
from suo.shortener.live import choose as live_choose
from suo.shortener.live.choose import Pick, coerce, new_slots
from suo.shortener.live.events import EventHooks, Listener, empty_event, expiry_events, fill_events
from suo.shortener.live.manager import LiveCode
from suo.shortener.live.values import STRATEGIES, LiveEvent, LiveTarget
from suo.shortener.model import TRACKING, Link, LinkPage, Stats
from suo.shortener.outage import Outage
from suo.shortener.qr import render as render_qr
from suo.shortener.resolving import (
    _ACT_ELSEWHERE,
    _ACT_REDIRECT,
    _DENY,
    _EXHAUSTED,
    _GUIDE,
    _REDIRECT,
    _DryRun,
    _expired,
    _live_outcome,
    _Plan,
    _Recorder,
    _refused,
    _trace,
    _visit,
)
from suo.shortener.steps import Steps, op, run
from suo.shortener.store import LinkStore, LiveStore
from suo.shortener.urls import URLPolicy, normalize_url
from suo.shortener.visits import (
    BY,
    INTERVALS,
    Series,
    VisitLog,
    _check_tz,
    hours_between,
    visitor_id,
)
from suo.storage import open_store

__all__ = ["Shortener"]


_UNSET: Any = object()
_EXTRA_OPTIONS = ("password", "expired_url", "pass_query", "variants", "variants_until", "winner")
_MAX_ATTEMPTS = 24
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})
# A live code's target changes from visit to visit: never cache the answer.
_LIVE_REDIRECT_HEADERS: Mapping[str, str] = MappingProxyType({"Cache-Control": "no-store"})
_LIVE_PAGE_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex, nofollow",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        "Referrer-Policy": "no-referrer",
    }
)
_PAGE_KINDS = {
    Action.GUIDE: DecisionKind.GUIDE,
    Action.DENY: DecisionKind.DENY,
    Action.PREVIEW: DecisionKind.PAGE,
}


def _sum_stats(code: str, parts: Sequence[Stats]) -> Stats:
    def added(name: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in parts:
            for key, n in getattr(p, name).items():
                out[key] = out.get(key, 0) + n
        return out

    firsts = [p.first_visit for p in parts if p.first_visit is not None]
    lasts = [p.last_visit for p in parts if p.last_visit is not None]
    return Stats(
        code=code,
        clicks=sum(p.clicks for p in parts),
        visits=sum(p.visits for p in parts),
        bots=sum(p.bots for p in parts),
        first_visit=min(firsts) if firsts else None,
        last_visit=max(lasts) if lasts else None,
        by_platform=added("by_platform"),
        by_os=added("by_os"),
        by_day=added("by_day"),
        uniques=sum(p.uniques for p in parts),
        by_outcome=added("by_outcome"),
        by_target=added("by_target"),
    )


class Shortener(AsyncMethods):
    """Make short links and answer visits to them.

    Args:
        store: a store object, or a store URL for :func:`suo.open_store`.
        base_url: the public prefix of short URLs (``https://s.example/``).
        codes: the :class:`~suo.shortener.codes.CodeGenerator` (default random, 7 chars).
        policy: the default :class:`~suo.antiblock.AccessPolicy` for links
            without their own (``None``: everyone is redirected).
        clock: returns the current aware time; inject one to replay campaigns.
        pages: the :class:`~suo.antiblock.pages.Pages` that render guide, deny,
            preview and status pages; subclass it to brand or replace them.
        url_policy: what targets may be (see :class:`~suo.shortener.urls.URLPolicy`:
            allow/deny host lists, private hosts for intranet use...).
        cache_size: how many links the read cache holds.
        cache_ttl: seconds a cached link is trusted (``0`` turns the cache off).
            Updates and deletes through this Shortener invalidate it at once;
            another process's changes show within ``cache_ttl`` seconds. Click
            counts and caps are never cached.
        event_hooks: live-code event callbacks by event kind
            (``{"full": [notify], "empty": [page_someone]}``); more with :meth:`on`.
            They belong to this instance, like ``httpx``'s client hooks.
        tracking: ``"events"`` (default: every visit kept as an event, for
            :meth:`visits`, :meth:`timeseries`, uniques and breakdowns) or
            ``"counts"`` (totals only, no events); ``shorten(tracking=...)``
            overrides it per link.
        click_ids: give every counted redirect a click id (see
            :meth:`track`); ``shorten(click_ids=...)`` overrides it per link.
        click_id_tags: links carrying any of these tags get click ids too.
        click_param: the query parameter that carries the click id (``suo_cid``).
        click_ttl: seconds a click id stays reportable (Redis expires it then;
            memory and SQL keep it until the link is deleted). 90 days.
        outage_buffer: visits kept in memory while the store is unreachable,
            written when it is back (see :mod:`suo.shortener.outage`; ``0``:
            none are kept, each is dropped and counted).
        outage_stale_for: seconds a link read from the store may still be
            served from memory while the store is unreachable (``0``: never).
        outage_retry_every: seconds between tries of an unreachable store;
            meanwhile requests are answered from memory at once.
        batch_visits: let visits recorded at the same moment by several
            threads share one store call (:mod:`suo.shortener.batching`:
            one Redis MULTI/EXEC, one SQL transaction); each visit keeps its own
            atomic step, cap check and answer. On by default for stores that
            can (Redis, PostgreSQL, SQLite files); ``False`` writes each
            visit alone.

    A Shortener made from a URL owns its store: ``with suo.Shortener(url) as s:``
    closes it on the way out (a store object passed in is left open).

    Examples:
        >>> import suo
        >>> s = suo.Shortener("memory://", base_url="https://s.example/")
        >>> link = s.shorten("https://example.com/sale", alias="sale", max_clicks=1)
        >>> s.short_url(link.code)
        'https://s.example/sale'
        >>> s.resolve("sale").kind.value, s.resolve("sale").kind.value
        ('redirect', 'exhausted')
        >>> s.stats("sale").clicks
        1
    """

    def __init__(
        self,
        store: str | LinkStore,
        *,
        base_url: str = "http://127.0.0.1:8080/",
        codes: CodeGenerator | None = None,
        policy: AccessPolicy | None = None,
        clock: Clock = utcnow,
        cache_size: int = 10_000,
        cache_ttl: float = 10.0,
        url_policy: URLPolicy | None = None,
        pages: Pages | None = None,
        event_hooks: Mapping[str, Iterable[Listener]] | None = None,
        tracking: str = "events",
        click_ids: bool = False,
        click_id_tags: Iterable[str] = (),
        click_param: str = CLICK_PARAM,
        click_ttl: float = 90 * 24 * 3600.0,
        outage_buffer: int = 10_000,
        outage_stale_for: float = 600.0,
        outage_retry_every: float = 1.0,
        batch_visits: bool = True,
    ) -> None:
        self.click_ids = bool(click_ids)
        self.click_id_tags = frozenset(click_id_tags)
        self.click_param = check_click_param(click_param)
        self.click_ttl = click_ttl
        self._cid_any = self.click_ids or bool(self.click_id_tags)
        # Set by suo.shortener.domains when a loaded domain turns click ids on.
        self._cid_domains = False
        if tracking not in TRACKING:
            raise InvalidInput(f"tracking must be one of {TRACKING}, got {tracking!r}")
        self.tracking = tracking
        self._salts: dict[int, bytes] = {}
        self._owns_store = isinstance(store, str)
        self.store: LinkStore = open_store(store) if isinstance(store, str) else store
        if not isinstance(self.store, LinkStore):
            raise InvalidInput(f"{self.store!r} does not implement the LinkStore protocol")
        self.event_hooks = EventHooks()
        """Live-code event callbacks of this Shortener (see :meth:`on`)."""
        for kind, callbacks in (event_hooks or {}).items():
            for callback in callbacks:
                self.event_hooks.add(kind, callback)
        self._live_store: LiveStore | None = None
        self._recorder = _Recorder(self.store)
        self.batcher: HitBatcher | None = None
        """Shares store calls between threads' visits (:mod:`suo.shortener.batching`)."""
        if (
            batch_visits
            and isinstance(self.store, BatchHitStore)
            and getattr(self.store, "in_process", False) is not True
        ):
            self.batcher = HitBatcher(self.store)
            self._recorder.hit = self.batcher.hit
        self._hit = self._recorder.hit
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.codes: CodeGenerator = codes if codes is not None else RandomCodes()
        self.policy = policy
        self.url_policy = url_policy
        self.pages: Pages = pages if pages is not None else DEFAULT_PAGES
        self.clock = clock
        # An in-process store is already a dict: a cache in front would only add work.
        if getattr(self.store, "in_process", False) is True:
            cache_ttl = 0
        self._cache: TTLCache[str, Link] | None = (
            TTLCache(maxsize=cache_size, ttl=cache_ttl)
            if cache_ttl > 0 and cache_size > 0
            else None
        )
        self._cache_lock = threading.Lock()
        self.outage = Outage(
            self.store,
            self._set_hit,
            buffer_size=outage_buffer,
            stale_for=outage_stale_for if self._cache is not None else 0,
            retry_every=outage_retry_every,
            keep=cache_size,
        )
        """How this Shortener rides out store outages (:mod:`suo.shortener.outage`)."""
        # An in-process store has no read cache and no outages: resolve reads it directly.
        self._direct_load = self._cache is None and getattr(self.store, "in_process", False) is True

    def _set_hit(self, hit: Callable[..., int | None] | None) -> None:
        # The outage module swaps the recorder's hit while the store is down,
        # and gives ``None`` when it is back: the usual one again.
        self._recorder.hit = self._hit if hit is None else hit

    # -- making links -----------------------------------------------------

    def build_link(
        self,
        target: str,
        *,
        code: str,
        now: datetime | None = None,
        expires_at: datetime | None = None,
        max_clicks: int | None = None,
        policy: AccessPolicy | None = None,
        tags: Iterable[str] = (),
        **fields: Any,
    ) -> Link:
        """A :class:`Link` for ``code`` with this Shortener's short URL; nothing is stored.

        ``target`` is used as given (normalise it with
        :func:`~suo.shortener.urls.normalize_url` first); ``fields`` are further
        :class:`Link` attributes (``redirect_status``, ``title``, ``live``...).
        Meant for :meth:`create_link`, the extension point for new kinds of link.
        """
        if expires_at is not None:
            require_aware(expires_at, "expires_at")
        if policy is not None and not isinstance(policy, AccessPolicy):
            raise PolicyError(f"policy must be an AccessPolicy, got {type(policy).__name__}")
        return Link(
            code=code,
            target=target,
            created_at=self.clock() if now is None else now,
            expires_at=expires_at,
            max_clicks=max_clicks,
            tags=tuple(tags),
            policy=policy,
            short_url=self.short_url(code),
            **fields,
        )

    def create_link(
        self,
        build: Callable[[str], Link],
        *,
        alias: str | None = None,
        key: str = "",
        dedupe: bool = False,
    ) -> Link:
        """Store the link ``build(code)`` makes, under ``alias`` or a generated code.

        The extension point for new kinds of link (live codes use it): the code
        generator is asked for codes (``key`` feeds content-hash generators)
        until one is free, up to 24 tries; an alias is checked and tried once.
        With ``dedupe`` and a deduplicating generator, an existing link with the
        same code and target is returned instead of a new one.

        Raises:
            InvalidAlias / AliasTaken: as for :meth:`shorten`.

        Example:
            >>> import suo
            >>> s = suo.Shortener("memory://", base_url="https://s.example/")
            >>> link = s.create_link(lambda code: s.build_link("https://example.com/", code=code, title="Hi"))
            >>> s.get(link.code).title, len(link.code)
            ('Hi', 7)
        """
        if alias is not None:
            link = build(check_alias(alias))
            self.store.create_link(link)
            self._forget(link.code)
            return link
        dedupe = dedupe and getattr(self.codes, "deduplicates", False)
        for attempt in range(_MAX_ATTEMPTS):
            code = self.codes.generate(key, attempt, self._next_number)
            link = build(code)
            try:
                self.store.create_link(link)
            except AliasTaken:
                if dedupe:
                    existing = self.store.get_link(code)
                    if existing is not None and existing.target == link.target:
                        return self._public(existing)
                continue
            self._forget(code)
            return link
        raise InvalidInput(  # pragma: no cover - needs a nearly full code space
            f"no free code after {_MAX_ATTEMPTS} attempts; use a longer code generator"
        )

    def shorten(
        self,
        url: str,
        *,
        alias: str | None = None,
        expires_at: datetime | None = None,
        max_clicks: int | None = None,
        policy: AccessPolicy | None = None,
        tags: Iterable[str] = (),
        redirect_status: int = 302,
        title: str | None = None,
        description: str | None = None,
        tracking: str | None = None,
        click_ids: bool | None = None,
        password: str | None = None,
        expired_url: str | None = None,
        pass_query: bool | str = False,
        variants: Sequence[tuple[str, int]] | None = None,
        variants_until: datetime | None = None,
        winner: int | None = None,
        domain: str | None = None,
    ) -> Link:
        """Make a short link for ``url`` and store it.

        Args:
            url: an absolute http(s) URL; normalised (IDN hosts to punycode).
            alias: the code to use instead of a generated one (see
                :func:`~suo.shortener.codes.check_alias`).
            expires_at: aware datetime after which visits get EXPIRED (410).
            max_clicks: counted clicks after which visits get EXHAUSTED (410).
            policy: this link's access policy (default: the Shortener's).
            tags: labels to list links by.
            redirect_status: 301, 302 (default), 303, 307 or 308.
            title: shown by preview and landing pages.
            description: shown by preview pages.
            tracking: ``"events"`` or ``"counts"`` for this link (default: the Shortener's).
            click_ids: append a click id to the target on each counted redirect
                (``None``: the Shortener's default); see :meth:`track`.
            password: visitors must enter it first (only its scrypt hash is
                stored; see :mod:`suo.shortener.passwords`).
            expired_url: where visitors go once the link is expired or
                exhausted, instead of the 410 page.
            pass_query: pass the short URL's query on to the target: ``True``
                (the target's own parameters win) or ``"override"`` (the
                visitor's win); see :mod:`suo.shortener.passthrough`.
            variants: an A/B split, ``[(url, weight), ...]``: each visitor gets
                one variant, sticky for the day; ``url`` stays the link's target
                (list it among the variants if it should get traffic). See
                :mod:`suo.shortener.variants`.
            variants_until: when the split ends; then everyone gets ``winner``
                (a variant index; default the first variant).
            domain: the short domain to make it on (added with
                ``s.domains.add``); its ``code`` is then ``<alias>@<domain id>``
                and the same alias may exist on other domains. See
                :mod:`suo.shortener.domains`.

        Raises:
            InvalidURL: the target (or ``expired_url``, a variant) is not a safe
                absolute http(s) URL.
            InvalidAlias: the alias breaks the alias rules.
            AliasTaken: the alias is in use (of racing callers, exactly one wins).
            InvalidInput: a bad weight, winner, password or ``pass_query``.

        Example:
            >>> import suo
            >>> s = suo.Shortener("memory://")
            >>> _ = s.shorten("https://example.com/", alias="ab",
            ...               variants=[("https://example.com/a", 70), ("https://example.com/b", 30)])
            >>> [s.resolve("ab", ip=f"198.51.100.{i}").location[-1] for i in range(4)]
            ['a', 'b', 'a', 'a']
        """
        target = normalize_url(url, policy=self.url_policy)
        extras = build_extras(
            self.url_policy, password=password, expired_url=expired_url, pass_query=pass_query,
            variants=variants, variants_until=variants_until, winner=winner,
        )  # fmt: skip
        if domain is not None:  # links on a domain remember it (suo.shortener.domains)
            domain = self.domains.get(domain).name
            extras = changed_extras(extras, self.url_policy, domain=domain)
        now = self.clock()
        if click_ids:
            _conv.conversion_store(self)

        def build(code: str) -> Link:
            return self.build_link(
                target,
                code=code if domain is None else self.domains.stored_code(code, domain),
                now=now,
                expires_at=expires_at,
                max_clicks=max_clicks,
                policy=policy,
                tags=tags,
                redirect_status=redirect_status,
                title=title,
                description=description,
                tracking=tracking,
                click_ids=click_ids,
                extras=extras,
            )

        # A link with options is its own link, never a content-hash duplicate.
        return self.create_link(build, alias=alias, key=target, dedupe=extras is None)

    def _next_number(self) -> int:
        return self.store.next_sequence("codes")

    def shorten_many(self, items: Iterable[str | Mapping[str, Any]]) -> list[Link]:
        """Make many links in one store round trip, all or nothing.

        Each item is a URL, or a mapping of :meth:`shorten`'s keyword
        arguments with ``url``. Every item is validated before anything is
        written; a taken alias raises :class:`~suo.errors.AliasTaken` and
        stores none of them. Generated codes that collide are regenerated.

        Examples:
            >>> import suo
            >>> s = suo.Shortener("memory://")
            >>> links = s.shorten_many(["https://a.example/", {"url": "https://b.example/", "alias": "b"}])
            >>> [link.target for link in links]
            ['https://a.example/', 'https://b.example/']
        """
        now = self.clock()
        built: list[Link] = []
        generated: list[bool] = []
        for item in items:
            spec: dict[str, Any] = {"url": item} if isinstance(item, str) else dict(item)
            unknown = set(spec) - {
                "url", "alias", "expires_at", "max_clicks", "policy", "tags",
                "redirect_status", "title", "description", "tracking", "click_ids",
                "password", "expired_url", "pass_query", "variants", "variants_until", "winner",
            }  # fmt: skip
            if unknown or "url" not in spec:
                raise InvalidInput(
                    f"each item needs 'url' and may have shorten()'s keywords; bad keys: "
                    f"{sorted(unknown) or ['url missing']}"
                )
            target = normalize_url(spec.pop("url"), policy=self.url_policy)
            options = {k: spec.pop(k) for k in _EXTRA_OPTIONS if k in spec}
            if options:
                spec["extras"] = build_extras(self.url_policy, **options)
            alias = spec.pop("alias", None)
            code = check_alias(alias) if alias is not None else ""
            generated.append(alias is None)
            if alias is None:
                code = self.codes.generate(target, 0, self._next_number)
            built.append(self.build_link(target, code=code, now=now, **spec))
        for attempt in range(1, _MAX_ATTEMPTS):
            try:
                self.store.create_links(built)
            except AliasTaken as exc:
                idx = next((i for i, link in enumerate(built) if link.code == exc.alias), None)
                if idx is None or not generated[idx]:
                    raise
                fresh = self.codes.generate(built[idx].target, attempt, self._next_number)
                built[idx] = built[idx].with_changes(code=fresh, short_url=self.base_url + fresh)
                continue
            return built
        raise InvalidInput(f"no free codes after {_MAX_ATTEMPTS} attempts")  # pragma: no cover

    def shorten_live(
        self,
        targets: Sequence[LiveTarget | str],
        *,
        strategy: str = "fill_first",
        alias: str | None = None,
        policy: AccessPolicy | None = None,
        title: str | None = None,
        tags: Iterable[str] = (),
    ) -> Link:
        """Make a live code (活码): one permanent link that rotates through targets.

        The link's ``target`` is the first http(s) payload, or the short URL
        itself when no target is a URL (a live code's visits never use it).
        See :mod:`suo.shortener.live` for strategies, caps, expiry and events.

        Raises:
            InvalidInput: no targets, an unknown strategy, or a bad target.
            InvalidAlias / AliasTaken: as for :meth:`shorten`.
        """
        if strategy not in STRATEGIES:
            raise InvalidInput(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        if isinstance(targets, str | LiveTarget):
            targets = [targets]
        store = self.live_store
        now = self.clock()
        items = [coerce(t, now) for t in targets]
        if not items:
            raise InvalidInput("a live code needs at least one target")
        url = next(
            (t.payload for t in items if t.payload.startswith(("http://", "https://"))), None
        )

        def build(code: str) -> Link:
            return self.build_link(
                url or self.short_url(code),
                code=code,
                now=now,
                policy=policy,
                tags=tags,
                live=strategy,
                title=title,
            )

        link = self.create_link(build, alias=alias, key="\n".join(t.payload for t in items))
        # A deleted live code's leftovers must not leak into a new one of the same name.
        store.delete_live(link.code)
        self.event_hooks.forget(link.code)
        store.add_live_targets(link.code, new_slots(store, link.code, items, now))
        return self._public(link)

    def live(self, code: str) -> LiveCode:
        """The manager of a live code's targets (add, retire, replace, list, events)."""
        return LiveCode(self, code)

    @property
    def live_store(self) -> LiveStore:
        """The store as a :class:`~suo.shortener.LiveStore` (checked once).

        Raises:
            ConfigurationError: the store does not implement it.
            StorageUnavailable: the store is down (see :mod:`suo.shortener.outage`).
        """
        if self.outage.down and not self.outage.should_try():
            raise self.outage.refuse("live codes need the store")
        store = self._live_store
        if store is None:
            if not isinstance(self.store, LiveStore):
                raise ConfigurationError(
                    f"{self.store!r} does not implement the LiveStore protocol that live codes "
                    "need (suo.shortener.LiveStore); use a suo store (memory, SQL, Redis)"
                )
            store = self._live_store = self.store
        return store

    def on(
        self, kind: str | None, callback: Listener, *, code: str | None = None
    ) -> Callable[[], None]:
        """Call ``callback(event)`` on live-code events of ``kind`` (``None``: all).

        ``code`` limits it to one live code. Returns a function that removes
        the hook. Hooks run in the thread that noticed the event; one that
        raises is logged (``suo.live``) and does not disturb the visit.

        Example:
            >>> import suo
            >>> s = suo.Shortener("memory://")
            >>> seen = []
            >>> stop = s.on("full", seen.append)
            >>> _ = s.shorten_live([suo.LiveTarget("https://weixin.qq.com/g/A", cap=1)], alias="j")
            >>> _ = s.resolve("j")
            >>> [e.kind for e in seen]
            ['full']
        """
        return self.event_hooks.add(kind, callback, code=code)

    def qr(self, code: str, fmt: str = "png", **options: Any) -> bytes | str:
        """Render the QR code of a link's short URL (see :func:`suo.shortener.qr.render`)."""
        self.get(code)
        return render_qr(self.short_url(code), fmt=fmt, **options)

    # -- reading and changing ---------------------------------------------

    def _load(self, code: str) -> Link | None:
        cache = self._cache
        if cache is not None:
            with self._cache_lock:
                link = cache.get(code)
            if link is not None:
                return link
        outage = self.outage
        if outage.down and not outage.should_try():
            return outage.stale(code)
        try:
            link = self.store.get_link(code)
        except StorageUnavailable as exc:
            outage.failed(exc)
            return outage.stale(code, exc)
        if outage.down:
            outage.recovered()
        if link is not None and cache is not None:
            with self._cache_lock:
                cache[code] = link
            outage.keep(code, link)
        return link

    def _forget(self, code: str) -> None:
        if self._cache is not None:
            with self._cache_lock:
                self._cache.pop(code, None)
            self.outage.forget(code)

    def get(self, code: str) -> Link:
        """The link with this code. Raises :class:`~suo.errors.NotFound`."""
        link = self._load(code)
        if link is None:
            raise NotFound(f"no link with code {code!r}")
        return self._public(link)

    def _public(self, link: Link) -> Link:
        """The link as handed to callers: with its short URL, so it can show its QR."""
        return evolve(link, short_url=self.short_url(link.code))

    def update(
        self,
        code: str,
        *,
        target: str = _UNSET,
        expires_at: datetime | None = _UNSET,
        max_clicks: int | None = _UNSET,
        policy: AccessPolicy | None = _UNSET,
        tags: Iterable[str] = _UNSET,
        redirect_status: int = _UNSET,
        title: str | None = _UNSET,
        description: str | None = _UNSET,
        tracking: str | None = _UNSET,
        click_ids: bool | None = _UNSET,
        password: str | None = _UNSET,
        expired_url: str | None = _UNSET,
        pass_query: bool | str = _UNSET,
        variants: Sequence[tuple[str, int]] | None = _UNSET,
        variants_until: datetime | None = _UNSET,
        winner: int | None = _UNSET,
    ) -> Link:
        """Change a link (a new target, expiry, cap, policy, tags...) and return it.

        Only the arguments given change; pass ``None`` to clear an optional one
        (``password=None`` removes the password). Click counts are kept.
        """
        current = self.store.get_link(code)
        if current is None:
            raise NotFound(f"no link with code {code!r}")
        if click_ids is not _UNSET and click_ids:
            _conv.conversion_store(self)
        changes: dict[str, Any] = {}
        if target is not _UNSET:
            changes["target"] = normalize_url(target, policy=self.url_policy)
        if expires_at is not _UNSET:
            changes["expires_at"] = (
                expires_at if expires_at is None else require_aware(expires_at, "expires_at")
            )
        for name, value in (
            ("max_clicks", max_clicks),
            ("policy", policy),
            ("redirect_status", redirect_status),
            ("title", title),
            ("description", description),
            ("tracking", tracking),
            ("click_ids", click_ids),
        ):
            if value is not _UNSET:
                changes[name] = value
        if tags is not _UNSET:
            changes["tags"] = tuple(tags)
        options = {
            name: value
            for name, value in zip(
                _EXTRA_OPTIONS,
                (password, expired_url, pass_query, variants, variants_until, winner),
                strict=True,
            )
            if value is not _UNSET
        }
        if options:
            changes["extras"] = changed_extras(current.extras, self.url_policy, **options)
        updated = current.with_changes(**changes)
        if not self.store.replace_link(updated):
            raise NotFound(f"link {code!r} was deleted while updating it")
        self._forget(code)
        return self._public(updated)

    def delete(self, code: str) -> bool:
        """Delete a link with its counters (and a live code's targets and events).

        ``False`` if there was none.
        """
        self._forget(code)
        if isinstance(self.store, LiveStore):
            self.store.delete_live(code)
            self.event_hooks.forget(code)
        deleted = self.store.delete_link(code)
        self._forget(code)  # again: a resolve may have cached it meanwhile
        return deleted

    def stats(self, code: str | None = None, *, tag: str | None = None) -> Stats:
        """Clicks, visits, bots, uniques, first/last visit and breakdowns of one link.

        With ``tag`` instead of a code, the same numbers summed over every link
        carrying the tag (a campaign); its ``code`` is ``"tag:<tag>"``. Uniques
        are then summed per link: one person who opened two of the campaign's
        links counts twice.

        Example:
            >>> import suo
            >>> s = suo.Shortener("memory://")
            >>> for alias in ("a", "b"):
            ...     _ = s.shorten("https://example.com/", alias=alias, tags=["double12"])
            ...     _ = s.resolve(alias, ip="203.0.113.1")
            >>> st = s.stats(tag="double12")
            >>> st.code, st.clicks, st.by_outcome
            ('tag:double12', 2, {'redirect': 2})
        """
        if (code is None) == (tag is None):
            raise InvalidInput("give exactly one of code or tag=")
        if code is not None:
            if self._load(code) is None:
                raise NotFound(f"no link with code {code!r}")
            return self.store.link_stats(code)
        return _sum_stats(
            f"tag:{tag}", [self.store.link_stats(c) for c in self._codes_with_tag(str(tag))]
        )

    def visits(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> VisitLog:
        """The visit events of a link, oldest first (bots included, flagged).

        Each has ``.at``, ``.code``, ``.outcome``, ``.platform``, ``.os``,
        ``.bot``, ``.language``, ``.referrer`` (host), ``.target`` (live codes),
        ``.utm`` and ``.visitor``. Links tracked as ``"counts"`` have none.

        Raises:
            NotFound: no link has this code.
        """
        if self._load(code) is None:
            raise NotFound(f"no link with code {code!r}")
        start = None if start is None else require_aware(start, "start")
        end = None if end is None else require_aware(end, "end")
        return VisitLog(self.store.visits(code, start=start, end=end))

    def timeseries(
        self,
        code: str | None = None,
        *,
        tag: str | None = None,
        interval: str = "hour",
        by: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        tz: tzinfo | str | None = None,
    ) -> Series:
        """Human visits per hour or day in ``tz``, maybe broken down ``by`` one field.

        Give a ``code``, or a ``tag`` to ask across every link carrying it (a
        tag works as a campaign). ``start``/``end`` default to the last 7 days
        (``hour``) or 90 days (``day``) and are widened to whole hours;
        buckets start in ``tz`` (an IANA name or tzinfo; default UTC), so
        Asia/Shanghai days are Shanghai days.

        Example:
            >>> import suo
            >>> from datetime import UTC, datetime
            >>> s = suo.Shortener("memory://", clock=lambda: datetime(2026, 12, 1, 9, tzinfo=UTC))
            >>> _ = s.shorten("https://example.com/", alias="p", tags=["spring"])
            >>> _ = s.resolve("p", user_agent="Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.49")
            >>> [(b.hour, k, n) for b, k, n in s.timeseries(tag="spring", by="platform", tz="Asia/Shanghai").rows()]
            [(17, 'wechat', 1)]
        """
        if interval not in INTERVALS:
            raise InvalidInput(f"interval must be one of {INTERVALS}, got {interval!r}")
        if by is not None and by not in BY:
            raise InvalidInput(f"by must be one of {BY} or None, got {by!r}")
        if (code is None) == (tag is None):
            raise InvalidInput("give exactly one of code= or tag=")
        zone = _check_tz(tz)
        if code is not None:
            if self._load(code) is None:
                raise NotFound(f"no link with code {code!r}")
            codes = [code]
        else:
            codes = self._codes_with_tag(str(tag))
        now = self.clock()
        end = now if end is None else require_aware(end, "end")
        if start is None:
            start = end - timedelta(days=7 if interval == "hour" else 90)
        start = require_aware(start, "start")
        if start >= end:
            raise InvalidInput(f"start must be before end, got {start} >= {end}")
        lo, hi = hours_between(start, end)
        hours = self.store.visit_counts(codes, start=lo, end=hi, by=by) if codes else []
        return Series.from_hours(hours, interval=interval, by=by, tz=zone)

    # -- conversions (logic in suo.shortener.tracking) ------------------------

    def track(
        self,
        click_id: str,
        event: str,
        *,
        value: Any = None,
        currency: str | None = None,
        external_id: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Record a conversion of a click: ``join``, ``signup``, ``purchase`` or any name.

        ``click_id`` is the id ``resolve`` appended to the target (links made
        with ``click_ids=True``). One conversion is kept per ``(click_id,
        event, external_id)``, atomically in the engine: a repeated report
        (a retried webhook) changes nothing and returns ``False``. Give each
        order its ``external_id`` to record several purchases of one click.

        Args:
            value: what it was worth (``Decimal``, int or float; kept exact).
            currency: ISO 4217 code (``"CNY"``), with ``value``.
            external_id: your id of it (order id, member id), 1-255 characters.
            at: when it happened (aware; default now).

        Returns:
            ``True`` when recorded, ``False`` when it was recorded before.

        Raises:
            UnknownClickId: no click has this id (or its link was deleted).
            InvalidInput: a bad event name, value, currency or external id.

        Example:
            >>> import suo
            >>> s = suo.Shortener("memory://")
            >>> _ = s.shorten("https://shop.example/item", alias="item", click_ids=True)
            >>> d = s.resolve("item")
            >>> d.location == "https://shop.example/item?suo_cid=" + d.click_id
            True
            >>> s.track(d.click_id, "purchase", value="19.90", currency="CNY", external_id="o-1")
            True
            >>> s.track(d.click_id, "purchase", value="19.90", currency="CNY", external_id="o-1")
            False
        """
        return _conv.track(
            self, click_id, event, value=value, currency=currency, external_id=external_id, at=at
        )

    def funnel(
        self,
        code: str | None = None,
        *,
        tag: str | None = None,
        steps: Sequence[str] = ("click", "join", "purchase"),
        by: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Funnel:
        """Counts and step rates (with 95 % Wilson intervals) from clicks to conversions.

        Give a ``code`` or a ``tag`` (a campaign). ``"click"`` counts counted
        clicks among the visit events; each later step counts the click ids
        that reported its event and every earlier step's event.
        ``start``/``end`` select clicks by click time. ``by`` breaks it down
        by ``platform``, ``os``, ``outcome``, ``variant``, ``referrer``,
        ``target`` (live-code target) or ``content`` (the content item whose
        tracked link it is); see :mod:`suo.shortener.funnel`.

        Example:
            >>> import suo
            >>> s = suo.Shortener("memory://")
            >>> _ = s.shorten("https://shop.example/", alias="shop", click_ids=True)
            >>> ids = [s.resolve("shop").click_id for _ in range(4)]
            >>> s.track(ids[0], "join") and s.track(ids[0], "purchase") and s.track(ids[1], "join")
            True
            >>> [(st.name, st.count) for st in s.funnel("shop").steps]
            [('click', 4), ('join', 2), ('purchase', 1)]
        """
        return _conv.funnel(self, code, tag=tag, steps=steps, by=by, start=start, end=end)

    def compare_variants(
        self,
        code: str | None = None,
        *,
        tag: str | None = None,
        event: str = "purchase",
        by: str = "variant",
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> VariantComparison:
        """Which variant converts better to ``event``, when the data support it.

        A two-sided two-proportion z-test at ``alpha = 0.05`` of conversions
        per counted click; with no significant difference the answer is
        "not enough data yet", with about how many more clicks a test at 80 %
        power needs. ``by`` may name another breakdown (``platform``,
        ``content``...) to compare its values the same way.
        """
        return _conv.compare_variants(self, code, tag=tag, event=event, by=by, start=start, end=end)

    def _codes_with_tag(self, tag: str) -> list[str]:
        codes: list[str] = []
        after: str | None = None
        while True:
            page = self.store.list_links(tag=tag, after=after, limit=1000)
            codes += [link.code for link in page]
            if len(page) < 1000:
                return codes
            after = page[-1].code

    def purge_visits(self, *, before: datetime, code: str | None = None) -> int:
        """Delete visit events older than ``before`` (retention); returns how many.

        Click totals, breakdowns and uniques already counted stay.
        """
        return self.store.purge_visits(before=require_aware(before, "before"), code=code)

    def _visitor(self, ip: str, user_agent: str, now: datetime) -> str | None:
        day = now.astimezone(UTC) if now.tzinfo is not UTC else now
        ordinal = day.toordinal()
        salt = self._salts.get(ordinal)
        if salt is None:
            # While the store is down, a visit goes without a visitor id.
            if self.outage.down and not self.outage.should_try():
                return None
            try:
                salt = self.store.daily_salt(day.date().isoformat())
            except StorageUnavailable as exc:
                self.outage.failed(exc)
                return None
            if len(self._salts) > 4:
                self._salts.clear()
            self._salts[ordinal] = salt
        return visitor_id(ip, user_agent, salt)

    def links(
        self, *, tag: str | None = None, after: str | None = None, limit: int = 100
    ) -> LinkPage:
        """One page of links ordered by code; pass ``page.next`` as ``after`` for more."""
        if not 1 <= limit <= 10_000:
            raise InvalidInput(f"limit must be within 1..10000, got {limit}")
        found = self.store.list_links(tag=tag, after=after, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        return LinkPage(
            tuple(self._public(link) for link in found), found[-1].code if more else None
        )

    def short_url(self, code: str) -> str:
        """The public short URL of a code (on its domain's base URL, for a link on a domain)."""
        on_domain = self.domains.short_url(code)
        return self.base_url + code if on_domain is None else on_domain

    @functools.cached_property
    def domains(self) -> Domains:
        """The short domains (see :mod:`suo.shortener.domains`): ``add``, ``list``, ``remove``."""
        return Domains(self)

    # -- visits -------------------------------------------------------------

    def resolve(
        self,
        code: str,
        *,
        user_agent: str = "",
        ip: str | None = None,
        accept_language: str | None = None,
        referrer: str | None = None,
        query: str | Mapping[str, Any] | None = None,
        now: datetime | None = None,
        password: str | None = None,
        host: str | None = None,
    ) -> Decision:
        """Decide what one visit to ``code`` gets, and record the visit.

        The flow: detect the client from ``user_agent``; load the link (cache,
        then store); NOT_FOUND / EXPIRED if it is gone; the access policy picks
        redirect, guide page, deny page, another target or a preview page; a
        redirect counts a click atomically against ``max_clicks`` (EXHAUSTED
        when the cap is used up). Bots and preview fetchers are recorded apart
        and never use up a cap.

        The visit is recorded as an event (tracking ``"events"``): ``ip`` only
        feeds the daily-salted visitor id and is never stored, ``referrer``
        keeps its host only, ``query`` (the short URL's query string or a
        mapping) gives the ``utm_*`` parameters (and is passed on to the
        target when the link has ``pass_query``). ``password`` is the one the
        visitor submitted, for a password-protected link. ``host`` is the
        request's ``Host``: with domains configured it picks the domain (an
        unknown host is NOT_FOUND unless a default domain is set).
        """
        routed = self._route(code, host, user_agent, explain=False)
        if type(routed) is Decision:
            return routed
        code, domain = routed  # type: ignore[misc]
        d = self._resolve(
            code, user_agent, accept_language, now, self._recorder, ip, referrer, query, password
        )
        return self._after(d, query, domain, code)

    def explain(
        self,
        code: str,
        *,
        user_agent: str = "",
        accept_language: str | None = None,
        now: datetime | None = None,
        ip: str | None = None,
        query: str | Mapping[str, Any] | None = None,
        password: str | None = None,
        host: str | None = None,
    ) -> Decision:
        """What :meth:`resolve` would answer, with ``.trace`` set, recording nothing.

        It is the same path as :meth:`resolve` with a recorder that writes
        nothing: the cap is read instead of counted, no live-code slot is taken
        and no A/B variant is dealt (the trace says which one the visitor would
        get, and why). A ``password`` given here is checked through the same
        throttle as a real try, so a wrong one counts: explain is no oracle.
        """
        routed = self._route(code, host, user_agent, explain=True)
        if type(routed) is Decision:
            return routed
        code, domain = routed  # type: ignore[misc]
        recorder = _DryRun(self.store)
        if self.outage.down:  # the cap can't be read: answer from memory, or fail closed
            recorder.hit = self.outage.unavailable_hit
        d = self._resolve(
            code, user_agent, accept_language, now, recorder, ip, None, query, password
        )
        return self._after(d, query, domain, code)

    def _route(
        self, code: str, host: str | None, user_agent: str, *, explain: bool
    ) -> tuple[str, Domain | None] | Decision:
        """Before the path: the stored code a request for ``code`` on ``host``
        means, and its domain; NOT_FOUND for a host no domain serves."""
        if host is None:
            return code, None
        routed, domain = self.domains.route(code, host)
        if routed is None:
            trace = (f"host {host!r} is not a configured domain",) if explain else ()
            return Decision(
                DecisionKind.NOT_FOUND, code=code, client=detect(user_agent), trace=trace
            )
        return routed, domain

    def _after(
        self,
        decision: Decision,
        query: str | Mapping[str, Any] | None,
        domain: Domain | None,
        code: str,
    ) -> Decision:
        """After the path: the link's pass-through or expired destination
        (:mod:`suo.shortener.extras`), then its domain's (:mod:`suo.shortener.domains`)."""
        if decision.link is not None and decision.link.extras is not None:
            decision = extras_after(decision, query, self.click_param)
        elif domain is None:
            return decision
        return domains_finish(self, decision, domain, code, query)

    # -- the resolve path ---------------------------------------------------
    #
    # One implementation, two drivers: ``_resolve`` (resolve/explain) and
    # ``_aresolve`` (aresolve/aexplain) run the same steps in the same order and
    # differ only in how they call the store (direct or awaited). Every rule
    # lives in a pure helper or a sans-IO steps generator (suo.shortener.steps)
    # that both drivers call; a driver holds no decision of its own.
    #
    #   1. detect   now and the client                         pure: detect()
    #   2. load     the link, cache then store                 store: get_link (_load/_aload)
    #   3. gate     NOT_FOUND / EXPIRED                        pure: _plan
    #   4. verdict  the access policy's answer                 pure: _plan
    #   5. outcome  kind, location, target, before any write   pure: _plan
    #               a live code picks (and claims) a target    steps: live_choose.pick_steps
    #   6. visit    the Visit to record (daily-salted visitor)  pure: _visit; store: daily_salt
    #   7. record   count the click / record the visit         store: hit (explain: link_stats)
    #   7b.         the store down: buffer or fail closed     suo.shortener.outage
    #   8. settle   a refused click becomes EXHAUSTED and      pure: _refused
    #               gives its live slot back                   store: release_live_target
    #   8b. click id a counted visit's click id               suo.shortener.tracking
    #   9. events   live-code events noticed by this visit     steps: _live_event_steps
    #  10. answer   the Decision                               pure: _answer
    #
    # The plain-link hot path (steps 1-7 and 10, two store calls) is written out
    # in each driver instead of as a generator: a generator per visit costs as
    # much as 15% of an in-memory resolve.

    def _resolve(
        self,
        code: str,
        user_agent: str,
        accept_language: str | None,
        now: datetime | None,
        recorder: _Recorder,
        ip: str | None = None,
        referrer: str | None = None,
        query: str | Mapping[str, Any] | None = None,
        password: str | None = None,
    ) -> Decision:
        # 1. detect
        now = self.clock() if now is None else require_aware(now, "now")
        client = detect(user_agent)
        # 2. load (an in-process store has no cache: one call less)
        link = self.store.get_link(code) if self._direct_load else self._load(code)
        # 2b. extras (suo.shortener.extras): the password gate and the A/B
        # variant, for a live link that has them; plain links skip it.
        variant: str | None = None
        notes: tuple[str, ...] = ()
        if link is not None and link.extras is not None and not _expired(link, now):
            link, gate, variant, notes = extras_before(
                self, link, client, now, recorder, ip=ip, user_agent=user_agent,
                accept_language=accept_language, password=password,
            )  # fmt: skip
            if gate is not None:
                return gate
        # 3. gate, 4. verdict, 5. outcome
        plan = self._plan(code, link, client, accept_language, now)
        if type(plan) is Decision:
            return plan
        link, verdict, kind, location, target = plan  # type: ignore[misc]
        bot = client.is_bot or client.is_preview
        pick: Pick | None = None
        if kind is None:
            assert link.live is not None
            claim = recorder.claims and not bot
            pick = run(live_choose.pick_steps(code, link.live, now, claim=claim), self.live_store)
            kind, location, target = _live_outcome(pick)
        # 6. visit
        tracking = link.tracking or self.tracking
        visitor = None if not ip or tracking != "events" else self._visitor(ip, user_agent, now)
        count, visit = _visit(
            code, client, bot, kind, pick, now, accept_language, referrer, query, visitor, variant
        )
        # 7. record
        cap = link.max_clicks
        try:
            clicks = recorder.hit(
                code, visit, count=count, cap=cap if count else None, event=tracking == "events"
            )
        except NotFound:
            # Deleted by someone else while this Shortener still had it cached.
            self._forget(code)
            return Decision(DecisionKind.NOT_FOUND, code=code, client=client)
        except StorageUnavailable as exc:
            # The store is down: buffer the visit, or fail closed (caps, live codes).
            clicks = self.outage.record(
                recorder, code, visit, count=count, cap=cap, live=link.live is not None,
                event=tracking == "events", exc=exc,
            )  # fmt: skip
        # 8. settle
        if (clicks is None or cap is not None) and _refused(clicks, count, kind, cap):
            kind, location, target = _EXHAUSTED, None, None
            if pick is not None and pick.claimed and pick.slot is not None:
                # The link's own cap refused the visit: the live slot goes back.
                self.live_store.release_live_target(code, pick.slot.id)
                pick = Pick(None, False, pick.slots)
        # 8b. click id (suo.shortener.conversions): a counted visit of a link that asks for one.
        click_id: str | None = None
        if (
            count
            and (
                link.click_ids or (link.click_ids is None and (self._cid_any or self._cid_domains))
            )
            and kind is not _EXHAUSTED
            and recorder.claims
            and _conv.wants_click_id(self, link)
        ):
            click_id, location = _conv.mint(self, visit, location)
        # 9. events
        if pick is not None and recorder.claims:
            run(self._live_event_steps(code, pick, now), self.live_store)
        # 10. answer
        if pick is None and kind is _REDIRECT:  # the common case, kept short
            return Decision(
                kind, link.redirect_status, location, target, code=code, link=link,
                client=client, trace=_trace(verdict, notes), click_id=click_id,
            )  # fmt: skip
        return self._answer(
            code, link, client, verdict, kind, location, target, pick, accept_language,
            click_id, notes,
        )  # fmt: skip

    def _plan(
        self,
        code: str,
        link: Link | None,
        client: Client,
        accept_language: str | None,
        now: datetime,
    ) -> Decision | _Plan:
        """Steps 3-5, no store: the final Decision when the link is gone or expired,
        else ``(link, verdict, kind, location, target)`` before anything is written.

        ``kind`` is ``None`` when a live code must pick a target
        (:func:`~suo.shortener.live.choose.pick_steps`, then :func:`_live_outcome`).
        """
        # 3. gate
        if link is None:
            return Decision(DecisionKind.NOT_FOUND, code=code, client=client)
        if link.expires_at is not None and now >= link.expires_at:
            return Decision(DecisionKind.EXPIRED, code=code, link=link, client=client)
        # 4. verdict
        policy = link.policy if link.policy is not None else self.policy
        verdict = (
            None
            if policy is None
            else policy.decide(client, accept_language=accept_language, now=now)
        )
        # 5. outcome
        action = _ACT_REDIRECT if verdict is None else verdict.action
        if action is _ACT_REDIRECT or action is _ACT_ELSEWHERE:
            if link.live is not None:
                return link, verdict, None, None, None
            target = link.target
            if verdict is not None and verdict.location:
                target = verdict.location
            return link, verdict, _REDIRECT, target, target
        kind = _PAGE_KINDS[action]
        return link, verdict, kind, None, None if kind is _DENY else link.target

    def _answer(
        self,
        code: str,
        link: Link,
        client: Client,
        verdict: PolicyDecision | None,
        kind: DecisionKind,
        location: str | None,
        target: Any,
        pick: Pick | None,
        accept_language: str | None,
        click_id: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> Decision:
        """Step 10: the Decision, with its page body and headers."""
        if pick is None:
            headers = _NO_HEADERS
        else:
            headers = _LIVE_REDIRECT_HEADERS if kind is _REDIRECT else _LIVE_PAGE_HEADERS
        lang: str | None = None
        body: str | None = None
        if kind is not _REDIRECT and (kind is not _EXHAUSTED or pick is not None):
            lang = page_language(accept_language, client)
            body = self._page_body(kind, link, client, target, verdict, lang)
        return Decision(
            kind,
            link.redirect_status if kind is _REDIRECT else kind.default_status,
            location=location,
            target=target,
            body=body,
            headers=headers,
            code=code,
            link=link,
            client=client,
            trace=_trace(verdict, notes),
            lang=lang,
            click_id=click_id,
        )

    def _page_body(
        self,
        kind: DecisionKind,
        link: Link,
        client: Client,
        target: Any,
        verdict: PolicyDecision | None,
        lang: str,
    ) -> str:
        pages = self.pages
        if kind is _GUIDE:
            try_browser = verdict is not None and verdict.try_browser
            return pages.guide(client, link.target, lang=lang, try_browser=try_browser)
        if kind is DecisionKind.DENY:
            return pages.deny(client, lang=lang)
        if kind is DecisionKind.EXHAUSTED:
            return pages.exhausted(lang=lang)
        if isinstance(target, LiveTarget):
            return pages.landing(target.payload, title=link.title, lang=lang)
        return pages.preview(link, lang=lang)

    def _live_event_steps(self, code: str, pick: Pick, now: datetime) -> Steps[None]:
        """Step 9: record and fire the live-code events this visit caused (sans-IO)."""
        slot = pick.slot
        events: list[LiveEvent] = []
        if slot is not None:
            if not pick.claimed:
                return
            events = fill_events(slot, now, crossing_only=True) + expiry_events(slot, now)
        if slot is None or (slot.cap is not None and slot.used >= slot.cap):
            # The pool may have run empty: read it again unless it was empty already.
            had_room = slot is not None or any(s.has_room(now) for s in pick.slots)
            fresh = (yield op("live_targets", code)) if had_room else pick.slots
            if not any(s.has_room(now) for s in fresh):
                events.append(empty_event(code, fresh, now))
        if events:
            yield from self.event_hooks.emit_steps(events)

    # -- lifecycle ------------------------------------------------------------

    def close(self) -> None:
        """Close the store if this Shortener opened it from a URL.

        A store object passed in stays open: whoever opened it closes it.
        ``with Shortener(url) as s:`` calls this on the way out.
        """
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Shortener({self.store!r}, base_url={self.base_url!r})"
