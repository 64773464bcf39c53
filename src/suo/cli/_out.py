"""Printing shared by the CLI commands: JSON documents and link / decision views."""

from __future__ import annotations

import json
import sys
from typing import Any

from suo._time import iso_utc

__all__ = ["decision_json", "iso", "link_json", "note", "print_json"]


def print_json(data: Any) -> None:
    """Print ``data`` as one indented JSON document (UTF-8 text kept as is).

    Example:
        >>> print_json({"code": "sale", "tags": ["春"]})
        {
          "code": "sale",
          "tags": [
            "春"
          ]
        }
    """
    print(json.dumps(data, ensure_ascii=False, indent=2))


def note(text: str) -> None:
    """A line for the person at the terminal, on stderr (stdout stays for data)."""
    print(f"suo: {text}", file=sys.stderr)


iso = iso_utc
"""An aware time in UTC ISO 8601, or ``None`` (:func:`suo._time.iso_utc`)."""


def link_json(link: Any) -> dict[str, Any]:
    """A :class:`~suo.shortener.Link` as JSON-ready data, with its ``short_url``.

    Example:
        >>> import suo
        >>> s = suo.Shortener("memory://", base_url="https://s.example/")
        >>> data = link_json(s.shorten("https://example.com/", alias="x", tags=["a"]))
        >>> data["short_url"], data["tags"], data["policy"]
        ('https://s.example/x', ['a'], None)
    """
    data: dict[str, Any] = link.to_dict()
    data["short_url"] = link.short_url
    extras = data.get("extras")
    if extras and extras.pop("password", None) is not None:
        extras["protected"] = True  # the hash stays in the store
    return data


def decision_json(decision: Any, *, body: bool = False) -> dict[str, Any]:
    """A :class:`~suo.decision.Decision` as JSON-ready data (the page body with ``body``).

    Example:
        >>> import suo
        >>> s = suo.Shortener("memory://")
        >>> _ = s.shorten("https://example.com/", alias="x")
        >>> d = decision_json(s.explain("x"))
        >>> d["kind"], d["status"], d["location"], d["client"]["platform"]
        ('redirect', 302, 'https://example.com/', 'browser')
    """
    client = decision.client
    target = decision.target
    out: dict[str, Any] = {
        "code": decision.code,
        "kind": decision.kind.value,
        "status": decision.status,
        "location": decision.location,
        "target": getattr(target, "payload", target),
        "lang": decision.lang,
        "trace": list(decision.trace),
        "client": None
        if client is None
        else {
            "platform": client.platform.value,
            "os": client.os.value,
            "bot": client.is_bot,
            "mobile": client.is_mobile,
            "preview": client.is_preview,
        },
    }
    if body:
        out["body"] = decision.body
    return out
