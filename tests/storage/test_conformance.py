"""The shipped conformance suite, run against every suo backend."""

from suo.testing import StoreSuite


class TestConformance(StoreSuite):
    """Uses the ``store`` fixture of tests/conftest.py (every backend)."""
