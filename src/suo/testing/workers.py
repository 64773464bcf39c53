"""Functions run in worker processes by the cross-process race tests.

They live in the package (not in a test module) so that ``spawn`` workers can
import them by name.
"""

from __future__ import annotations

from typing import Any


def resolve_many(url: str, options: dict[str, Any], code: str, n: int, start: Any) -> list[str]:
    """Open the store, wait for ``start``, resolve ``code`` ``n`` times; the kinds seen."""
    from suo.shortener.service import Shortener
    from suo.storage import open_store

    s = Shortener(open_store(url, **options), cache_ttl=0)
    start.wait()
    kinds = [s.resolve(code).kind.value for _ in range(n)]
    s.store.close()
    return kinds
