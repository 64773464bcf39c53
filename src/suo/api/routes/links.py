"""``/links``: create, read, list, update and delete short links (bulk too)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from suo.antiblock.policy import AccessPolicy
from suo.api.deps import problem, require, shortener_of
from suo.api.routes._bodies import Instant
from suo.errors import AliasTaken, InvalidInput, NotFound, SuoError
from suo.shortener.codes import check_alias
from suo.shortener.model import Link
from suo.shortener.service import Shortener
from suo.shortener.urls import normalize_url
from suo.shortener.variants import variant_name

__all__ = [
    "BulkOut",
    "LinkIn",
    "LinkOut",
    "LinkPatch",
    "RowError",
    "VariantIn",
    "VariantOut",
    "bulk_create",
    "router",
]

router = APIRouter(prefix="/links", tags=["links"])


class VariantIn(BaseModel):
    """One target of an A/B split and its weight."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=8192)
    weight: int = Field(ge=1, le=10_000)


class VariantOut(BaseModel):
    """One target of an A/B split, with the name visit events give it (A, B...)."""

    name: str
    url: str
    weight: int


class _Extras(BaseModel):
    """Password, A/B split, pass-through and expired destination (issue 15)."""

    password: str | None = Field(
        default=None,
        min_length=1,
        max_length=1024,
        description="visitors must enter it first; only its scrypt hash is stored (write-only)",
    )
    expired_url: str | None = Field(
        default=None,
        max_length=8192,
        description="where visitors of an expired or exhausted link go",
    )
    pass_query: bool | Literal["merge", "override"] = Field(
        default=False,
        description="pass the short URL's query on: true/merge (the target's parameters win) "
        "or override (the visitor's win)",
    )
    variants: list[VariantIn] | None = Field(default=None, max_length=10)
    variants_until: Instant | None = None
    winner: int | None = Field(
        default=None, ge=0, le=9, description="the variant index after variants_until"
    )


class LinkIn(_Extras):
    """What ``POST /links`` takes: everything ``Shortener.shorten`` does."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(description="an absolute http(s) URL", max_length=8192)
    alias: str | None = Field(default=None, description="the code to use", max_length=64)
    expires_at: Instant | None = None
    max_clicks: int | None = Field(default=None, ge=1, le=2_000_000_000)
    policy: dict[str, Any] | None = Field(
        default=None, description="an access policy as JSON (AccessPolicy.to_dict())"
    )
    tags: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=50)
    redirect_status: Literal[301, 302, 303, 307, 308] = 302
    title: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=2000)
    tracking: Literal["events", "counts"] | None = None
    click_ids: bool | None = Field(
        default=None, description="append a click id (suo_cid) to the target on counted redirects"
    )
    domain: str | None = Field(
        default=None, max_length=253, description="the short domain (GET /domains) it belongs to"
    )


class LinkPatch(_Extras):
    """What ``PATCH /links/{code}`` takes: only the fields given change (``null`` clears)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=8192)
    expires_at: Instant | None = None
    max_clicks: int | None = Field(default=None, ge=1, le=2_000_000_000)
    policy: dict[str, Any] | None = None
    tags: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=50)
    redirect_status: Literal[301, 302, 303, 307, 308] | None = None
    title: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=2000)
    tracking: Literal["events", "counts"] | None = None
    click_ids: bool | None = Field(default=None, description="click ids on/off (null: the default)")


class LinkOut(BaseModel):
    """A short link as the API shows it."""

    code: str
    short_url: str
    target: str
    created_at: datetime
    expires_at: datetime | None
    max_clicks: int | None
    tags: list[str]
    policy: dict[str, Any] | None
    redirect_status: int
    title: str | None
    description: str | None
    tracking: str | None
    live: str | None = Field(description="the live-code strategy, for live codes")
    click_ids: bool | None = Field(default=None, description="click ids on (null: the default)")
    protected: bool = Field(default=False, description="whether visitors need a password")
    expired_url: str | None = None
    pass_query: Literal["merge", "override"] | None = None
    variants: list[VariantOut] = Field(default_factory=list)
    variants_until: datetime | None = None
    winner: int | None = None

    @classmethod
    def of(cls, link: Link, s: Shortener) -> LinkOut:
        """The API view of a link."""
        return cls(
            code=link.code,
            short_url=s.short_url(link.code),
            target=link.target,
            created_at=link.created_at,
            expires_at=link.expires_at,
            max_clicks=link.max_clicks,
            tags=list(link.tags),
            policy=None if link.policy is None else link.policy.to_dict(),
            redirect_status=link.redirect_status,
            title=link.title,
            description=link.description,
            tracking=link.tracking,
            live=link.live,
            click_ids=link.click_ids,
            **_extras_out(link),
        )


def _extras_out(link: Link) -> dict[str, Any]:
    ex = link.extras
    if ex is None:
        return {}
    return {
        "protected": ex.password is not None,
        "expired_url": ex.expired_url,
        "pass_query": ex.pass_query,
        "variants": [
            VariantOut(name=variant_name(i), url=url, weight=w)
            for i, (url, w) in enumerate(ex.variants)
        ],
        "variants_until": ex.variants_until,
        "winner": ex.winner,
    }


class LinkList(BaseModel):
    """One page of links; pass ``next`` back as ``after``."""

    links: list[LinkOut]
    next: str | None


class RowError(BaseModel):
    """Why one row of a bulk request was refused."""

    row: int
    error: str
    detail: str


class BulkOut(BaseModel):
    """The links a bulk request made, in request order."""

    links: list[LinkOut]


def policy_from(data: dict[str, Any] | None) -> AccessPolicy | None:
    """An AccessPolicy from its JSON form; InvalidInput naming what is wrong."""
    if data is None:
        return None
    try:
        return AccessPolicy.from_dict(data)
    except SuoError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"policy is not a valid access policy ({type(exc).__name__}: {exc}); "
            "send AccessPolicy.to_dict() output, e.g. from GET /links/{code}"
        ) from exc


def _kwargs(body: LinkIn) -> dict[str, Any]:
    return {
        "alias": body.alias,
        "expires_at": body.expires_at,
        "max_clicks": body.max_clicks,
        "policy": policy_from(body.policy),
        "tags": body.tags,
        "redirect_status": body.redirect_status,
        "title": body.title,
        "description": body.description,
        "tracking": body.tracking,
        "click_ids": body.click_ids,
        "password": body.password,
        "expired_url": body.expired_url,
        "pass_query": body.pass_query,
        "variants": None if body.variants is None else [(v.url, v.weight) for v in body.variants],
        "variants_until": body.variants_until,
        "winner": body.winner,
        "domain": body.domain,
    }


S = Annotated[Shortener, Depends(shortener_of)]


@router.post("", status_code=201, response_model=LinkOut, dependencies=[require("links:write")])
def create_link(body: LinkIn, s: S, response: Response) -> LinkOut:
    """Make a short link (``Shortener.shorten``): 201 with its code and short URL."""
    link = s.shorten(body.url, **_kwargs(body))
    response.headers["Location"] = f"links/{link.code}"
    return LinkOut.of(link, s)


@router.post(
    "/bulk",
    status_code=201,
    response_model=BulkOut,
    dependencies=[require("links:write")],
    responses={422: {"description": "a row is bad: nothing was made; `errors` says which"}},
)
def create_links(body: Annotated[list[LinkIn], Field(max_length=10_000)], s: S) -> Any:
    """Make many links at once, all or nothing; a bad row is named in ``errors``."""
    return bulk_create(s, body)


def bulk_create(s: Shortener, rows: Sequence[LinkIn | RowError]) -> Any:
    """Make the links of ``rows``, all or nothing (JSON and CSV bulk requests share it).

    A row may already be a :class:`RowError` (it failed to parse). Every row
    is judged first, the way ``shorten`` would; if any is bad, nothing is
    made and the answer is 422 naming each bad row; a taken alias is 409.
    Otherwise the :class:`BulkOut` of the links in row order.
    """
    items: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for i, row in enumerate(rows):
        if isinstance(row, RowError):
            errors.append(row)
            continue
        try:
            # Judge every row first, the way shorten() would: nothing is written
            # unless every row is good.
            spec = {k: v for k, v in _kwargs(row).items() if v is not None}
            normalize_url(row.url, policy=s.url_policy)
            if row.alias is not None:
                check_alias(row.alias)
            items.append({"url": row.url, **spec})
        except SuoError as exc:
            errors.append(RowError(row=i, error=type(exc).__name__, detail=str(exc)))
    aliases: dict[str, int] = {}
    for i, row in enumerate(rows):
        alias = None if isinstance(row, RowError) else row.alias
        if alias is not None:
            if alias in aliases:
                errors.append(RowError(row=i, error="InvalidInput",
                                       detail=f"alias {alias!r} is also row {aliases[alias]}'s"))  # fmt: skip
            else:
                aliases[alias] = i
    if errors:
        errors.sort(key=lambda e: e.row)
        return problem(422, "Invalid rows", f"{len(errors)} of {len(rows)} rows are bad; nothing was made",
                       errors=[e.model_dump() for e in errors])  # fmt: skip
    try:
        made = s.shorten_many(items)
    except AliasTaken as exc:
        at = next((i for i, it in enumerate(items) if it.get("alias") == exc.alias), -1)
        return problem(409, "Alias taken", f"alias {exc.alias!r} is in use; nothing was made",
                       errors=[RowError(row=at, error="AliasTaken", detail=str(exc)).model_dump()])  # fmt: skip
    return BulkOut(links=[LinkOut.of(link, s) for link in made])


@router.get("", response_model=LinkList, dependencies=[require("links:read")])
def list_links(
    s: S,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LinkList:
    """One page of links ordered by code (``tag`` filters; ``after`` = the last page's ``next``)."""
    page = s.links(tag=tag, after=after, limit=limit)
    return LinkList(links=[LinkOut.of(link, s) for link in page.links], next=page.next)


@router.get("/{code}", response_model=LinkOut, dependencies=[require("links:read")])
def get_link(code: str, s: S) -> LinkOut:
    """One link."""
    return LinkOut.of(s.get(code), s)


@router.patch("/{code}", response_model=LinkOut, dependencies=[require("links:write")])
def update_link(code: str, body: LinkPatch, s: S) -> LinkOut:
    """Change a link: only the fields present in the body change; ``null`` clears one."""
    given = body.model_fields_set
    changes: dict[str, Any] = {}
    for name in given:
        value = getattr(body, name)
        if name == "url":
            if value is None:
                raise InvalidInput("url cannot be cleared; send a new target")
            changes["target"] = value
        elif name == "policy":
            changes["policy"] = policy_from(value)
        elif name == "tags":
            changes["tags"] = value or []
        elif name == "redirect_status":
            changes["redirect_status"] = 302 if value is None else value
        elif name == "variants":
            changes["variants"] = None if value is None else [(v.url, v.weight) for v in value]
        elif name == "pass_query":
            changes["pass_query"] = False if value is None else value
        else:
            changes[name] = value
    return LinkOut.of(s.update(code, **changes), s)


@router.delete("/{code}", status_code=204, dependencies=[require("links:write")])
def delete_link(code: str, s: S) -> Response:
    """Delete a link with its counters and events (404 if there is none)."""
    if not s.delete(code):
        raise NotFound(f"no link with code {code!r}")
    return Response(status_code=204)
