"""The API's routers, one module per area; :data:`ROUTERS` is what the app includes."""

from __future__ import annotations

from typing import Any

from suo.api.routes import (
    console,
    conversions,
    domains,
    explain,
    links,
    links_csv,
    live,
    moderation,
    qr,
    sop,
    stats,
)

ROUTERS: list[Any] = [
    links.router,
    links_csv.router,
    live.router,
    qr.router,
    stats.router,
    conversions.router,
    explain.router,
    moderation.router,
    sop.router,
    console.router,
    domains.router,
]
"""Every router, in the order the OpenAPI document lists them."""

__all__ = ["ROUTERS"]
