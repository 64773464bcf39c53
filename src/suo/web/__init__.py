"""Serve short links over HTTP: thin WSGI and ASGI adapters over ``Shortener.resolve``.

The adapters hold no logic of their own: they read the request (path,
User-Agent, Accept-Language, client address), ask the
:class:`~suo.shortener.Shortener` for a :class:`~suo.decision.Decision` and
answer with its status, headers and body, plus the headers every answer of a
link server needs (no caching of counted clicks, ``nosniff``, a
Content-Security-Policy for suo's own pages). No web framework is needed;
``suo serve`` runs :class:`ASGIApp` on uvicorn.

Example:
    >>> import suo
    >>> from suo.web import ASGIApp, WSGIApp
    >>> s = suo.Shortener("memory://")
    >>> wsgi_app, asgi_app = WSGIApp(s), ASGIApp(s)
"""

from __future__ import annotations

from suo.web.asgi import ASGIApp
from suo.web.core import Request, Responder, Response
from suo.web.factory import ServedApp, app_from_env, create_app
from suo.web.proxies import TrustedProxies
from suo.web.wsgi import WSGIApp

__all__ = [
    "ASGIApp",
    "Request",
    "Responder",
    "Response",
    "ServedApp",
    "TrustedProxies",
    "WSGIApp",
    "app_from_env",
    "create_app",
]

from suo._exports import publish

publish(globals(), __all__)
