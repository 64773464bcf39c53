"""Recipe: Flask, two ways.

1. Mount suo's WSGI adapter under ``/s`` with Werkzeug's
   ``DispatcherMiddleware``: every adapter route (codes, QR images, HEAD,
   404/410 pages, headers) works below the mount point.
2. Or call ``Shortener.resolve`` from a Flask view (``/go/<code>``) and answer
   with :meth:`suo.web.Responder.respond`, which gives the same status,
   headers and body.

Run it::

    pip install suo flask
    flask --app examples/flask_app.py run   # then open http://127.0.0.1:5000/s/hello
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

import suo
from suo.web import Responder, WSGIApp


def create_app(shortener: suo.Shortener) -> Flask:
    """A Flask app with ``shortener``'s links under ``/s`` and ``/go``."""
    app = Flask(__name__)
    responder = Responder(shortener)

    @app.get("/")
    def home() -> str:
        return "shop open"

    @app.route("/go/<code>", methods=["GET", "HEAD"])
    def go(code: str) -> Response:
        ua = request.headers.get("User-Agent", "")
        lang = request.headers.get("Accept-Language")
        if request.method == "HEAD":  # a HEAD never counts a click
            decision = shortener.explain(code, user_agent=ua, accept_language=lang)
        else:
            decision = shortener.resolve(
                code, user_agent=ua, ip=request.remote_addr, accept_language=lang
            )
        answer = responder.respond(decision, accept_language=lang)
        return Response(answer.body, status=answer.status, headers=list(answer.headers))

    # Behind a proxy, name it: WSGIApp(shortener, trusted_proxies=["10.0.0.0/8"]).
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/s": WSGIApp(shortener)})  # type: ignore[method-assign]
    return app


def _default_app() -> Flask:  # pragma: no cover - manual run
    s = suo.Shortener("sqlite:///links.db", base_url="http://127.0.0.1:5000/s/")
    if not s.links(limit=1).links:
        s.shorten("https://example.com/", alias="hello", policy=suo.AccessPolicy.anti_block())
    return create_app(s)


if __name__ == "__main__":  # pragma: no cover - manual run
    _default_app().run()
