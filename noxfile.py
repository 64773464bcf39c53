"""Developer sessions: ``nox -s tests lint typecheck docs``.

Servers are started outside pytest (here or in CI); the tests skip a backend
whose server is missing unless SUO_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.11", "3.12", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole test suite (every backend whose server is reachable)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff, with the rule set in pyproject.toml."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "benchmarks", "typing_tests")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the MkDocs site with --strict (a broken link or reference fails)."""
    session.install("-e", ".[dev]")
    session.run("mkdocs", "build", "--strict", "-d", "site")


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmark, suo beside its baseline."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "benchmarks", *session.posargs)
