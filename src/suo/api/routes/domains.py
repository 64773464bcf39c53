"""``/domains``: the short domains links belong to (add, list, remove).

Domains separate brands and campaigns; suo does not rotate domains to dodge
a platform's block (see :mod:`suo.shortener.domains`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from suo.api.deps import require, shortener_of
from suo.api.routes.links import policy_from
from suo.errors import NotFound
from suo.shortener.domains import Domain
from suo.shortener.service import Shortener

__all__ = ["DomainIn", "DomainList", "DomainOut", "router"]

router = APIRouter(prefix="/domains", tags=["domains"])

S = Annotated[Shortener, Depends(shortener_of)]


class DomainIn(BaseModel):
    """What ``POST /domains`` takes (an existing name is replaced)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=253, description="the host name visitors use")
    base_url: str | None = Field(default=None, max_length=2048, description="default https://NAME/")
    default: bool = Field(
        default=False, description="links made without a domain, and unknown hosts"
    )
    policy: dict[str, Any] | None = Field(default=None, description="default access policy (JSON)")
    not_found_url: str | None = Field(default=None, max_length=8192)
    expired_url: str | None = Field(default=None, max_length=8192)
    pass_query: bool | Literal["merge", "override"] = Field(
        default=False, description="pass the short URL's query on, for links without their own"
    )
    click_ids: bool = Field(default=False, description="click ids for links without their own")


class DomainOut(BaseModel):
    """A short domain as the API shows it."""

    name: str
    id: str = Field(description="the id in codes of links on this domain (code@id)")
    base_url: str
    default: bool
    policy: dict[str, Any] | None
    not_found_url: str | None
    expired_url: str | None
    pass_query: str | None = Field(description='null (off), "merge" or "override"')
    click_ids: bool = False

    @classmethod
    def of(cls, d: Domain) -> DomainOut:
        """The API view of a domain."""
        return cls(id=d.id, **d.to_dict())


class DomainList(BaseModel):
    """Every domain, by name."""

    domains: list[DomainOut]


@router.get("", response_model=DomainList, dependencies=[require("links:read")])
def list_domains(s: S) -> DomainList:
    """Every short domain."""
    return DomainList(domains=[DomainOut.of(d) for d in s.domains.list()])


@router.post("", status_code=201, response_model=DomainOut, dependencies=[require("admin")])
def add_domain(body: DomainIn, s: S) -> DomainOut:
    """Add (or replace) a short domain."""
    d = s.domains.add(
        body.name,
        base_url=body.base_url,
        default=body.default,
        policy=policy_from(body.policy),
        not_found_url=body.not_found_url,
        expired_url=body.expired_url,
        pass_query=body.pass_query,
        click_ids=body.click_ids,
    )
    return DomainOut.of(d)


@router.delete("/{name}", status_code=204, dependencies=[require("admin")])
def remove_domain(name: str, s: S) -> Response:
    """Remove a domain (its links stay stored, unreachable until it is added again)."""
    if not s.domains.remove(name):
        raise NotFound(f"no domain {name!r}")
    return Response(status_code=204)
