"""The async methods of :class:`~suo.shortener.Shortener`: ``aresolve``, ``ashorten``...

Sibling methods on the same object, as ``httpx`` pairs ``get``/``aget``:
``await s.aresolve(code, ...)`` answers exactly what ``s.resolve(code, ...)``
would (both run the same steps, see the comment above ``Shortener._resolve``),
and the store work goes through the store's async side
(:mod:`suo.storage.aio`):

=============  ==========================================================
store          how the async methods reach it
=============  ==========================================================
memory         direct calls (no I/O to wait for)
PostgreSQL     an async SQLAlchemy engine on psycopg's asyncio connection
Redis          ``redis.asyncio`` with the same Lua scripts
SQLite         a worker thread (SQLite's driver has no async API)
=============  ==========================================================

``aresolve``/``aexplain`` run the resolve steps natively on the event loop.
The other methods (``ashorten``, ``aget``, ``astats``, ``avisits``,
``aupdate``, ``adelete``, ``alinks``) run the sync method's own code on the
async side: on PostgreSQL and Redis in a greenlet over the async client (no
thread), on SQLite in a worker thread, on memory directly.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

import suo.shortener.resolving as _steps
import suo.shortener.tracking as _conv
from suo._time import require_aware
from suo.antiblock.detect import detect
from suo.decision import Decision, DecisionKind
from suo.errors import NotFound, StorageUnavailable
from suo.shortener.live import choose as live_choose
from suo.shortener.live.choose import Pick
from suo.shortener.model import Link, LinkPage, Stats
from suo.shortener.steps import arun
from suo.shortener.visits import VisitLog, visitor_id
from suo.storage.aio import AsyncStore, async_side, close_sides

if TYPE_CHECKING:
    from collections.abc import Callable

    from suo.antiblock.policy import AccessPolicy

__all__ = ["AsyncMethods"]

T = TypeVar("T")


def _sync(shortener: Any) -> Any:
    """The Shortener class itself: its sync methods, called as functions (a subclass
    may route its own ``shorten`` to ``ashorten``, as :class:`suo.testing.aio.AsyncDriven`
    does). It is the class in the MRO that defines the resolve path."""
    for cls in type(shortener).__mro__:
        if "_resolve" in cls.__dict__:
            return cls
    raise TypeError(f"{type(shortener).__name__} is not a Shortener")  # pragma: no cover


class AsyncMethods:
    """Mixin of :class:`~suo.shortener.Shortener`: the ``a``-prefixed async methods."""

    # -- the async side --------------------------------------------------------

    def _aside(self) -> AsyncStore:
        me: Any = self
        return async_side(me.store)

    async def _arun(self, call: Callable[[Any], T]) -> T:
        """Run ``call(shortener)`` where the async side does its I/O (see the module docs)."""
        me: Any = self
        side = async_side(me.store)
        if side.mode == "direct":
            return call(me)
        if side.mode == "thread":
            return await asyncio.to_thread(call, me)
        return await side.run(call, me._twin_for(side))

    def _twin_for(self, side: AsyncStore) -> Any:
        """A shallow copy of this Shortener over the store's async twin (cache, hooks shared)."""
        me: Any = self
        twins: dict[int, tuple[AsyncStore, Any]] = me.__dict__.setdefault("_twins", {})
        found = twins.get(id(side))
        if found is not None and found[0] is side:
            return found[1]
        twin = copy.copy(me)
        twin.store = side.target
        twin._live_store = None
        twin._owns_store = False
        twin._recorder = _steps._Recorder(twin.store)
        # Visits of the async side are written one by one (a batch waits on
        # threads, not on the event loop).
        twin.batcher = None
        twin._hit = twin._recorder.hit
        twins.clear()
        twins[id(side)] = (side, twin)
        return twin

    # -- visits ------------------------------------------------------------------

    async def aresolve(
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
        """:meth:`resolve`, awaited: the same Decision, the visit recorded the same way.

        Native on every backend but SQLite: the store calls are awaited on the
        event loop (SQLite's run in a worker thread).

        Example:
            >>> import asyncio, suo
            >>> s = suo.Shortener("memory://")
            >>> _ = s.shorten("https://example.com/", alias="a", max_clicks=1)
            >>> async def visit():
            ...     first = await s.aresolve("a", user_agent="Mozilla/5.0")
            ...     second = await s.aresolve("a", user_agent="Mozilla/5.0")
            ...     return first.kind.value, first.location, second.kind.value
            >>> asyncio.run(visit())
            ('redirect', 'https://example.com/', 'exhausted')
        """
        me: Any = self
        if password is not None:  # a password form: scrypt and the throttle, in a thread
            return await asyncio.to_thread(
                _sync(me).resolve, me, code, user_agent=user_agent, ip=ip,
                accept_language=accept_language, referrer=referrer, query=query, now=now,
                password=password, host=host,
            )  # fmt: skip
        routed = me._route(code, host, user_agent, explain=False)
        if type(routed) is Decision:
            return routed
        code, domain = routed
        result: Decision = await me._aresolve(
            code, user_agent, accept_language, now, True, ip, referrer, query
        )
        return cast(Decision, me._after(result, query, domain, code))

    async def aexplain(
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
        """:meth:`explain`, awaited: what :meth:`aresolve` would answer, recording nothing.

        Example:
            >>> import asyncio, suo
            >>> s = suo.Shortener("memory://")
            >>> _ = s.shorten("https://example.com/", alias="e")
            >>> asyncio.run(s.aexplain("e")).kind.value, s.stats("e").clicks
            ('redirect', 0)
        """
        me: Any = self
        if password is not None or ip is not None or query is not None:
            # What a password, visitor or pass-through changes: the sync path, in a thread.
            return await asyncio.to_thread(
                _sync(me).explain, me, code, user_agent=user_agent,
                accept_language=accept_language, now=now, ip=ip, query=query,
                password=password, host=host,
            )  # fmt: skip
        routed = me._route(code, host, user_agent, explain=True)
        if type(routed) is Decision:
            return routed
        code, domain = routed
        result: Decision = await me._aresolve(code, user_agent, accept_language, now, False)
        return cast(Decision, me._after(result, None, domain, code))

    async def _aresolve(
        self,
        code: str,
        user_agent: str,
        accept_language: str | None,
        now: datetime | None,
        claims: bool,
        ip: str | None = None,
        referrer: str | None = None,
        query: str | Mapping[str, Any] | None = None,
    ) -> Decision:
        me: Any = self
        # The async driver of the resolve path: the same numbered steps as
        # Shortener._resolve, with every rule in the same shared helpers.
        svc = _steps
        outage = me.outage
        # (``me._hit``: the usual one, the store's own or the batcher's.)
        if outage.down or me._recorder.hit is not me._hit:
            # The store is down, or visits buffered meanwhile wait to be written: the
            # outage module (suo.shortener.outage) drives this visit through the sync
            # driver, in a thread. The caller applies the after-steps, once.
            recorder = me._recorder
            if not claims:
                recorder = svc._DryRun(me.store)
                if outage.down:
                    recorder.hit = outage.unavailable_hit
            return await asyncio.to_thread(
                _sync(me)._resolve, me, code, user_agent, accept_language, now, recorder,
                ip, referrer if claims else None, query,
            )  # fmt: skip
        side = async_side(me.store)
        # 1. detect
        now = me.clock() if now is None else require_aware(now, "now")
        client = detect(user_agent)
        # 2. load
        link = await me._aload(code, side)
        # 2b. extras (the password gate, the A/B variant): the sync driver, in a thread
        if link is not None and link.extras is not None and not _steps._expired(link, now):
            recorder = me._recorder if claims else _steps._DryRun(me.store)
            return await asyncio.to_thread(
                _sync(me)._resolve, me, code, user_agent, accept_language, now, recorder,
                ip, referrer if claims else None, query,
            )  # fmt: skip
        # 3. gate, 4. verdict, 5. outcome
        plan = me._plan(code, link, client, accept_language, now)
        if type(plan) is Decision:
            return plan
        link, verdict, kind, location, target = cast(_steps._Plan, plan)
        bot = client.is_bot or client.is_preview
        pick: Pick | None = None
        if kind is None:
            assert link.live is not None
            me.live_store  # noqa: B018  (raises ConfigurationError when it is not one)
            steps = live_choose.pick_steps(code, link.live, now, claim=claims and not bot)
            pick = await arun(steps, side)
            kind, location, target = svc._live_outcome(pick)
        # 6. visit
        tracking = link.tracking or me.tracking
        visitor = (
            None if not ip or tracking != "events" else await me._avisitor(ip, user_agent, now)
        )
        count, visit = svc._visit(
            code, client, bot, kind, pick, now, accept_language, referrer, query, visitor
        )
        # 7. record
        cap = link.max_clicks
        try:
            if claims:
                clicks = await side.hit(
                    code, visit, count=count, cap=cap if count else None, event=tracking == "events"
                )
            else:
                clicks = svc._peek_clicks((await side.link_stats(code)).clicks, count, cap)
        except NotFound:
            # Deleted by someone else while this Shortener still had it cached.
            me._forget(code)
            return Decision(DecisionKind.NOT_FOUND, code=code, client=client)
        except StorageUnavailable as exc:
            # The store is down: buffer the visit, or fail closed (caps, live codes).
            clicks = outage.record(
                me._recorder if claims else svc._DryRun(me.store), code, visit, count=count,
                cap=cap, live=link.live is not None, event=tracking == "events", exc=exc,
            )  # fmt: skip
        # 8. settle
        if (clicks is None or cap is not None) and svc._refused(clicks, count, kind, cap):
            kind, location, target = svc._EXHAUSTED, None, None
            if pick is not None and pick.claimed and pick.slot is not None:
                # The link's own cap refused the visit: the live slot goes back.
                await side.release_live_target(code, pick.slot.id)
                pick = Pick(None, False, pick.slots)
        # 8b. click id (suo.shortener.conversions): a counted visit of a link that asks for one.
        click_id: str | None = None
        if (
            count
            and (link.click_ids or (link.click_ids is None and (me._cid_any or me._cid_domains)))
            and kind is not svc._EXHAUSTED
            and claims
            and _conv.wants_click_id(me, link)
        ):
            where = location
            click_id, location = await me._arun(lambda sh: _conv.mint(sh, visit, where))
        # 9. events
        if pick is not None and claims:
            await arun(me._live_event_steps(code, pick, now), side)
        # 10. answer
        if pick is None and kind is svc._REDIRECT:
            return Decision(
                kind, link.redirect_status, location, target, code=code, link=link,
                client=client, trace=() if verdict is None else verdict.trace,
                click_id=click_id,
            )  # fmt: skip
        result: Decision = me._answer(
            code, link, client, verdict, kind, location, target, pick, accept_language,
            click_id,
        )  # fmt: skip
        return result

    async def _aload(self, code: str, side: AsyncStore) -> Link | None:
        me: Any = self
        cache = me._cache
        link: Link | None
        if cache is not None:
            with me._cache_lock:
                link = cache.get(code)
            if link is not None:
                return link
        outage = me.outage
        if outage.down and not outage.should_try():
            result: Link | None = outage.stale(code)
            return result
        try:
            link = await side.get_link(code)
        except StorageUnavailable as exc:
            outage.failed(exc)
            return cast(Link, outage.stale(code, exc))
        if outage.down:
            await asyncio.to_thread(outage.recovered)  # writes buffered visits
        if link is not None and cache is not None:
            with me._cache_lock:
                cache[code] = link
            outage.keep(code, link)
        return link

    async def _avisitor(self, ip: str, user_agent: str, now: datetime) -> str | None:
        me: Any = self
        day = now.astimezone(UTC) if now.tzinfo is not UTC else now
        ordinal = day.toordinal()
        salt = me._salts.get(ordinal)
        if salt is None:
            # While the store is down, a visit goes without a visitor id.
            if me.outage.down and not me.outage.should_try():
                return None
            try:
                salt = await async_side(me.store).daily_salt(day.date().isoformat())
            except StorageUnavailable as exc:
                me.outage.failed(exc)
                return None
            if len(me._salts) > 4:
                me._salts.clear()
            me._salts[ordinal] = salt
        return visitor_id(ip, user_agent, salt)

    # -- links and numbers ------------------------------------------------------

    async def ashorten(
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
        """:meth:`shorten`, awaited (same arguments, result and errors).

        Example:
            >>> import asyncio, suo
            >>> s = suo.Shortener("memory://", base_url="https://s.example/")
            >>> asyncio.run(s.ashorten("https://example.com/", alias="hi")).short_url
            'https://s.example/hi'
        """
        me: Any = self
        result: Link = await me._arun(
            lambda s: _sync(s).shorten(
                s,
                url,
                alias=alias,
                expires_at=expires_at,
                max_clicks=max_clicks,
                policy=policy,
                tags=tags,
                redirect_status=redirect_status,
                title=title,
                description=description,
                tracking=tracking,
                click_ids=click_ids,
                password=password,
                expired_url=expired_url,
                pass_query=pass_query,
                variants=variants,
                variants_until=variants_until,
                winner=winner,
                domain=domain,
            )
        )
        return result

    async def aget(self, code: str) -> Link:
        """:meth:`get`, awaited; the read is native (cache, then the async store).

        Raises:
            NotFound: no link has this code.

        Example:
            >>> import asyncio, suo
            >>> s = suo.Shortener("memory://")
            >>> _ = s.shorten("https://example.com/", alias="g")
            >>> asyncio.run(s.aget("g")).target
            'https://example.com/'
        """
        me: Any = self
        link = await me._aload(code, async_side(me.store))
        if link is None:
            raise NotFound(f"no link with code {code!r}")
        result: Link = me._public(link)
        return result

    async def aupdate(self, code: str, **changes: Any) -> Link:
        """:meth:`update`, awaited (same keyword arguments)."""
        me: Any = self
        result: Link = await me._arun(lambda s: _sync(s).update(s, code, **changes))
        return result

    async def adelete(self, code: str) -> bool:
        """:meth:`delete`, awaited."""
        me: Any = self
        result: bool = await me._arun(lambda s: _sync(s).delete(s, code))
        return result

    async def astats(
        self,
        code: str | None = None,
        *,
        tag: str | None = None,
    ) -> Stats:
        """:meth:`stats`, awaited.

        Example:
            >>> import asyncio, suo
            >>> s = suo.Shortener("memory://")
            >>> _ = s.shorten("https://example.com/", alias="st")
            >>> async def two_visits():
            ...     await s.aresolve("st")
            ...     await s.aresolve("st")
            ...     return (await s.astats("st")).clicks
            >>> asyncio.run(two_visits())
            2
        """
        me: Any = self
        result: Stats = await me._arun(lambda s: _sync(s).stats(s, code, tag=tag))
        return result

    async def avisits(
        self,
        code: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> VisitLog:
        """:meth:`visits`, awaited; the events are read in full before it returns."""
        me: Any = self

        def read(s: Any) -> VisitLog:
            return VisitLog(iter(list(_sync(s).visits(s, code, start=start, end=end))))

        result: VisitLog = await me._arun(read)
        return result

    async def alinks(
        self,
        *,
        tag: str | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> LinkPage:
        """:meth:`links`, awaited."""
        me: Any = self
        result: LinkPage = await me._arun(
            lambda s: _sync(s).links(s, tag=tag, after=after, limit=limit)
        )
        return result

    # -- lifecycle ---------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the store and its async side (this loop's) if this Shortener opened
        it from a URL; ``async with Shortener(url) as s:`` calls it. A store passed
        in stays open: its owner closes it (``await store.aclose()``)."""
        me: Any = self
        me.__dict__.pop("_twins", None)
        if me._owns_store:
            await close_sides(me.store)
            me.store.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
