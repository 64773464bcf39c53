"""The :class:`Shortener`: make links, resolve visits, count clicks."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from attrs import evolve
from cachetools import TTLCache

from suo._time import Clock, require_aware, utcnow
from suo.antiblock.detect import CHINESE_APPS, Client, detect
from suo.antiblock.pages import DEFAULT_PAGES, Pages, pick_language
from suo.antiblock.policy import AccessPolicy, Action
from suo.decision import Decision, DecisionKind
from suo.errors import AliasTaken, InvalidInput, NotFound, PolicyError
from suo.shortener.codes import CodeGenerator, RandomCodes, check_alias
from suo.shortener.model import Link, LinkPage, Stats, Visit
from suo.shortener.store import LinkStore
from suo.shortener.urls import URLPolicy, normalize_url
from suo.storage import open_store

if TYPE_CHECKING:
    from suo.shortener.live import LiveCode, LiveTarget

__all__ = ["Shortener"]


def _language(accept_language: str | None, client: Client) -> str:
    # Accept-Language first, then the app's own Language/xx token; a Chinese
    # in-app browser that says neither most likely belongs to a Chinese reader.
    default = "zh" if client.platform in CHINESE_APPS else "en"
    return pick_language(accept_language, client.user_agent, default=default)


_UNSET: Any = object()
_MAX_ATTEMPTS = 24


class Shortener:
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
        store: Any,
        *,
        base_url: str = "http://127.0.0.1:8080/",
        codes: CodeGenerator | None = None,
        policy: AccessPolicy | None = None,
        clock: Clock = utcnow,
        cache_size: int = 10_000,
        cache_ttl: float = 10.0,
        url_policy: URLPolicy | None = None,
        pages: Pages | None = None,
    ) -> None:
        self.store: LinkStore = open_store(store)
        if not isinstance(self.store, LinkStore):
            raise InvalidInput(f"{self.store!r} does not implement the LinkStore protocol")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.codes: CodeGenerator = codes if codes is not None else RandomCodes()
        self.policy = policy
        self.url_policy = url_policy
        self.pages: Pages = pages if pages is not None else DEFAULT_PAGES
        self.clock = clock
        # An in-process store is already a dict: a cache in front would only add work.
        if getattr(self.store, "in_process", False):
            cache_ttl = 0
        self._cache: TTLCache[str, Link] | None = (
            TTLCache(maxsize=cache_size, ttl=cache_ttl)
            if cache_ttl > 0 and cache_size > 0
            else None
        )
        self._cache_lock = threading.Lock()

    # -- making links -----------------------------------------------------

    def _build(
        self,
        url: str,
        *,
        code: str,
        now: datetime,
        expires_at: datetime | None = None,
        max_clicks: int | None = None,
        policy: AccessPolicy | None = None,
        tags: Iterable[str] = (),
        **extra: Any,
    ) -> Link:
        if expires_at is not None:
            require_aware(expires_at, "expires_at")
        if policy is not None and not isinstance(policy, AccessPolicy):
            raise PolicyError(f"policy must be an AccessPolicy, got {type(policy).__name__}")
        return Link(
            code=code,
            target=url,
            created_at=now,
            expires_at=expires_at,
            max_clicks=max_clicks,
            tags=tuple(tags),
            policy=policy,
            short_url=self.base_url + code,
            **extra,
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

        Raises:
            InvalidURL: the target is not a safe absolute http(s) URL.
            InvalidAlias: the alias breaks the alias rules.
            AliasTaken: the alias is in use (of racing callers, exactly one wins).
        """
        target = normalize_url(url, policy=self.url_policy)
        now = self.clock()
        fields: dict[str, Any] = {
            "expires_at": expires_at,
            "max_clicks": max_clicks,
            "policy": policy,
            "tags": tags,
            "now": now,
            "redirect_status": redirect_status,
            "title": title,
            "description": description,
        }
        if alias is not None:
            link = self._build(target, code=check_alias(alias), **fields)
            self.store.create_link(link)
            return link
        return self._create_generated(target, fields)

    def _create_generated(self, target: str, fields: dict[str, Any]) -> Link:
        dedupe = getattr(self.codes, "deduplicates", False)
        for attempt in range(_MAX_ATTEMPTS):
            code = self.codes.generate(target, attempt, self._next_number)
            link = self._build(target, code=code, **fields)
            try:
                self.store.create_link(link)
            except AliasTaken:
                if dedupe:
                    existing = self.store.get_link(code)
                    if existing is not None and existing.target == target:
                        return self._public(existing)
                continue
            return link
        raise InvalidInput(  # pragma: no cover - needs a nearly full code space
            f"no free code after {_MAX_ATTEMPTS} attempts; use a longer code generator"
        )

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
                "redirect_status", "title", "description",
            }  # fmt: skip
            if unknown or "url" not in spec:
                raise InvalidInput(
                    f"each item needs 'url' and may have shorten()'s keywords; bad keys: "
                    f"{sorted(unknown) or ['url missing']}"
                )
            target = normalize_url(spec.pop("url"), policy=self.url_policy)
            alias = spec.pop("alias", None)
            code = check_alias(alias) if alias is not None else ""
            generated.append(alias is None)
            if alias is None:
                code = self.codes.generate(target, 0, self._next_number)
            built.append(self._build(target, code=code, now=now, **spec))
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

        See :mod:`suo.shortener.live` for strategies, caps and expiry.
        """
        from suo.shortener import live

        return self._public(
            live.create(
                self, targets, strategy=strategy, alias=alias, policy=policy, title=title, tags=tags
            )
        )

    def live(self, code: str) -> LiveCode:
        """The manager of a live code's targets (add, retire, replace, list, events)."""
        from suo.shortener.live import LiveCode

        return LiveCode(self, code)

    def qr(self, code: str, fmt: str = "png", **options: Any) -> bytes | str:
        """Render the QR code of a link's short URL (see :func:`suo.shortener.qr.render`)."""
        from suo.shortener import qr

        self.get(code)
        return qr.render(self.short_url(code), fmt=fmt, **options)

    # -- reading and changing ---------------------------------------------

    def _load(self, code: str) -> Link | None:
        cache = self._cache
        if cache is not None:
            with self._cache_lock:
                link = cache.get(code)
            if link is not None:
                return link
        link = self.store.get_link(code)
        if link is not None and cache is not None:
            with self._cache_lock:
                cache[code] = link
        return link

    def _forget(self, code: str) -> None:
        if self._cache is not None:
            with self._cache_lock:
                self._cache.pop(code, None)

    def get(self, code: str) -> Link:
        """The link with this code. Raises :class:`~suo.errors.NotFound`."""
        link = self._load(code)
        if link is None:
            raise NotFound(f"no link with code {code!r}")
        return self._public(link)

    def _public(self, link: Link) -> Link:
        """The link as handed to callers: with its short URL, so it can show its QR."""
        return evolve(link, short_url=self.base_url + link.code)

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
    ) -> Link:
        """Change a link (a new target, expiry, cap, policy, tags...) and return it.

        Only the arguments given change; pass ``None`` to clear an optional one.
        Click counts are kept.
        """
        current = self.store.get_link(code)
        if current is None:
            raise NotFound(f"no link with code {code!r}")
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
        ):
            if value is not _UNSET:
                changes[name] = value
        if tags is not _UNSET:
            changes["tags"] = tuple(tags)
        updated = current.with_changes(**changes)
        if not self.store.replace_link(updated):
            raise NotFound(f"link {code!r} was deleted while updating it")
        self._forget(code)
        return self._public(updated)

    def delete(self, code: str) -> bool:
        """Delete a link with its counters (and a live code's targets). ``False`` if none."""
        from suo.shortener.live import LiveStore

        self._forget(code)
        if isinstance(self.store, LiveStore):
            self.store.delete_live(code)
        deleted = self.store.delete_link(code)
        self._forget(code)  # again: a resolve may have cached it meanwhile
        return deleted

    def stats(self, code: str) -> Stats:
        """Clicks, visits, bots, first/last visit and breakdowns of one link."""
        if self._load(code) is None:
            raise NotFound(f"no link with code {code!r}")
        return self.store.link_stats(code)

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
        """The public short URL of a code."""
        return self.base_url + code

    # -- visits -------------------------------------------------------------

    def resolve(
        self,
        code: str,
        *,
        user_agent: str = "",
        ip: str | None = None,
        accept_language: str | None = None,
        now: datetime | None = None,
    ) -> Decision:
        """Decide what one visit to ``code`` gets, and record the visit.

        The flow: detect the client from ``user_agent``; load the link (cache,
        then store); NOT_FOUND / EXPIRED if it is gone; the access policy picks
        redirect, guide page, deny page, another target or a preview page; a
        redirect counts a click atomically against ``max_clicks`` (EXHAUSTED
        when the cap is used up). Bots and preview fetchers are recorded apart
        and never use up a cap. ``ip`` is accepted for adapters and never stored.
        """
        try:
            return self._decide(code, user_agent, accept_language, now, record=True)
        except NotFound:
            # Deleted by someone else while this Shortener still had it cached.
            self._forget(code)
            return Decision(DecisionKind.NOT_FOUND, 404, code=code, client=detect(user_agent))

    def explain(
        self,
        code: str,
        *,
        user_agent: str = "",
        accept_language: str | None = None,
        now: datetime | None = None,
    ) -> Decision:
        """What :meth:`resolve` would answer, with ``.trace`` set, recording nothing."""
        return self._decide(code, user_agent, accept_language, now, record=False)

    def _decide(
        self,
        code: str,
        user_agent: str,
        accept_language: str | None,
        now: datetime | None,
        *,
        record: bool,
    ) -> Decision:
        now = self.clock() if now is None else require_aware(now, "now")
        client = detect(user_agent)
        link = self._load(code)
        if link is None:
            return Decision(DecisionKind.NOT_FOUND, 404, code=code, client=client)
        if link.expires_at is not None and now >= link.expires_at:
            return Decision(DecisionKind.EXPIRED, 410, code=code, link=link, client=client)
        policy = link.policy if link.policy is not None else self.policy
        verdict = (
            None
            if policy is None
            else policy.decide(client, accept_language=accept_language, now=now)
        )
        trace = () if verdict is None else verdict.trace
        action = Action.REDIRECT if verdict is None else verdict.action
        bot = client.is_bot or client.is_preview
        # _value_ is the enum's stored value; .value goes through a descriptor.
        visit = Visit(now, client.platform._value_, client.os._value_, bot)

        if action is not Action.REDIRECT and action is not Action.ELSEWHERE:
            lang = _language(accept_language, client)
            pages = self.pages
            if action is Action.GUIDE:
                try_browser = verdict is not None and verdict.try_browser
                body = pages.guide(client, link.target, lang=lang, try_browser=try_browser)
                kind = DecisionKind.GUIDE
            elif action is Action.DENY:
                kind, body = DecisionKind.DENY, pages.deny(client, lang=lang)
            else:
                kind, body = DecisionKind.PAGE, pages.preview(link, lang=lang)
            if record:
                self.store.hit(code, visit.with_outcome(kind.value), count=False, cap=None)
            return Decision(
                kind,
                target=None if kind is DecisionKind.DENY else link.target,
                body=body,
                code=code,
                link=link,
                client=client,
                trace=trace,
                lang=lang,
            )
        if link.live is not None:
            from suo.shortener import live

            common: dict[str, Any] = {"code": code, "link": link, "client": client, "trace": trace}
            return live.resolve(
                self,
                link,
                client=client,
                lang=_language(accept_language, client),
                now=now,
                record=record,
                common=common,
            )
        location = verdict.location if verdict is not None and verdict.location else link.target
        cap = link.max_clicks
        clicks: int | None
        if record:
            clicks = self.store.hit(code, visit, count=not bot, cap=cap)
        else:
            clicks = self.store.link_stats(code).clicks
        # A bot never uses up the cap, but sees what people see once it is used up.
        if clicks is None or ((bot or not record) and cap is not None and clicks >= cap):
            return Decision(
                DecisionKind.EXHAUSTED, 410, code=code, link=link, client=client, trace=trace
            )
        return Decision(
            DecisionKind.REDIRECT,
            link.redirect_status,
            location,
            location,
            code=code,
            link=link,
            client=client,
            trace=trace,
        )

    def __repr__(self) -> str:
        return f"Shortener({self.store!r}, base_url={self.base_url!r})"
