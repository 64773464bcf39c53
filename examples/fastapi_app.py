"""Recipe: FastAPI with suo's short links mounted under ``/s``.

The ASGI adapter is a plain ASGI app, so ``app.mount`` is all it takes: every
route of the adapter (``/s/{code}``, ``/s/{code}.png``, ``/s/{code}.svg``,
HEAD, the 404/410 pages, the headers) works below the mount point, and your
own routes stay yours.

Run it::

    pip install 'suo[serve]' fastapi
    python examples/fastapi_app.py     # then open http://127.0.0.1:8000/s/hello
"""

from __future__ import annotations

from fastapi import FastAPI

import suo
from suo.web import ASGIApp


def create_app(shortener: suo.Shortener) -> FastAPI:
    """A FastAPI app with the short links of ``shortener`` under ``/s``."""
    app = FastAPI(title="shop")

    @app.get("/")
    def home() -> dict[str, str]:
        return {"shop": "open"}

    @app.post("/links")
    def make_link(url: str) -> dict[str, str]:
        link = shortener.shorten(url, policy=suo.AccessPolicy.anti_block())
        return {"code": link.code, "short_url": shortener.short_url(link.code)}

    # Behind nginx, name it: ASGIApp(shortener, trusted_proxies=["127.0.0.1"]).
    app.mount("/s", ASGIApp(shortener))
    return app


if __name__ == "__main__":  # pragma: no cover - manual run
    import uvicorn

    s = suo.Shortener("sqlite:///links.db", base_url="http://127.0.0.1:8000/s/")
    if not s.links(limit=1).links:
        s.shorten("https://example.com/", alias="hello", policy=suo.AccessPolicy.anti_block())
    uvicorn.run(create_app(s), host="127.0.0.1", port=8000)
