"""What :class:`~suo.shortener.Shortener`'s conversion methods do, kept out of the service.

``Shortener.track``, ``.funnel``, ``.compare_variants`` and the click-id step
of ``resolve`` are thin calls into these functions, so the service module
stays small and the logic is read in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from attrs import evolve

from suo._time import require_aware
from suo.errors import (
    ConfigurationError,
    InvalidInput,
    NotFound,
    StorageUnavailable,
    UnknownClickId,
)
from suo.shortener.conversions import (
    _CLICK_ID,
    Conversion,
    ConversionStore,
    add_click_id,
    clean_conversion,
    new_click_id,
)
from suo.shortener.funnel import Funnel, VariantComparison, build_funnel, compare

if TYPE_CHECKING:
    from suo.shortener.model import Link, Visit

Shortener = Any
"""The :class:`~suo.shortener.Shortener` these functions serve (not imported: it imports them)."""

__all__ = ["compare_variants", "conversion_store", "funnel", "mint", "track", "wants_click_id"]

CONTENT_TAG = "content:"
"""Links of content items carry the tag ``content:<item id>`` (``by="content"`` reads it)."""


_SUPPORTS: dict[type, bool] = {}
"""Store class -> implements ConversionStore (a runtime Protocol check costs tens of µs)."""


def conversion_store(shortener: Shortener) -> ConversionStore:
    """The Shortener's store as a :class:`ConversionStore`, or a clear error."""
    store = shortener.store
    kind = type(store)
    ok = _SUPPORTS.get(kind)
    if ok is None:
        ok = _SUPPORTS[kind] = isinstance(store, ConversionStore)
    if not ok:
        raise ConfigurationError(
            f"{kind.__name__} does not keep click ids and conversions (it lacks the"
            " ConversionStore methods record_click, visit_by_click, add_conversion and"
            " conversions); use a memory, SQL or Redis store"
        )
    return cast(ConversionStore, store)


def wants_click_id(shortener: Shortener, link: Link) -> bool:
    """Whether a counted visit of ``link`` gets a click id (the link's flag, else the defaults)."""
    if link.click_ids is not None:
        return link.click_ids
    if shortener.click_ids:
        return True
    tags = shortener.click_id_tags
    if tags and any(t in tags for t in link.tags):
        return True
    if shortener._cid_domains:  # the link's domain (suo.shortener.domains)
        domain = shortener.domains.of_code(link.code)
        return domain is not None and domain.click_ids
    return False


def mint(shortener: Shortener, visit: Visit, location: str | None) -> tuple[str | None, str | None]:
    """A new click id for the counted ``visit``, recorded; and ``location`` carrying it.

    While the store is unreachable (:mod:`suo.shortener.outage`) the visit goes
    without an id: an id that was never recorded could not be tracked later,
    and the visitor is still redirected.
    """
    outage = shortener.outage
    if outage.down and not outage.should_try():
        return None, location
    click_id = new_click_id()
    try:
        conversion_store(shortener).record_click(
            evolve(visit, click_id=click_id), ttl=shortener.click_ttl
        )
    except StorageUnavailable as exc:
        outage.failed(exc)
        return None, location
    if location is not None:
        location = add_click_id(location, click_id, shortener.click_param)
    return click_id, location


def track(
    shortener: Shortener,
    click_id: str,
    event: str,
    *,
    value: Any = None,
    currency: str | None = None,
    external_id: str | None = None,
    at: datetime | None = None,
) -> bool:
    """See :meth:`Shortener.track`."""
    store = conversion_store(shortener)
    event, number, currency, external_id = clean_conversion(event, value, currency, external_id)
    if not isinstance(click_id, str):
        raise InvalidInput(f"click_id must be a string, got {type(click_id).__name__}")
    when = shortener.clock() if at is None else require_aware(at, "at")
    visit = store.visit_by_click(click_id) if _CLICK_ID.fullmatch(click_id) else None
    if visit is None:
        raise UnknownClickId(
            f"no click with id {click_id!r}: report the id exactly as the target URL got it"
            f" (its {shortener.click_param!r} parameter), within the click-id retention"
        )
    link = shortener._load(visit.code)
    if link is None or visit.at < link.created_at:
        # Deleted, or deleted and made again under the same code: the click
        # belongs to the old link (Redis keeps click ids until they expire).
        raise UnknownClickId(f"click id {click_id!r} belongs to {visit.code!r}, deleted since")
    return store.add_conversion(
        Conversion(click_id, event, when, visit, external_id, number, currency)
    )


def _codes(shortener: Shortener, code: str | None, tag: str | None) -> list[str]:
    if (code is None) == (tag is None):
        raise InvalidInput("give exactly one of code or tag=")
    if code is not None:
        if shortener._load(code) is None:
            raise NotFound(f"no link with code {code!r}")
        return [code]
    return list(shortener._codes_with_tag(str(tag)))


def _content_of(shortener: Shortener, codes: Iterable[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for code in codes:
        link = shortener._load(code)
        tags = () if link is None else link.tags
        out[code] = next((t[len(CONTENT_TAG) :] for t in tags if t.startswith(CONTENT_TAG)), None)
    return out


def funnel(
    shortener: Shortener,
    code: str | None = None,
    *,
    tag: str | None = None,
    steps: Sequence[str] = ("click", "join", "purchase"),
    by: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Funnel:
    """See :meth:`Shortener.funnel`."""
    store = conversion_store(shortener)
    codes = _codes(shortener, code, tag)
    start = None if start is None else require_aware(start, "start")
    end = None if end is None else require_aware(end, "end")

    def clicks() -> Iterator[Visit]:
        for c in codes:
            yield from shortener.store.visits(c, start=start, end=end)

    found = [conv for c in codes for conv in store.conversions(c, start=start, end=end)]
    content = _content_of(shortener, codes) if by == "content" else {}
    return build_funnel(clicks(), found, steps=steps, by=by, content_of=lambda c: content.get(c))


def compare_variants(
    shortener: Shortener,
    code: str | None = None,
    *,
    tag: str | None = None,
    event: str = "purchase",
    by: str = "variant",
    start: datetime | None = None,
    end: datetime | None = None,
) -> VariantComparison:
    """See :meth:`Shortener.compare_variants`."""
    result = funnel(shortener, code, tag=tag, steps=("click", event), by=by, start=start, end=end)
    groups = {k: v for k, v in result.groups.items() if k is not None}
    if len(groups) < 2:
        raise InvalidInput(
            f"comparing needs clicks of at least two values of {by!r}, found {sorted(groups)}"
        )
    return compare(
        {k: v[0].count for k, v in groups.items()},
        {k: v[1].count for k, v in groups.items()},
        event=event,
    )
