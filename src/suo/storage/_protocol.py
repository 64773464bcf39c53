"""``SuoStore``: the type of what ``open_store(url)`` returns for a URL.

Kept in its own module, imported lazily by :mod:`suo.storage`: the domain
packages import :func:`suo.storage.open_store` at import time, so
:mod:`suo.storage` cannot import them back at its top.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from suo.api.keys import KeyStore
from suo.community.store import CommunityStore
from suo.shortener.store import LinkStore, LiveStore
from suo.sop.store import SopStore
from suo.storage.base import Store

__all__ = ["SuoStore"]


@runtime_checkable
class SuoStore(Store, LinkStore, LiveStore, SopStore, CommunityStore, KeyStore, Protocol):
    """A full suo store: every domain's protocol, closed by ``with``.

    The built-in stores (memory, SQL, Redis) are all ``SuoStore``\\ s.

    Examples:
        >>> import suo
        >>> from suo.storage import SuoStore
        >>> with suo.open_store("memory://") as store:
        ...     isinstance(store, SuoStore)
        True
    """

    def __enter__(self) -> Self:
        """Return the store itself."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store (its connections and pools)."""


SuoStore.__module__ = "suo.storage"  # its public path (loaded lazily from there)
