"""URL safety: judge a target the way a browser will read it.

(First version; hardened in the URL-safety work.)
"""

from __future__ import annotations

import ada_url

from suo.errors import InvalidURL

__all__ = ["MAX_URL_LENGTH", "normalize_url"]

MAX_URL_LENGTH = 8192


def normalize_url(url: str) -> str:
    """Return the normalised form of an http(s) ``url`` or raise :class:`InvalidURL`.

    >>> normalize_url("HTTPS://Example.COM/a b")
    'https://example.com/a%20b'
    """
    if not isinstance(url, str):
        raise InvalidURL(f"a URL must be a string, got {type(url).__name__}")
    if len(url.encode("utf-8", "surrogatepass")) > MAX_URL_LENGTH:
        raise InvalidURL(f"URL is longer than {MAX_URL_LENGTH} bytes; shorten it")
    try:
        parsed = ada_url.URL(url)
    except ValueError as e:
        raise InvalidURL(f"{url[:80]!r} is not a valid URL; send an absolute http(s) URL") from e
    if parsed.protocol not in ("http:", "https:"):
        raise InvalidURL(f"only http and https targets are allowed, not {parsed.protocol!r}")
    return str(parsed.href)
