"""The shortener: codes, URL safety, links, resolution, QR codes, live codes, conversions."""

from __future__ import annotations

from suo.shortener import codes, conversions, funnel, live, qr
from suo.shortener.codes import HashCodes, RandomCodes, SequenceCodes
from suo.shortener.conversions import Conversion, ConversionStore
from suo.shortener.funnel import Funnel, FunnelStep, VariantComparison
from suo.shortener.live import LiveCode, LiveEvent, LiveSlot, LiveStatus, LiveTarget
from suo.shortener.model import Link, LinkPage, Stats, Visit
from suo.shortener.outage import Outage, OutageStatus
from suo.shortener.service import Shortener
from suo.shortener.store import LinkStore, LiveStore
from suo.shortener.urls import Reason, URLCheck, URLPolicy, URLProblem, inspect_url, normalize_url

__all__ = [
    "Conversion",
    "ConversionStore",
    "Funnel",
    "FunnelStep",
    "HashCodes",
    "Link",
    "LinkPage",
    "LinkStore",
    "LiveCode",
    "LiveEvent",
    "LiveSlot",
    "LiveStatus",
    "LiveStore",
    "LiveTarget",
    "Outage",
    "OutageStatus",
    "RandomCodes",
    "Reason",
    "SequenceCodes",
    "Shortener",
    "Stats",
    "URLCheck",
    "URLPolicy",
    "URLProblem",
    "VariantComparison",
    "Visit",
    "codes",
    "conversions",
    "funnel",
    "inspect_url",
    "live",
    "normalize_url",
    "qr",
]

from suo._exports import publish

publish(globals(), __all__)
