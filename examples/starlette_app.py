"""Recipe: Starlette, calling ``Shortener.resolve`` from your own view.

Use this shape when the short link sits among your routes (``/go/{code}``)
or you want to do something with the Decision first (log it, add a header).
:meth:`suo.web.Responder.respond` turns the Decision into the same status,
headers and body the adapters send. Resolving touches the store, so it runs
in Starlette's thread pool, off the event loop.

Run it::

    pip install 'suo[serve]' starlette
    python examples/starlette_app.py   # then open http://127.0.0.1:8000/go/hello
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import suo
from suo.web import Responder


def create_app(shortener: suo.Shortener, *, trusted_proxies: list[str] | None = None) -> Starlette:
    """A Starlette app answering ``/go/{code}`` through ``shortener``."""
    responder = Responder(shortener, trusted_proxies=trusted_proxies or ())

    async def go(request: Request) -> Response:
        code = request.path_params["code"]
        peer = request.client.host if request.client else None
        ip = responder.trusted_proxies.client_ip(peer, request.headers.get("x-forwarded-for"))
        lang = request.headers.get("accept-language")
        ua = request.headers.get("user-agent", "")
        if request.method == "HEAD":  # a HEAD never counts a click
            decision = await run_in_threadpool(
                shortener.explain, code, user_agent=ua, accept_language=lang
            )
        else:
            decision = await run_in_threadpool(
                shortener.resolve, code, user_agent=ua, ip=ip, accept_language=lang
            )
        answer = responder.respond(decision, accept_language=lang)
        return Response(answer.body, status_code=answer.status, headers=dict(answer.headers))

    async def home(request: Request) -> Response:
        return PlainTextResponse("shop open")

    return Starlette(routes=[Route("/", home), Route("/go/{code}", go, methods=["GET", "HEAD"])])


if __name__ == "__main__":  # pragma: no cover - manual run
    import uvicorn

    s = suo.Shortener("sqlite:///links.db")
    if not s.links(limit=1).links:
        s.shorten("https://example.com/", alias="hello", policy=suo.AccessPolicy.anti_block())
    uvicorn.run(create_app(s), host="127.0.0.1", port=8000)
