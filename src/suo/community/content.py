"""Content items with tracked short links, an asset library, and the weekly review.

A :class:`ContentItem` has a category (activation/促活, conversion/转化,
brand/品牌), a production mode (original; a repost must name its source; UGC
must name its author, a member of the community) and tags. Given a URL, the
:class:`ContentLibrary` makes a tracked short link for it through a
:class:`suo.Shortener`, so clicks per platform measure each item.

The weekly review ranks items by engagement per impression (people who
clicked, reactions, saves and shares) with a Wilson score interval, compares
each to its category's pooled rate, and says:

* **boost** when the interval's lower bound is above the category baseline
  (the item is better than its peers, even allowing for chance);
* **stop** when the upper bound is below the baseline (worse, even allowing
  for chance);
* **keep** otherwise, or when an item has too few impressions to judge.

Clicks and people are both shown. The rate counts *people* who clicked (the
tracked link's distinct visitors, as :attr:`suo.shortener.Stats.uniques`
counts them) when they are known, and clicks only when they are not: one
person opening a link five times is one engaged person out of the
impressions, not five, so a few re-clickers cannot earn a boost.

Example:
    >>> from datetime import UTC, datetime
    >>> import suo
    >>> store = suo.open_store("memory://")
    >>> lib = ContentLibrary(store, suo.Shortener(store))
    >>> from suo.community import Community
    >>> group = Community(name="福利群", id="w")
    >>> at = datetime(2026, 11, 23, tzinfo=UTC)
    >>> a = lib.add(group, "周一抽奖", "activation", url="https://example.com/draw", at=at, tags=["抽奖"])
    >>> b = lib.add(group, "早安打卡", "activation", at=at)
    >>> review = weekly_review([(a, Engagement(400, clicks=90, reactions=30)),
    ...                         (b, Engagement(400, clicks=10, reactions=10))])
    >>> [(r.title, r.decision) for r in review.rows]
    [('周一抽奖', 'boost'), ('早安打卡', 'stop')]
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from attrs import evolve, field, frozen

from suo import _stats
from suo._time import Clock, require_aware, utcnow
from suo._time import iso as _iso
from suo.community.model import Community, _label, id_of
from suo.community.store import LibraryStore
from suo.errors import CommunityError, InvalidInput, NotFound
from suo.storage import open_store

__all__ = [
    "Asset",
    "AssetKind",
    "ContentCategory",
    "ContentItem",
    "ContentLibrary",
    "Engagement",
    "ProductionMode",
    "ReviewRow",
    "WeeklyReview",
    "weekly_review",
    "wilson_interval",
]


class ContentCategory(StrEnum):
    """What a piece of content is for: activation/促活, conversion/转化, brand/品牌."""

    ACTIVATION = "activation"
    CONVERSION = "conversion"
    BRAND = "brand"

    def label(self, lang: str = "zh") -> str:
        """The display name in ``"zh"`` or ``"en"``."""
        return _label(_CATEGORY_LABELS, self, lang)


_CATEGORY_LABELS = {
    ContentCategory.ACTIVATION: {"zh": "促活", "en": "activation"},
    ContentCategory.CONVERSION: {"zh": "转化", "en": "conversion"},
    ContentCategory.BRAND: {"zh": "品牌", "en": "brand"},
}


class ProductionMode(StrEnum):
    """How it was made: original/原创, repost/转载 (needs a source), ugc/用户原创 (needs an author)."""

    ORIGINAL = "original"
    REPOST = "repost"
    UGC = "ugc"

    def label(self, lang: str = "zh") -> str:
        """The display name in ``"zh"`` or ``"en"``."""
        return _label(_MODE_LABELS, self, lang)


_MODE_LABELS = {
    ProductionMode.ORIGINAL: {"zh": "原创", "en": "original"},
    ProductionMode.REPOST: {"zh": "转载", "en": "repost"},
    ProductionMode.UGC: {"zh": "用户原创", "en": "user-generated"},
}


def _enum(cls: Any, name: str) -> Any:
    def convert(value: Any) -> Any:
        try:
            return cls(value)
        except ValueError:
            raise InvalidInput(
                f"unknown {name} {value!r}; use one of {', '.join(m.value for m in cls)}"
            ) from None

    return convert


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    tags = tuple(dict.fromkeys(str(t).strip() for t in value))
    if any(not t for t in tags):
        raise InvalidInput("tags must be non-empty strings")
    return tags


def _category(value: Any) -> ContentCategory:
    result: ContentCategory = _enum(ContentCategory, "content category")(value)
    return result


def _prod_mode(value: Any) -> ProductionMode:
    result: ProductionMode = _enum(ProductionMode, "production mode")(value)
    return result


def _asset_kind(value: Any) -> AssetKind:
    result: AssetKind = _enum(AssetKind, "asset kind")(value)
    return result


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@frozen
class ContentItem:
    """One piece of content posted to a community.

    Attributes:
        title: what people see.
        category: a :class:`ContentCategory`.
        mode: a :class:`ProductionMode`; ``repost`` needs ``source``, ``ugc`` needs ``author``.
        community_id: where it is posted.
        id: generated when not given.
        url: the target the tracked link points to.
        link_code: the tracked short link's code (set by :class:`ContentLibrary`).
        source: where a repost comes from (a URL or a name).
        author: the member id of a UGC author.
        tags: labels to search by.
        created_at: when it was added.

    Example:
        >>> ContentItem(title="转载好文", category="brand", mode="repost", source="https://mp.example/a").mode.label("en")
        'repost'
    """

    title: str
    category: ContentCategory = field(converter=_category)
    mode: ProductionMode = field(default=ProductionMode.ORIGINAL, converter=_prod_mode)
    community_id: str = ""
    id: str = field(factory=_new_id)
    url: str | None = None
    link_code: str | None = None
    source: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = field(default=(), converter=_tags)
    created_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if not self.title or not self.title.strip():
            raise InvalidInput("a content item needs a title")
        if self.mode is ProductionMode.REPOST and not (self.source and self.source.strip()):
            raise InvalidInput("a repost must name its source (source='https://...' or a name)")
        if self.mode is ProductionMode.UGC and not (self.author and self.author.strip()):
            raise InvalidInput("user-generated content must name its author (author=<member id>)")
        if self.created_at is not None:
            require_aware(self.created_at, "created_at")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "id": self.id,
            "community_id": self.community_id,
            "title": self.title,
            "category": self.category.value,
            "mode": self.mode.value,
            "url": self.url,
            "link_code": self.link_code,
            "source": self.source,
            "author": self.author,
            "tags": list(self.tags),
            "created_at": _iso(self.created_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContentItem:
        """The item :meth:`to_dict` wrote."""
        return cls(
            id=data["id"],
            community_id=data.get("community_id", ""),
            title=data["title"],
            category=data["category"],
            mode=data.get("mode", "original"),
            url=data.get("url"),
            link_code=data.get("link_code"),
            source=data.get("source"),
            author=data.get("author"),
            tags=tuple(data.get("tags", ())),
            created_at=_dt(data.get("created_at")),
        )


class AssetKind(StrEnum):
    """Reusable material: a title, a Q&A entry or a visual."""

    TITLE = "title"
    QA = "qa"
    VISUAL = "visual"


@frozen
class Asset:
    """An entry of the asset library.

    Attributes:
        kind: title, qa or visual.
        text: the title, the question, or the visual's caption.
        answer: the answer of a Q&A entry (required for ``qa``).
        uri: where a visual lives (required for ``visual``).
        tags: labels to search by.
        id: generated when not given.
    """

    kind: AssetKind = field(converter=_asset_kind)
    text: str
    answer: str | None = None
    uri: str | None = None
    tags: tuple[str, ...] = field(default=(), converter=_tags)
    id: str = field(factory=_new_id)

    def __attrs_post_init__(self) -> None:
        if not self.text.strip():
            raise InvalidInput("an asset needs text (the title, question or caption)")
        if self.kind is AssetKind.QA and not self.answer:
            raise InvalidInput("a Q&A asset needs an answer")
        if self.kind is AssetKind.VISUAL and not self.uri:
            raise InvalidInput("a visual asset needs a uri (where the image lives)")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "text": self.text,
            "answer": self.answer,
            "uri": self.uri,
            "tags": list(self.tags),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Asset:
        """The asset :meth:`to_dict` wrote."""
        return cls(
            id=data["id"],
            kind=data["kind"],
            text=data["text"],
            answer=data.get("answer"),
            uri=data.get("uri"),
            tags=tuple(data.get("tags", ())),
        )


class ContentLibrary:
    """Content items and assets of communities, with tracked links.

    Args:
        store: a store (object or URL) implementing
            :class:`~suo.community.store.LibraryStore` (every suo backend does).
        shortener: a :class:`suo.Shortener` for tracked links (needed only for
            items with a ``url``).
        clock: the time stamped on items when ``at`` is not given.

    Example:
        >>> import suo
        >>> store = suo.open_store("memory://")
        >>> lib = ContentLibrary(store, suo.Shortener(store))
        >>> item = lib.add("group-1", "双11攻略", "conversion", url="https://example.com/g", tags=["双11"])
        >>> item.category.label("zh"), item.link_code is not None, lib.clicks(item)
        ('转化', True, {})
        >>> lib.items("group-1", tag="双11")[0].title
        '双11攻略'
    """

    def __init__(self, store: Any, shortener: Any | None = None, *, clock: Clock = utcnow) -> None:
        self.store: LibraryStore = open_store(store)
        if not isinstance(self.store, LibraryStore):
            raise InvalidInput(
                f"{self.store!r} does not implement the LibraryStore protocol (documents and "
                "member lookup); use suo.open_store(...) or a backend that does"
            )
        self.shortener = shortener
        self.clock = clock

    def add(
        self,
        community: Community | str,
        title: str,
        category: ContentCategory | str,
        *,
        mode: ProductionMode | str = ProductionMode.ORIGINAL,
        url: str | None = None,
        source: str | None = None,
        author: str | None = None,
        tags: Iterable[str] = (),
        at: datetime | None = None,
    ) -> ContentItem:
        """Add a content item; with ``url``, make its tracked short link.

        Raises:
            InvalidInput: a repost without source, UGC without author, a bad category...
            CommunityError: the UGC author is not a member of the community.
            ConfigurationError-free: a ``url`` without a shortener raises InvalidInput.
        """
        cid = id_of(community)
        item = ContentItem(
            title=title,
            category=category,
            mode=mode,
            community_id=cid,
            url=url,
            source=source,
            author=author,
            tags=tuple(tags),
            created_at=at if at is not None else self.clock(),
        )
        if item.mode is ProductionMode.UGC and self.store.get_member(cid, str(author)) is None:
            raise CommunityError(
                f"UGC author {author!r} is not a member of community {cid!r}; add them first"
            )
        if url is not None:
            if self.shortener is None:
                raise InvalidInput("a content item with a url needs ContentLibrary(shortener=...)")
            link = self.shortener.shorten(url, tags=("content", f"content:{item.id}", *item.tags))
            item = evolve(item, url=link.target, link_code=link.code)
        self.store.save_doc(cid, "content", item.id, item.to_dict(), tags=item.tags)
        return item

    def get(self, community: Community | str, item_id: str) -> ContentItem:
        """One item. Raises :class:`~suo.errors.NotFound`."""
        data = self.store.get_doc(id_of(community), "content", item_id)
        if data is None:
            raise NotFound(f"no content item {item_id!r} in community {id_of(community)!r}")
        return ContentItem.from_dict(data)

    def items(
        self,
        community: Community | str,
        *,
        tag: str | None = None,
        category: ContentCategory | str | None = None,
    ) -> list[ContentItem]:
        """Items of a community, optionally by tag and category, ordered by id."""
        found = [
            ContentItem.from_dict(d)
            for d in self.store.list_docs(id_of(community), "content", tag=tag)
        ]
        if category is not None:
            cat = _enum(ContentCategory, "content category")(category)
            found = [i for i in found if i.category is cat]
        return found

    def clicks(self, item: ContentItem) -> dict[str, int]:
        """Visits of the item's tracked link per platform (``{}`` without a link)."""
        if item.link_code is None or self.shortener is None:
            return {}
        return dict(self.shortener.stats(item.link_code).by_platform)

    def week_clicks(self, item: ContentItem, week_start: date) -> int:
        """Visits of the item's tracked link during the 7 UTC days from ``week_start``."""
        if item.link_code is None or self.shortener is None:
            return 0
        stats = self.shortener.stats(item.link_code)
        return sum(stats.day(week_start + timedelta(days=i)) for i in range(7))

    def week_people(self, item: ContentItem, week_start: date) -> int | None:
        """People who visited the item's tracked link in the 7 UTC days from ``week_start``.

        Counted as :attr:`Stats.uniques <suo.shortener.Stats.uniques>` counts
        them: distinct visitor ids of human visits, one person once a day (the
        ids are salted per day). ``None`` when that is not known: no link, a
        link tracked as ``"counts"``, or visits recorded without an IP.
        """
        if item.link_code is None or self.shortener is None:
            return None
        start = datetime.combine(week_start, time(), tzinfo=UTC)
        seen: set[tuple[str, str]] = set()
        for visit in self.shortener.visits(
            item.link_code, start=start, end=start + timedelta(days=7)
        ):
            if visit.visitor is not None and not visit.bot:
                seen.add((visit.day, visit.visitor))
        return len(seen) if seen else None

    def week_conversions(self, item: ContentItem, week_start: date) -> dict[str, int | None]:
        """Joins and purchases of clicks on the item's tracked link in the 7 UTC days from
        ``week_start`` (distinct click ids; see :meth:`suo.Shortener.funnel`).

        ``None`` each when not known: no link, or a store that keeps no conversions.
        """
        from suo.shortener.conversions import ConversionStore

        if (
            item.link_code is None
            or self.shortener is None
            or not isinstance(self.shortener.store, ConversionStore)
        ):
            return {"joins": None, "purchases": None}
        start = datetime.combine(week_start, time(0), tzinfo=UTC)
        out: dict[str, int | None] = {}
        for name, event in (("joins", "join"), ("purchases", "purchase")):
            f = self.shortener.funnel(
                item.link_code, steps=(event,), start=start, end=start + timedelta(days=7)
            )
            out[name] = f.steps[0].count
        return out

    def add_asset(
        self,
        community: Community | str,
        kind: AssetKind | str,
        text: str,
        *,
        answer: str | None = None,
        uri: str | None = None,
        tags: Iterable[str] = (),
    ) -> Asset:
        """Add a title, Q&A entry or visual to the asset library."""
        asset = Asset(kind, text, answer=answer, uri=uri, tags=tuple(tags))
        self.store.save_doc(id_of(community), "asset", asset.id, asset.to_dict(), tags=asset.tags)
        return asset

    def assets(
        self,
        community: Community | str,
        *,
        tag: str | None = None,
        kind: AssetKind | str | None = None,
    ) -> list[Asset]:
        """Search the asset library by tag (and kind), ordered by id."""
        found = [
            Asset.from_dict(d) for d in self.store.list_docs(id_of(community), "asset", tag=tag)
        ]
        if kind is not None:
            k = _enum(AssetKind, "asset kind")(kind)
            found = [a for a in found if a.kind is k]
        return found

    def review(
        self,
        community: Community | str,
        engagement: Mapping[str, Engagement],
        *,
        week_start: date | None = None,
        z: float = 1.96,
        min_impressions: int = 30,
    ) -> WeeklyReview:
        """The weekly review of the items named in ``engagement`` (item id -> numbers).

        When an :class:`Engagement` has ``clicks=None`` and ``week_start`` is
        given, the clicks come from the item's tracked link for that week, and
        so do the people who clicked (unless ``people`` is given).
        """
        rows = []
        for item_id, eng in engagement.items():
            item = self.get(community, item_id)
            if eng.clicks is None:
                clicks = self.week_clicks(item, week_start) if week_start is not None else 0
                people = eng.people
                if people is None and week_start is not None:
                    people = self.week_people(item, week_start)
                eng = evolve(eng, clicks=clicks, people=people)
            if week_start is not None and eng.joins is None and eng.purchases is None:
                conv = self.week_conversions(item, week_start)
                eng = evolve(eng, joins=conv["joins"], purchases=conv["purchases"])
            rows.append((item, eng))
        return weekly_review(rows, z=z, min_impressions=min_impressions, week_start=week_start)


def _count(_inst: object, attr: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, int) or value < 0):
        raise InvalidInput(f"{attr.name} must be an int >= 0, got {value!r}")


@frozen
class Engagement:
    """What one item got in a week.

    Attributes:
        impressions: how many people saw it (from the chat platform).
        clicks: visits of its tracked link (``None``: read from the link).
        reactions / saves / shares: from the chat platform.
        people: distinct people among the clicks (the link's uniques for the
            week; ``None``: not known, and read from the link with the clicks).
        joins / purchases: clicks of its tracked link that reported a join /
            a purchase (``None``: not known; read from the link's conversions
            when the review has a week).

    Example:
        >>> Engagement(200, clicks=10, reactions=5, shares=1).actions
        16
        >>> Engagement(200, clicks=10, people=4, reactions=5, shares=1).engaged
        10
    """

    impressions: int = field(validator=_count)
    clicks: int | None = field(default=None, validator=_count)
    reactions: int = field(default=0, validator=_count)
    saves: int = field(default=0, validator=_count)
    shares: int = field(default=0, validator=_count)
    people: int | None = field(default=None, validator=_count)
    joins: int | None = field(default=None, validator=_count)
    purchases: int | None = field(default=None, validator=_count)

    @property
    def actions(self) -> int:
        """Clicks + reactions + saves + shares."""
        return (self.clicks or 0) + self.reactions + self.saves + self.shares

    @property
    def engaged(self) -> int:
        """What the review's rate counts: people who clicked (clicks when people are unknown)
        + reactions + saves + shares."""
        clicks = self.clicks or 0
        clickers = clicks if self.people is None else min(self.people, clicks or self.people)
        return clickers + self.reactions + self.saves + self.shares


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a rate (95 % by default); ``(0, 1)`` with no trials.

    Example:
        >>> lo, hi = wilson_interval(30, 100)
        >>> round(lo, 3), round(hi, 3)
        (0.219, 0.396)
    """
    return _stats.wilson_interval(successes, trials, z)


@frozen
class ReviewRow:
    """One item in the weekly review, with the numbers behind the decision.

    ``actions`` is what ``rate`` counts (:attr:`Engagement.engaged`: people
    who clicked when known, else clicks, plus reactions, saves and shares);
    ``clicks`` and ``people`` are shown beside it (``people`` is ``None``
    when not known); ``joins`` and ``purchases`` are the conversions of its
    tracked link's clicks (``None`` when not known). They are shown, not
    judged: the decision stays on engagement.
    """

    item_id: str
    title: str
    category: ContentCategory
    impressions: int
    actions: int
    rate: float
    lower: float
    upper: float
    baseline: float
    decision: str
    why: str
    clicks: int = 0
    people: int | None = None
    joins: int | None = None
    purchases: int | None = None


@frozen
class WeeklyReview:
    """Items ranked by the lower bound of their engagement rate, with boost/keep/stop.

    Items with too few impressions to judge come last.
    """

    rows: tuple[ReviewRow, ...]
    week_start: date | None = None

    def decisions(self) -> dict[str, str]:
        """Item id -> boost/keep/stop."""
        return {r.item_id: r.decision for r in self.rows}

    def to_text(self, lang: str = "en") -> str:
        """A plain-text table (category names in ``lang``)."""
        head = f"weekly review{f' of {self.week_start.isoformat()}' if self.week_start else ''}"
        lines = [
            head,
            f"{'decision':<8} {'clicks':>6} {'people':>6} {'joins':>5} {'buys':>5} {'rate':>6} "
            f"{'95% CI':>15} {'base':>6}  category  title",
        ]
        for r in self.rows:
            people = "-" if r.people is None else str(r.people)
            joins = "-" if r.joins is None else str(r.joins)
            buys = "-" if r.purchases is None else str(r.purchases)
            lines.append(
                f"{r.decision:<8} {r.clicks:>6} {people:>6} {joins:>5} {buys:>5} {r.rate:6.1%} "
                f"{f'{r.lower:.1%}..{r.upper:.1%}':>15} "
                f"{r.baseline:6.1%}  {r.category.label(lang):<8}  {r.title}  ({r.why})"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        colour = {"boost": "#1a7f37", "keep": "#57606a", "stop": "#cf222e"}
        cells = (
            "decision",
            "title",
            "category",
            "impressions",
            "clicks",
            "people",
            "joins",
            "purchases",
            "actions",
            "rate",
            "95% CI",
            "baseline",
            "why",
        )
        head = "".join(f"<th>{c}</th>" for c in cells)
        body = []
        for r in self.rows:
            values = (
                f'<b style="color:{colour[r.decision]}">{r.decision}</b>',
                html.escape(r.title),
                html.escape(r.category.label("zh") + " / " + r.category.value),
                str(r.impressions),
                str(r.clicks),
                "–" if r.people is None else str(r.people),
                "–" if r.joins is None else str(r.joins),
                "–" if r.purchases is None else str(r.purchases),
                str(r.actions),
                f"{r.rate:.1%}",
                f"{r.lower:.1%} – {r.upper:.1%}",
                f"{r.baseline:.1%}",
                html.escape(r.why),
            )
            body.append("<tr>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def weekly_review(
    rows: Iterable[tuple[ContentItem, Engagement]],
    *,
    z: float = 1.96,
    min_impressions: int = 30,
    week_start: date | None = None,
) -> WeeklyReview:
    """Rank items and say boost / keep / stop against their category's baseline.

    The rate is engaged people per impression, capped at 1 (one person may
    click and share): :attr:`Engagement.engaged`, which counts the *people*
    who clicked the tracked link (its uniques, see
    :attr:`suo.shortener.Stats.uniques`) when they are known and the clicks
    when they are not, plus reactions, saves and shares. Impressions count
    people, so people who clicked are the like-for-like numerator: five
    clicks by one person are one engaged person, and an item that a few
    people re-open cannot look better than one that reached many. Clicks
    are still shown, and the reason names both when they differ.

    The baseline of a category is its pooled rate over the items given.
    Items with fewer than ``min_impressions`` impressions are kept with a
    note instead of judged.

    Example:
        >>> a = ContentItem(title="抽奖", category="activation", id="a")
        >>> b = ContentItem(title="打卡", category="activation", id="b")
        >>> c = ContentItem(title="早报", category="activation", id="c")
        >>> review = weekly_review([
        ...     (a, Engagement(400, clicks=120, people=30)),   # 30 people clicking 4 times each
        ...     (b, Engagement(400, clicks=80, people=80)),
        ...     (c, Engagement(400, clicks=50, people=50)),
        ... ])
        >>> [(r.item_id, r.clicks, r.people, r.decision) for r in review.rows]
        [('b', 80, 80, 'boost'), ('c', 50, 50, 'keep'), ('a', 120, 30, 'stop')]
    """
    data = list(rows)
    pooled: dict[ContentCategory, list[int]] = {}
    for item, eng in data:
        acc = pooled.setdefault(item.category, [0, 0])
        acc[0] += min(eng.engaged, eng.impressions)
        acc[1] += eng.impressions
    out = []
    for item, eng in data:
        n = eng.impressions
        k = min(eng.engaged, n)
        lo, hi = wilson_interval(k, n, z)
        acts, imps = pooled[item.category][0], pooled[item.category][1]
        base = acts / imps if imps else 0.0
        rate = k / n if n else 0.0
        if n < min_impressions:
            decision, why = "keep", f"only {n} impressions (< {min_impressions}) to judge"
        elif lo > base:
            decision, why = (
                "boost",
                f"lower bound {lo:.1%} > {item.category.value} baseline {base:.1%}",
            )
        elif hi < base:
            decision, why = (
                "stop",
                f"upper bound {hi:.1%} < {item.category.value} baseline {base:.1%}",
            )
        else:
            decision, why = "keep", f"{lo:.1%}..{hi:.1%} includes the baseline {base:.1%}"
        clicks = eng.clicks or 0
        if eng.people is not None and eng.people != clicks:
            why += f"; {clicks} clicks by {eng.people} people"
        out.append(
            ReviewRow(
                item.id,
                item.title,
                item.category,
                n,
                eng.engaged,
                rate,
                lo,
                hi,
                base,
                decision,
                why,
                clicks,
                eng.people,
                eng.joins,
                eng.purchases,
            )
        )
    # Judged items by lower bound, best first; items too small to judge last.
    out.sort(key=lambda r: (r.impressions < min_impressions, -r.lower, r.item_id))
    return WeeklyReview(tuple(out), week_start)
