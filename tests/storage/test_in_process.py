"""``Store.in_process``: declared by every store, used by the ASGI app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from suo.shortener import Shortener
from suo.storage import Store
from suo.storage.memory import MemoryStore
from suo.testing.backends import backend_params, isolated_store
from suo.web.asgi import ASGIApp


@pytest.mark.parametrize("backend", backend_params())
def test_every_store_declares_in_process(backend: str) -> None:
    with isolated_store(backend) as store:
        assert isinstance(store, Store)
        assert store.in_process is (backend == "memory")


class ThirdPartyStore:
    """An in-process store that is not a MemoryStore (delegates to one)."""

    def __init__(self, in_process: bool) -> None:
        self._inner = MemoryStore()
        self.in_process = in_process
        self.url = "thirdparty://"

    def close(self) -> None:
        self._inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.fixture(params=[True, False])
def third_party(request: pytest.FixtureRequest) -> Iterator[ThirdPartyStore]:
    store = ThirdPartyStore(bool(request.param))
    yield store
    store.close()


def test_asgi_app_follows_in_process_not_the_class(third_party: ThirdPartyStore) -> None:
    app = ASGIApp(Shortener(third_party))  # type: ignore[arg-type]
    assert app.offload is (not third_party.in_process)
