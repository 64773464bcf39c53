"""Recipe: Django, a view that hands the request to suo, and its URLconf.

This file is a whole (tiny) Django project so that it runs on its own; in
your project, copy ``suo_link`` into a ``views.py`` and the ``path`` line
into ``urls.py``, and build the Shortener once (e.g. in ``AppConfig.ready``)
from a setting such as ``SUO_STORE``.

The view builds a :class:`suo.web.Request` from Django's request and lets
:class:`suo.web.Responder` answer it, so every adapter route works below the
prefix (codes, ``.png`` / ``.svg`` QR images, HEAD without counting, the
404/410 pages) with the adapters' headers.

Run it::

    pip install suo django
    python examples/django_app.py runserver   # then open http://127.0.0.1:8000/s/hello
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path

import suo
from suo.web import Request, Responder


@functools.cache
def responder() -> Responder:
    """The Responder of the project's Shortener (built on first use from ``SUO_STORE``)."""
    shortener = suo.Shortener(
        settings.SUO_STORE, base_url=getattr(settings, "SUO_BASE_URL", "http://127.0.0.1:8000/s/")
    )
    return Responder(shortener, trusted_proxies=getattr(settings, "SUO_TRUSTED_PROXIES", ()))


def suo_link(request: HttpRequest, rest: str) -> HttpResponse:
    """Answer ``/s/<rest>`` exactly as suo's adapters do."""
    answer = responder().handle(
        Request(
            method=request.method or "GET",
            path="/" + rest,
            user_agent=request.headers.get("User-Agent", ""),
            accept_language=request.headers.get("Accept-Language"),
            forwarded_for=request.headers.get("X-Forwarded-For"),
            peer=request.META.get("REMOTE_ADDR"),
        )
    )
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        response[name] = value
    return response


urlpatterns = [path("s/<path:rest>", suo_link)]


def configure(store_url: str, **overrides: Any) -> None:
    """Configure Django for this one-file project (call once, before using it)."""
    import django

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="example-only-not-secret",  # noqa: S106 - a recipe, not a deployment
            ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
            ROOT_URLCONF=__name__,
            MIDDLEWARE=["django.middleware.security.SecurityMiddleware"],
            INSTALLED_APPS=[],
            USE_TZ=True,
            SUO_STORE=store_url,
            **overrides,
        )
        django.setup()


if __name__ == "__main__":  # pragma: no cover - manual run
    from django.core.management import execute_from_command_line

    configure("sqlite:///links.db")
    r = responder()
    if not r.shortener.links(limit=1).links:
        r.shortener.shorten(
            "https://example.com/", alias="hello", policy=suo.AccessPolicy.anti_block()
        )
    execute_from_command_line(sys.argv)
