"""The examples in suo.web's docstrings run (and say what they show)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "suo.web",
    "suo.web.core",
    "suo.web.proxies",
    "suo.web.wsgi",
    "suo.web.asgi",
    "suo.cli.serve",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
    if name != "suo.cli.serve":  # its example is a shell session
        assert result.attempted > 0
