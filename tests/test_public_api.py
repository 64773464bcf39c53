"""The public API: exports that do not drift, and the contract names."""

from __future__ import annotations

import importlib

import pytest

import suo

PACKAGES = [
    "suo",
    "suo.shortener",
    "suo.antiblock",
    "suo.errors",
    "suo.storage",
    "suo.testing",
    "suo.community",
    "suo.sop",
    "suo.web",
    "suo.api",
    "suo.sim",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_complete(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__

    # isort-style order (ruff RUF022): CONSTANTS, then Classes, then functions.
    def key(s: str) -> tuple[int, str]:
        return (0 if s.isupper() else 1 if s[:1].isupper() else 2, s)

    assert list(exported) == sorted(exported, key=key)
    assert len(set(exported)) == len(exported)
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ names {attr!r}, which is missing"


def test_public_members_are_exported() -> None:
    public = {n for n in dir(suo) if not n.startswith("_")} - {"annotations"}
    modules = {
        "antiblock",
        "decision",
        "errors",
        "shortener",
        "storage",
        "cli",
        "testing",
        "web",
        "sop",
        "community",
        "api",
        "console",
        "sim",
    }
    assert public - set(suo.__all__) - modules == set()


def test_contract_names() -> None:
    assert callable(suo.open_store)
    assert suo.Shortener
    assert suo.errors.AliasTaken
    assert issubclass(suo.errors.InvalidURL, suo.errors.SuoError)
    assert issubclass(suo.errors.QRDecodeError, suo.errors.SuoError)
    assert {k.name for k in suo.DecisionKind} == {
        "REDIRECT", "GUIDE", "DENY", "PAGE", "NOT_FOUND", "EXPIRED", "EXHAUSTED",
        "PASSWORD", "THROTTLED",  # issue 15: password links
    }  # fmt: skip
    from suo.antiblock import OS, AccessPolicy, Platform, detect

    assert callable(detect)
    assert callable(AccessPolicy.anti_block)
    assert {o.value for o in OS} == {
        "ios",
        "android",
        "windows",
        "macos",
        "linux",
        "harmonyos",
        "other",
    }
    assert len(Platform) == 25


def test_every_error_is_a_suo_error() -> None:
    for name in suo.errors.__all__:
        cls = getattr(suo.errors, name)
        assert issubclass(cls, suo.errors.SuoError), name


def test_py_typed_is_shipped() -> None:
    from importlib.resources import files

    assert files("suo").joinpath("py.typed").is_file()


def test_typing_examples_also_run() -> None:
    # typing_tests/ is for mypy; running it proves the typed examples are true too.
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent.parent / "typing_tests" / "public_api.py"
    spec = importlib.util.spec_from_file_location("typing_public_api", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.make_and_resolve() == (suo.DecisionKind.REDIRECT, 302, "https://example.com/")
    assert module.errors().startswith("'javascript:'")
    assert module.calendar() == 11


@pytest.mark.parametrize(
    "package",
    ["suo.antiblock", "suo.community", "suo.shortener", "suo.shortener.live", "suo.sop",
     "suo.storage", "suo.testing", "suo.web"],
)  # fmt: skip
def test_reexported_names_say_their_public_path(package: str) -> None:
    import importlib
    import inspect

    mod = importlib.import_module(package)
    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            where = obj.__module__
            # The package itself, or a parent package that re-exports it too.
            assert package.startswith(where), (name, where)
            assert where.startswith("suo"), (name, where)
            assert getattr(importlib.import_module(where), name) is obj, (name, where)
