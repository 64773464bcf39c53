"""Query pass-through: merge the short URL's query into the target's.

``https://s.example/sale?utm_source=group12`` with a target of
``https://shop.example/sale?ref=s`` goes to
``https://shop.example/sale?ref=s&utm_source=group12``. A parameter both
have keeps the target's value (mode ``"merge"``), or the visitor's (mode
``"override"``). Every name and value is decoded and encoded again
(RFC 3986 percent-encoding), so nothing the visitor sends can add a
character that splits a header (CR, LF) or change the target's scheme,
host or path: only its query grows.

Example:
    >>> merge_query("https://shop.example/sale?ref=s#top", "utm_source=group12&ref=x")
    'https://shop.example/sale?ref=s&utm_source=group12#top'
    >>> merge_query("https://shop.example/sale?ref=s", "ref=x", mode="override")
    'https://shop.example/sale?ref=x'
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from suo.errors import InvalidInput

__all__ = ["MAX_QUERY", "MODES", "merge_query", "pass_mode"]

MODES = ("merge", "override")
"""``merge``: the target's own parameters win; ``override``: the visitor's win."""
MAX_QUERY = 2048
"""Characters of the visitor's query that are passed on at most (the rest is dropped)."""


def pass_mode(value: object) -> str | None:
    """``shorten(pass_query=...)`` as stored: ``None`` (off), ``"merge"`` or ``"override"``.

    Example:
        >>> pass_mode(True), pass_mode(False), pass_mode("override")
        ('merge', None, 'override')
    """
    if value is None or value is False:
        return None
    if value is True:
        return "merge"
    if isinstance(value, str) and value in MODES:
        return value
    raise InvalidInput(f"pass_query must be True, False, 'merge' or 'override', got {value!r}")


def _pairs(query: str | Mapping[str, Any]) -> list[tuple[str, str]]:
    if isinstance(query, str):
        return parse_qsl(query.lstrip("?")[:MAX_QUERY], keep_blank_values=True)
    out: list[tuple[str, str]] = []
    for key, value in query.items():
        values = value if isinstance(value, list | tuple) else [value]
        out += [(str(key), "" if v is None else str(v)) for v in values]
    return out


def merge_query(
    target: str,
    query: str | Mapping[str, Any] | None,
    *,
    mode: str = "merge",
    drop: Collection[str] = (),
) -> str:
    """``target`` with the parameters of ``query`` merged into its query string.

    Parameters named in ``drop`` never come from the visitor (the click id's).
    """
    if not query:
        return target
    incoming = _pairs(query)
    if drop:
        incoming = [(k, v) for k, v in incoming if k not in drop]
    if not incoming:
        return target
    base, hash_, fragment = target.partition("#")
    path, _, own_query = base.partition("?")
    # The target's own parameters are kept as they were written, byte for byte.
    own = [(_name(piece), piece) for piece in own_query.split("&") if piece]
    if mode == "override":
        names = {k for k, _ in incoming}
        kept = [piece for name, piece in own if name not in names]
        added = incoming
    else:
        names = {name for name, _ in own}
        kept = [piece for _, piece in own]
        added = [(k, v) for k, v in incoming if k not in names]
    text = "&".join([*kept, urlencode(added, quote_via=quote, safe="")] if added else kept)
    return path + ("?" + text if text else "") + hash_ + fragment


def _name(piece: str) -> str:
    pairs = parse_qsl(piece, keep_blank_values=True)
    return pairs[0][0] if pairs else piece
