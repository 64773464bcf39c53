"""Give re-exported names their public path, as httpx does."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any

__all__ = ["publish"]


def publish(namespace: MutableMapping[str, Any], names: Iterable[str]) -> None:
    """Set ``__module__`` of the classes and functions a package re-exports to the package.

    ``suo.shortener.Shortener`` then says ``suo.shortener``, the path people
    import it from, in reprs, tracebacks, pickles and docs, instead of the
    private module it happens to be written in. Only names defined below the
    package are renamed; submodules and constants are left alone.

    Example:
        >>> import suo.shortener
        >>> suo.shortener.Shortener.__module__
        'suo.shortener'
    """
    package = namespace["__name__"]
    for name in names:
        obj = namespace.get(name)  # lazily loaded names are left alone
        if isinstance(obj, type) or callable(obj):
            module = getattr(obj, "__module__", None)
            if isinstance(module, str) and module.startswith(package + "."):
                try:
                    obj.__module__ = package
                except (AttributeError, TypeError):  # pragma: no cover - builtins
                    continue
