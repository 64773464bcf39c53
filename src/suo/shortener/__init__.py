"""The shortener: codes, URL safety, links, resolution, QR codes, live codes."""

from __future__ import annotations

from suo.shortener import codes
from suo.shortener.codes import HashCodes, RandomCodes, SequenceCodes
from suo.shortener.live import LiveTarget
from suo.shortener.model import Link, LinkPage, Stats, Visit
from suo.shortener.service import Shortener
from suo.shortener.store import LinkStore
from suo.shortener.urls import Reason, URLCheck, URLPolicy, URLProblem, inspect_url, normalize_url

__all__ = [
    "HashCodes",
    "Link",
    "LinkPage",
    "LinkStore",
    "LiveTarget",
    "RandomCodes",
    "Reason",
    "SequenceCodes",
    "Shortener",
    "Stats",
    "URLCheck",
    "URLPolicy",
    "URLProblem",
    "Visit",
    "codes",
    "inspect_url",
    "normalize_url",
]
