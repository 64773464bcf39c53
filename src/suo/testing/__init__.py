"""The storage conformance suite, shipped so backend authors can run it too.

Subclass :class:`StoreSuite` in your own tests and give it a ``store``
fixture that yields a fresh, empty store of your backend::

    import pytest
    from suo.testing import StoreSuite

    class TestMyBackend(StoreSuite):
        @pytest.fixture
        def store(self):
            store = MyStore("mine://test")
            yield store
            store.close()

Every test in the suite runs unchanged against every suo backend too. The
suite needs ``pytest`` and ``hypothesis`` (``pip install 'suo[test]'``).
"""

from __future__ import annotations

from suo.testing.asgi import ASGIClient
from suo.testing.backends import BACKENDS, isolated_store, require_service
from suo.testing.community import CommunityStoreSuite
from suo.testing.conversions import ConversionStoreSuite
from suo.testing.helpers import ManualClock, race
from suo.testing.keys import KeyStoreSuite
from suo.testing.links import LinkStoreSuite
from suo.testing.live import LiveStoreSuite
from suo.testing.sop import SopStoreSuite
from suo.testing.visits import VisitStoreSuite

__all__ = [
    "BACKENDS",
    "ASGIClient",
    "CommunityStoreSuite",
    "ConversionStoreSuite",
    "KeyStoreSuite",
    "LinkStoreSuite",
    "LiveStoreSuite",
    "ManualClock",
    "SopStoreSuite",
    "StoreSuite",
    "VisitStoreSuite",
    "isolated_store",
    "race",
    "require_service",
]


class StoreSuite(
    LinkStoreSuite,
    VisitStoreSuite,
    LiveStoreSuite,
    SopStoreSuite,
    CommunityStoreSuite,
    KeyStoreSuite,
    ConversionStoreSuite,
):
    """Every protocol's conformance tests; needs a ``store`` fixture."""


from suo._exports import publish  # noqa: E402  (after __all__, which it reads)

publish(globals(), __all__)
