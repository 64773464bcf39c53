"""The per-link options of issue 15: password, A/B split, query pass-through, expired destination.

A :class:`LinkExtras` rides on :attr:`Link.extras <suo.shortener.Link.extras>`
(``None`` for links that use none of them, so their visits pay one attribute
check). :meth:`Shortener.resolve <suo.shortener.Shortener.resolve>` calls two
steps of this module:

* :func:`before`, once the link is loaded and not expired: the password gate
  (401 form, 429 throttle) and the A/B variant choice;
* :func:`after`, on the Decision: the query pass-through of a redirect and
  the ``expired_url`` of an expired or exhausted link.

Each step adds lines to ``Decision.trace``, so ``explain`` says what it did.

Example:
    >>> import suo
    >>> s = suo.Shortener("memory://")
    >>> _ = s.shorten("https://example.com/p?ref=s", alias="p", pass_query=True)
    >>> s.resolve("p", query="utm_source=group12&ref=x").location
    'https://example.com/p?ref=s&utm_source=group12'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from attrs import evolve

from suo._time import iso_utc, require_aware
from suo.antiblock.lang import page_language
from suo.decision import Decision, DecisionKind
from suo.errors import ConfigurationError, InvalidInput, NotFound
from suo.shortener.counters import CounterStore
from suo.shortener.model import Link, Visit
from suo.shortener.options import LinkExtras
from suo.shortener.passthrough import merge_query, pass_mode
from suo.shortener.passwords import THROTTLE, hash_password, is_password_hash, verify_password
from suo.shortener.urls import URLPolicy, normalize_url
from suo.shortener.variants import check_weights, cycle, variant_name
from suo.shortener.visits import language_tag

if TYPE_CHECKING:
    from suo.antiblock.detect import Client

__all__ = ["STICKY_TTL", "LinkExtras", "after", "before", "build_extras"]

# The Shortener (suo.shortener.service), not imported: it imports this module.
Shortener = Any

STICKY_TTL = 2 * 86400
# The A/B round-robin counter lives 30 days, then deals from the top of the cycle
# again (the split stays within one cycle of its weights); a deleted link's
# counter so goes away by itself instead of staying in the store for good.
AB_COUNTER_TTL = 30 * 86400
"""Seconds a visitor's variant is kept (the visitor id itself changes every UTC day)."""

_PAGE_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex, nofollow",
        "Referrer-Policy": "no-referrer",
    }
)


def build_extras(
    url_policy: URLPolicy | None,
    *,
    password: str | None = None,
    expired_url: str | None = None,
    pass_query: bool | str | None = False,
    variants: Sequence[tuple[str, int]] | None = None,
    variants_until: datetime | None = None,
    winner: int | None = None,
    domain: str | None = None,
) -> LinkExtras | None:
    """Validate ``shorten``'s options into a :class:`LinkExtras` (``None`` if none is set).

    URLs are judged by the same rules as targets (:func:`~suo.shortener.urls.normalize_url`).

    Raises:
        InvalidURL: ``expired_url`` or a variant URL is not a safe http(s) URL.
        InvalidInput: a bad weight, winner, password or ``pass_query`` value.
    """
    mode = pass_mode(pass_query)
    expired = None if expired_url is None else normalize_url(expired_url, policy=url_policy)
    hashed = None
    if password is not None:
        if is_password_hash(password):
            raise InvalidInput("pass the password itself; suo hashes it (scrypt)")
        hashed = hash_password(password)
    split: tuple[tuple[str, int], ...] = ()
    if variants is not None:
        pairs = []
        for item in variants:
            if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
                raise InvalidInput(f"each variant must be a (url, weight) pair, got {item!r}")
            pairs.append(item)
        weights = check_weights(w for _, w in pairs)
        split = tuple(
            (normalize_url(str(url), policy=url_policy), w)
            for (url, _), w in zip(pairs, weights, strict=True)
        )
    if (variants_until is not None or winner is not None) and not split:
        raise InvalidInput("variants_until and winner need variants")
    if variants_until is not None:
        require_aware(variants_until, "variants_until")
    if winner is not None and (
        isinstance(winner, bool) or not isinstance(winner, int) or not 0 <= winner < len(split)
    ):
        raise InvalidInput(
            f"winner must be a variant index from 0 to {len(split) - 1}, got {winner!r}"
        )
    if expired is None and mode is None and hashed is None and not split and domain is None:
        return None
    return LinkExtras(expired, mode, hashed, split, variants_until, winner, domain)


def _counters(s: Shortener) -> CounterStore:
    store = s.store
    if not isinstance(store, CounterStore):
        raise ConfigurationError(
            f"{store!r} does not implement suo.shortener.counters.CounterStore, which password "
            "links and A/B splits need; use a suo store (memory, SQL, Redis)"
        )
    return store


def _stamp(link: Link) -> str:
    # A link deleted and made again under the same code starts afresh.
    return f"{link.code}:{int(link.created_at.timestamp() * 1_000_000)}"


def _record(
    s: Shortener,
    recorder: Any,
    link: Link,
    client: Client,
    now: datetime,
    outcome: str,
    accept_language: str | None,
) -> bool:
    """Record a visit that is not a click; ``False`` if the link is gone."""
    visit = Visit(
        now, client.platform._value_, client.os._value_, client.is_bot or client.is_preview,
        outcome, link.code, language_tag(accept_language) if accept_language else None,
    )  # fmt: skip
    tracking = link.tracking or s.tracking
    try:
        recorder.hit(link.code, visit, count=False, cap=None, event=tracking == "events")
    except NotFound:
        return False
    return True


def before(
    s: Shortener,
    link: Link,
    client: Client,
    now: datetime,
    recorder: Any,
    *,
    ip: str | None,
    user_agent: str,
    accept_language: str | None,
    password: str | None,
) -> tuple[Link, Decision | None, str | None, tuple[str, ...]]:
    """The password gate and the variant choice.

    Returns the link to resolve (its ``target`` replaced by the chosen
    variant's URL), a Decision that ends the visit here (password form,
    throttled, gone) or ``None``, the variant's name, and trace lines.
    """
    ex = link.extras
    assert ex is not None
    notes: tuple[str, ...] = ()
    if ex.domain is not None and link.policy is None:
        # The domain's default access policy, for a link without its own.
        domain = s.domains.find(ex.domain)
        if domain is not None and domain.policy is not None:
            link = evolve(link, policy=domain.policy)
            notes += (f"policy: the default of domain {domain.name}",)
    if ex.password is not None:
        early, note = _password_gate(s, link, client, now, recorder, ip, accept_language, password)
        if early is not None:
            return link, early, None, ()
        notes += (note,)
    variant: str | None = None
    if ex.variants:
        index, why = _choose(s, link, ex, now, recorder, ip, user_agent)
        variant = variant_name(index)
        url, weight = ex.variants[index]
        link = evolve(link, target=url)
        notes += (f"variant {variant} ({url}, weight {weight}): {why}",)
    return link, None, variant, notes


def _password_gate(
    s: Shortener, link: Link, client: Client, now: datetime, recorder: Any,
    ip: str | None, accept_language: str | None, password: str | None,
) -> tuple[Decision | None, str]:  # fmt: skip
    ex = link.extras
    assert ex is not None
    assert ex.password is not None
    lang = page_language(accept_language, client)
    code = link.code

    def page(kind: DecisionKind, body: str, trace: str, headers: Mapping[str, str]) -> Decision:
        if not _record(s, recorder, link, client, now, kind.value, accept_language):
            return Decision(DecisionKind.NOT_FOUND, code=code, client=client)
        return Decision(
            kind, body=body, headers=headers, code=code, link=link, client=client,
            trace=(trace,), lang=lang,
        )  # fmt: skip

    title = link.title
    if password is None:
        body = s.pages.password(lang=lang, title=title)
        return page(
            DecisionKind.PASSWORD, body, "password: required, none given", _PAGE_HEADERS
        ), ""
    store = _counters(s)
    t = THROTTLE
    who = s._visitor(ip, "", now) if ip else "-"
    link_key = f"pw:{_stamp(link)}"
    client_key = f"{link_key}:{who}"
    # Reserve the try before checking it, so concurrent tries can't all slip
    # under the limit; a correct password (or a refused try) gives it back.
    # explain() goes through the same throttle: it is no free password oracle.
    n_client = store.bump(client_key, ttl=t.window, now=now)
    n_link = store.bump(link_key, ttl=t.window, now=now)
    if n_client > t.per_client or n_link > t.per_link:
        store.bump(client_key, ttl=t.window, now=now, by=-1)
        store.bump(link_key, ttl=t.window, now=now, by=-1)
        left_client = store.count(client_key, now=now)[1]
        left_link = store.count(link_key, now=now)[1]
        wait = max(1, math.ceil(max(left_client if n_client > t.per_client else 0,
                                    left_link if n_link > t.per_link else 0)))  # fmt: skip
        headers = {**_PAGE_HEADERS, "Retry-After": str(wait)}
        why = "this client" if n_client > t.per_client else "this link"
        trace = (
            f"password: throttled, {max(n_client, n_link) - 1} wrong tries by {why} in "
            f"{t.window} s; retry after {wait} s"
        )
        return page(DecisionKind.THROTTLED, s.pages.throttled(lang=lang, retry_after=wait), trace,
                    headers), ""  # fmt: skip
    if verify_password(password, ex.password):
        store.bump(client_key, ttl=t.window, now=now, by=-1)
        store.bump(link_key, ttl=t.window, now=now, by=-1)
        return None, "password: correct"
    trace = f"password: wrong (try {n_client} of {t.per_client} for this client in {t.window} s)"
    body = s.pages.password(lang=lang, wrong=True, title=title)
    return page(DecisionKind.PASSWORD, body, trace, _PAGE_HEADERS), ""


def _choose(
    s: Shortener, link: Link, ex: LinkExtras, now: datetime, recorder: Any,
    ip: str | None, user_agent: str,
) -> tuple[int, str]:  # fmt: skip
    if ex.variants_until is not None and now >= ex.variants_until:
        index = ex.winner if ex.winner is not None else 0
        chosen = "the winner" if ex.winner is not None else "the first variant (no winner set)"
        return index, f"the split ended {iso_utc(ex.variants_until)}; everyone gets {chosen}"
    store = _counters(s)
    weights = tuple(w for _, w in ex.variants)
    order = cycle(weights)
    stamp = _stamp(link)
    # Without an IP (a direct Python call) the User-Agent alone names the visitor;
    # with neither there is nobody to remember, and the counter alone deals.
    visitor = s._visitor(ip or "-", user_agent, now) if ip or user_agent else None
    sticky_key = f"ab:{stamp}:{visitor}"
    if visitor is not None:
        known = store.peek(sticky_key, now=now)
        if known is not None and known.isdigit() and int(known) < len(weights):
            return int(known), f"sticky: visitor {visitor} got it before"
    split = "/".join(str(w) for w in weights)
    if not recorder.claims:
        n = store.count(f"ab:{stamp}:n", now=now)[0] + 1
        return order[(n - 1) % len(order)], (
            f"new visitor: would be number {n}, dealt by smooth weighted round-robin ({split})"
        )
    n = store.bump(f"ab:{stamp}:n", ttl=AB_COUNTER_TTL, now=now)
    index = order[(n - 1) % len(order)]
    if visitor is not None:
        kept = store.claim(sticky_key, str(index), ttl=STICKY_TTL, now=now)
        if kept != str(index) and kept.isdigit() and int(kept) < len(weights):
            # Two requests of one new visitor raced: both get the first one's variant.
            return int(kept), f"sticky: visitor {visitor} got it a moment before"
    return index, f"new visitor number {n}, dealt by smooth weighted round-robin ({split})"


def after(
    decision: Decision, query: str | Mapping[str, Any] | None, click_param: str = "suo_cid"
) -> Decision:
    """The pass-through of a redirect, or the ``expired_url`` of a gone link.

    The visitor's query never sets ``click_param``: the click id is suo's own.
    """
    link = decision.link
    if link is None or link.extras is None:
        return decision
    ex = link.extras
    kind = decision.kind
    if kind is DecisionKind.REDIRECT and ex.pass_query is not None and decision.location:
        if not query:
            return evolve(decision, trace=(*decision.trace, "pass-through: no query to pass"))
        location = merge_query(decision.location, query, mode=ex.pass_query, drop=(click_param,))
        wins = "the target's" if ex.pass_query == "merge" else "the visitor's"  # noqa: S105
        note = f"pass-through ({ex.pass_query}: {wins} parameters win): {location}"
        return evolve(decision, location=location, trace=(*decision.trace, note))
    if ex.expired_url is not None and kind in (DecisionKind.EXPIRED, DecisionKind.EXHAUSTED):
        note = f"{kind.value}: sent to the link's expired_url {ex.expired_url}"
        return Decision(
            DecisionKind.REDIRECT, 302, ex.expired_url, ex.expired_url, code=decision.code,
            link=link, client=decision.client, trace=(*decision.trace, note),
        )  # fmt: skip
    return decision


def changed_extras(
    current: LinkExtras | None, url_policy: URLPolicy | None, **changes: Any
) -> LinkExtras | None:
    """``current`` with some of ``shorten``'s options changed (``Shortener.update``).

    ``password=None`` removes the password, ``variants=None`` the split; an
    option not given keeps its value (a kept password keeps its hash).
    """
    cur = current if current is not None else LinkExtras()
    split_gone = "variants" in changes and changes["variants"] is None
    options: dict[str, Any] = {
        "expired_url": cur.expired_url,
        "pass_query": cur.pass_query,
        "variants": cur.variants or None,
        "variants_until": None if split_gone else cur.variants_until,
        "winner": None if split_gone else cur.winner,
        "domain": cur.domain,
    }
    options.update((k, v) for k, v in changes.items() if k != "password")
    new_password = changes.get("password")
    built = build_extras(url_policy, password=new_password, **options)
    keep_hash = "password" not in changes and cur.password is not None
    if keep_hash:
        built = evolve(built if built is not None else LinkExtras(), password=cur.password)
    return built
