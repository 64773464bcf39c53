"""Live codes (活码): one permanent link that rotates through targets.

(Placeholder: the live-code work fills this module.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from attrs import frozen

from suo.decision import Decision

if TYPE_CHECKING:
    from suo.antiblock.detect import Client
    from suo.antiblock.policy import AccessPolicy
    from suo.shortener.model import Link
    from suo.shortener.service import Shortener

__all__ = ["LiveTarget"]


@frozen
class LiveTarget:
    """One target of a live code."""

    payload: str
    cap: int | None = None
    expires_at: datetime | None = None
    weight: int = 1


def create(
    shortener: Shortener,
    targets: Sequence[LiveTarget | str],
    *,
    strategy: str,
    alias: str | None,
    policy: AccessPolicy | None,
    title: str | None,
    tags: Iterable[str],
) -> Link:
    raise NotImplementedError("live codes are not implemented yet")


def resolve(
    shortener: Shortener,
    link: Link,
    *,
    client: Client,
    lang: str,
    now: datetime,
    record: bool,
    common: dict[str, Any],
) -> Decision:
    raise NotImplementedError("live codes are not implemented yet")


class LiveCode:
    """Manages one live code's targets (placeholder)."""

    def __init__(self, shortener: Shortener, code: str) -> None:
        self.shortener = shortener
        self.code = code
