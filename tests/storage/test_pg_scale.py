"""PostgreSQL at scale: pool options per worker, pool exhaustion, and PgBouncer in transaction mode.

The PgBouncer tests start Debian's ``pgbouncer`` on a free loopback port in
front of ``SUO_TEST_POSTGRES_URL`` (``pool_mode = transaction``, trust auth),
run the link and live-code conformance suites through it, and stop it by pid.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

import suo
from suo.errors import ConfigurationError, StorageUnavailable
from suo.storage.sql._pool import OWN_QUERY, pool_options
from suo.testing import LinkStoreSuite, LiveStoreSuite
from suo.testing.backends import require_service

pytestmark = pytest.mark.postgres


# -- options from the URL --------------------------------------------------------


def test_pool_options_come_from_the_url_and_leave_the_rest_to_the_driver() -> None:
    o = pool_options(
        "postgresql+psycopg://u:p%40ss@h:5432/db?sslmode=require&pool_size=3"
        "&max_overflow=0&pool_timeout=1.5&pgbouncer=true&schema=camp",
        {},
    )
    assert o.url == "postgresql+psycopg://u:p%40ss@h:5432/db?sslmode=require"
    assert (o.pool_size, o.max_overflow, o.pool_timeout, o.pgbouncer, o.schema) == (
        3, 0, 1.5, True, "camp",
    )  # fmt: skip


def test_keywords_win_over_the_url() -> None:
    kwargs: dict[str, Any] = {"pool_size": 7, "other": 1}
    o = pool_options("postgresql+psycopg://h/db?pool_size=3", kwargs)
    assert o.pool_size == 7
    assert kwargs == {"other": 1}  # suo's own options were taken out


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("pool_size=0", "pool_size must be a whole number of at least 1"),
        ("pool_size=ten", "pool_size must be a whole number"),
        ("max_overflow=-1", "max_overflow must be a whole number of at least 0"),
        ("pool_timeout=0", "pool_timeout must be a number of seconds above 0"),
        ("pool_timeout=nan", "pool_timeout must be a number of seconds above 0"),
        ("pgbouncer=maybe", "pgbouncer must be 1/0 or true/false"),
    ],
)
def test_bad_pool_options_are_refused_before_connecting(query: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        suo.open_store(f"postgresql+psycopg://nobody@127.0.0.1:1/none?{query}")


@given(
    size=st.integers(1, 500),
    overflow=st.integers(0, 500),
    rest=st.dictionaries(
        st.text("abcdefghij_", min_size=1, max_size=8).filter(lambda k: k not in OWN_QUERY),
        st.text("abc123-_.", max_size=8),
        max_size=3,
    ),
)
def test_pool_options_round_trip(size: int, overflow: int, rest: dict[str, str]) -> None:
    """Invariant: suo's options are read exactly and every other parameter reaches the driver."""
    from urllib.parse import parse_qsl, urlencode

    query = urlencode({**rest, "pool_size": size, "max_overflow": overflow})
    o = pool_options(f"postgresql+psycopg://h/db?{query}", {})
    assert (o.pool_size, o.max_overflow) == (size, overflow)
    assert dict(parse_qsl(urlsplit(o.url).query, keep_blank_values=True)) == rest


# -- the pool on a real server ---------------------------------------------------


@pytest.fixture
def pg_url() -> str:
    return require_service("postgres")


def test_an_exhausted_pool_raises_storage_unavailable_within_the_timeout(pg_url: str) -> None:
    schema = f"suo_t_{uuid.uuid4().hex[:10]}"
    store = suo.open_store(f"{pg_url}?pool_size=2&max_overflow=1&pool_timeout=0.5&schema={schema}")
    held: list[Any] = []
    try:
        assert store.schema == schema
        s = suo.Shortener(store, cache_ttl=0)  # no cached copy to ride out the outage on
        s.shorten("https://example.com/", alias="held")
        held = [store._engine.connect() for _ in range(3)]  # every connection taken
        t0 = time.monotonic()
        with pytest.raises(StorageUnavailable, match="pooled connections stayed busy") as e:
            store.get_link("held")
        waited = time.monotonic() - t0
        assert 0.4 < waited < 5.0, waited  # the timeout, not a hang
        assert "pool_size" in str(e.value)  # says what to change
        t0 = time.monotonic()
        with pytest.raises(StorageUnavailable):  # the resolve path: a 503, never a hang
            s.resolve("held")
        assert time.monotonic() - t0 < 5.0
        for conn in held:
            conn.close()
        held = []
        deadline = time.monotonic() + 10  # the resolve path retries the store every second
        while True:
            try:
                assert s.resolve("held").status == 302  # works again once connections are back
                break
            except StorageUnavailable:
                assert time.monotonic() < deadline, "the store did not come back"
                time.sleep(0.2)
        assert store.get_link("held") is not None
    finally:
        for conn in held:
            conn.close()
        store.drop_schema()
        store.close()


@pytest.mark.parametrize("idle", ["busy", "idle"])
def test_connections_the_server_dropped_are_replaced(
    pg_url: str, idle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart drops every pooled connection. A connection idle for
    PING_AFTER_IDLE seconds is pinged at checkout and replaced unseen; a busy
    pool's connections are not pinged (one round trip less per visit), so the
    next call fails and the pool replaces every connection it had."""
    import psycopg

    from suo.storage.sql import _base

    if idle == "idle":
        monkeypatch.setattr(_base, "PING_AFTER_IDLE", 0.0)
    schema = f"suo_t_{uuid.uuid4().hex[:10]}"
    store = suo.open_store(f"{pg_url}?pool_size=3&schema={schema}&application_name={schema}")
    try:
        s = suo.Shortener(store, cache_ttl=0)
        s.shorten("https://example.com/", alias="x")
        for _ in range(3):
            assert s.resolve("x").status == 302
        opened = [store._engine.connect() for _ in range(3)]  # the pool holds 3 connections
        for conn in opened:
            conn.close()
        plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as admin:
            dropped = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = %s",
                (schema,),
            ).fetchone()
        assert dropped == (3,)
        if idle == "busy":
            from datetime import UTC, datetime

            from suo.shortener.model import Visit

            visit = Visit(at=datetime.now(UTC))
            with pytest.raises(StorageUnavailable) as e:  # the click path's own connection
                store.hit("x", visit, count=True, cap=None)
            assert "terminating connection" in str(e.value.__cause__)
            # The first failure made the pool drop the other two dead connections:
            # the next calls get new ones.
            for _ in range(5):
                assert store.hit("x", visit, count=True, cap=None) is not None
        # Every later call works: no dead connection is left in the pool.
        for _ in range(10):
            assert s.resolve("x").status == 302
        assert s.stats("x").clicks == 3 + 10 + (5 if idle == "busy" else 0)
    finally:
        store.drop_schema()
        store.close()


# -- PgBouncer in transaction mode ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def pgbouncer_url() -> Iterator[str]:
    """A PgBouncer (transaction pooling) in front of the test server; its URL with ?pgbouncer=1."""
    pg = urlsplit(require_service("postgres"))
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        msg = "Debian's pgbouncer is not installed (apt-get install pgbouncer)"
        if os.environ.get("SUO_REQUIRE_SERVICES") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    user, db = pg.username or "postgres", pg.path.lstrip("/") or "postgres"
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="suo-pgbouncer-")
    os.chmod(folder, 0o755)
    conf = Path(folder, "pgbouncer.ini")
    Path(folder, "users.txt").write_text(f'"{user}" ""\n')
    conf.write_text(
        f"[databases]\n{db} = host={pg.hostname or '127.0.0.1'} port={pg.port or 5432} "
        f"dbname={db} user={user}\n\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder}/users.txt\npool_mode = transaction\n"
        "max_client_conn = 200\ndefault_pool_size = 8\n"
    )
    # pgbouncer will not run as root; -u drops to the postgres user.
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
    log = Path(folder, "pgbouncer.log")
    with log.open("w") as sink:  # its log, written through the descriptor we opened
        proc = subprocess.Popen([binary, *as_user, str(conf)], stderr=sink)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, f"pgbouncer exited: {log.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "pgbouncer did not listen within 20 s"
                time.sleep(0.1)
        netloc = f"{user}@127.0.0.1:{port}"
        yield f"{pg.scheme}://{netloc}/{db}?pgbouncer=1"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


class TestThroughPgBouncer(LinkStoreSuite, LiveStoreSuite):
    """The link and live-code conformance suites through PgBouncer in transaction mode."""

    @pytest.fixture
    def store(self, pgbouncer_url: str) -> Iterator[Any]:
        store = suo.open_store(pgbouncer_url, schema=f"suo_t_{uuid.uuid4().hex[:10]}")
        try:
            yield store
        finally:
            store.drop_schema()
            store.close()


def test_pgbouncer_mode_turns_prepared_statements_off(pgbouncer_url: str) -> None:
    store = suo.open_store(pgbouncer_url, schema=f"suo_t_{uuid.uuid4().hex[:10]}")
    try:
        s = suo.Shortener(store, cache_ttl=0)
        s.shorten("https://example.com/", alias="many", max_clicks=40)
        # psycopg prepares a statement after 5 runs by default; through a
        # transaction pooler the next run may land on another server
        # connection. 50 resolves exercise that path well past the threshold.
        kinds = [s.resolve("many").status for _ in range(50)]
        assert kinds == [302] * 40 + [410] * 10
        assert store.link_stats("many").clicks == 40
        with store._engine.connect() as conn:
            assert conn.connection.driver_connection.prepare_threshold is None
    finally:
        store.drop_schema()
        store.close()


def test_visits_share_transactions_through_pgbouncer(pgbouncer_url: str) -> None:
    """Group commit (suo.shortener.batching) through a transaction pooler: one
    pipelined transaction per batch, caps exact, some visits sharing a call."""
    import threading

    store = suo.open_store(pgbouncer_url, schema=f"suo_t_{uuid.uuid4().hex[:10]}")
    try:
        s = suo.Shortener(store)
        s.shorten("https://example.com/", alias="pooled", max_clicks=100)
        assert s.batcher is not None
        statuses: list[int] = []
        lock = threading.Lock()
        barrier = threading.Barrier(16)

        def visitor() -> None:
            barrier.wait()
            for _ in range(10):
                status = s.resolve("pooled").status
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=visitor) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(statuses) == [302] * 100 + [410] * 60
        assert store.link_stats("pooled").clicks == 100
        assert s.batcher.visits == 160
        assert s.batcher.calls < 160
    finally:
        store.drop_schema()
        store.close()


# -- batches of visits (hit_many) when something goes wrong -------------------------


def test_an_unreachable_server_fails_a_batch_once_with_storage_unavailable() -> None:
    """A server that accepts TCP and never answers: one connect timeout for the
    whole batch (not one per visit), as StorageUnavailable (not a driver error)."""
    from datetime import UTC, datetime

    from suo.shortener.batching import HitCall
    from suo.shortener.model import Visit

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        port = silent.getsockname()[1]
        store = suo.open_store(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
            create_schema=False,
            connect_timeout=1,
        )
        visit = Visit(at=datetime.now(UTC))
        t0 = time.monotonic()
        with pytest.raises(StorageUnavailable):
            store.hit("a", visit, count=True, cap=None)
        with pytest.raises(StorageUnavailable):
            store.hit_many([HitCall("a", visit, True, None)] * 4)
        assert time.monotonic() - t0 < 8  # two connect timeouts (and a retry), not five
        store.close()


def test_a_batch_on_connections_the_server_dropped_is_sent_again(pg_url: str) -> None:
    """The click path (the batcher) after a restart: the dead connection fails
    before anything is committed, so the batch goes again on a new one."""
    import psycopg

    schema = f"suo_t_{uuid.uuid4().hex[:10]}"
    s = suo.Shortener(f"{pg_url}?schema={schema}&application_name={schema}")
    try:
        s.shorten("https://example.com/", alias="c", max_clicks=100)
        assert s.resolve("c").status == 302
        plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                (schema,),
            )
        assert s.resolve("c").status == 302  # not a 503
        assert not s.outage.status().down
        assert s.stats("c").clicks == 2
    finally:
        s.store.drop_schema()  # type: ignore[attr-defined]
        s.close()


def test_one_locked_link_does_not_fail_the_other_visits_of_a_batch(pg_url: str) -> None:
    """A row held past the statement timeout by someone else costs only its own visit."""
    import threading
    from datetime import UTC, datetime

    import psycopg

    from suo.shortener.batching import HitCall
    from suo.shortener.model import Link, Visit

    schema = f"suo_t_{uuid.uuid4().hex[:10]}"
    store = suo.open_store(f"{pg_url}?schema={schema}", statement_timeout=0.5)
    now = datetime.now(UTC)
    try:
        for code in ("free", "held"):
            store.create_link(Link(code=code, target="https://e.com/", created_at=now))
        locked, release = threading.Event(), threading.Event()
        plain = pg_url.replace("postgresql+psycopg://", "postgresql://")

        def hold() -> None:
            with psycopg.connect(plain) as conn:
                conn.execute(
                    f'SELECT 1 FROM "{schema}".suo_link_counts WHERE code = %s FOR UPDATE',
                    ("held",),
                )
                locked.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        assert locked.wait(10)
        try:
            answers = store.hit_many(
                [
                    HitCall("free", Visit(at=now), True, None),
                    HitCall("held", Visit(at=now), True, None),
                ]
            )
        finally:
            release.set()
            holder.join(10)
        assert answers[0] == 1  # the free link's visit counted
        assert isinstance(answers[1], StorageUnavailable)  # the held one timed out alone
        assert store.link_stats("free").clicks == 1
        assert store.link_stats("held").clicks == 0
    finally:
        store.drop_schema()
        store.close()


def test_a_deleted_code_in_a_slow_batch_is_not_found_not_late(pg_url: str) -> None:
    from datetime import UTC, datetime

    from suo.errors import NotFound
    from suo.shortener.batching import HitCall
    from suo.shortener.model import Link, Visit

    schema = f"suo_t_{uuid.uuid4().hex[:10]}"
    store = suo.open_store(f"{pg_url}?schema={schema}")
    now = datetime.now(UTC)
    try:
        store.create_link(Link(code="here", target="https://e.com/", created_at=now))
        past = time.time() - 1  # the batch ends after these deadlines
        answers = store.hit_many(
            [HitCall("gone", Visit(at=now), True, None, True, past),
             HitCall("here", Visit(at=now), True, None, True, past)]
        )  # fmt: skip
        assert isinstance(answers[0], NotFound)
        assert isinstance(answers[1], StorageUnavailable)  # there, but late: not written
        assert store.link_stats("here").visits == 0
        with pytest.raises(NotFound):
            store.hit("gone", Visit(at=now), count=True, cap=None, deadline=past)
    finally:
        store.drop_schema()
        store.close()
