"""A throw-away Redis Cluster on loopback, started from Debian's ``redis-server``.

:class:`LocalRedisCluster` starts ``masters`` masters and ``replicas`` replicas
per master, each a ``redis-server`` process on a free loopback port with its
own temporary directory, joins them with ``redis-cli --cluster create`` and
waits (bounded) until every slot is served and every replica is in sync. It
stops every process by its pid, and it can kill, freeze (``SIGSTOP``) and
thaw (``SIGCONT``) one node, which is what the fault tests do.

:func:`shared_cluster` starts one cluster per test process on first use, for
the ``redis_cluster`` backend of :mod:`suo.testing.backends`;
:func:`stop_shared_cluster` (called at the end of the test session, and at
exit) stops it.

Examples:
    >>> from suo.testing.redis_cluster import LocalRedisCluster
    >>> cluster = LocalRedisCluster(masters=3, replicas=1)
    >>> cluster.url  # before start(): no ports yet
    Traceback (most recent call last):
    ...
    RuntimeError: the cluster is not started; call start() first
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ClusterNodeProcess", "LocalRedisCluster", "shared_cluster", "stop_shared_cluster"]

_HOST = "127.0.0.1"
_BUS_OFFSET = 10000
"""Redis Cluster talks node to node on the client port + 10000."""


@dataclass
class ClusterNodeProcess:
    """One ``redis-server`` of the cluster."""

    port: int
    directory: str
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None


def _free_port() -> int:
    """A loopback port that is free, with its cluster-bus port (+10000) free too."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind((_HOST, 0))
            port = int(s.getsockname()[1])
        if port + _BUS_OFFSET > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind((_HOST, port + _BUS_OFFSET))
            except OSError:
                continue
        return port
    raise RuntimeError("no free loopback port pair (port, port + 10000) found")


def _exe(name: str) -> str:
    """The absolute path of ``name`` on PATH (so no shell and no lookup at run time)."""
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(
            f"{name} is needed to start a test cluster (Debian: apt-get install redis-server)"
        )
    return path


def _cli(port: int, *args: str, timeout: float = 10.0) -> str:
    # Arguments are built here from ports and fixed words: nothing untrusted.
    out = subprocess.run(  # noqa: S603
        [_exe("redis-cli"), "-h", _HOST, "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return out.stdout


def _pong(port: int) -> bool:
    return _cli(port, "ping").strip() == "PONG"


class LocalRedisCluster:
    """A Redis Cluster of local ``redis-server`` processes, for tests.

    Args:
        masters: how many masters (at least 3: Redis Cluster needs a majority).
        replicas: replicas per master.
        node_timeout_ms: ``cluster-node-timeout``; small, so failover is quick.
        start_timeout: how long :meth:`start` waits for the cluster to be ready.
    """

    def __init__(
        self,
        *,
        masters: int = 3,
        replicas: int = 1,
        node_timeout_ms: int = 1000,
        start_timeout: float = 60.0,
    ) -> None:
        if masters < 3:
            raise ValueError("Redis Cluster needs at least 3 masters")
        self.masters = masters
        self.replicas = replicas
        self.node_timeout_ms = node_timeout_ms
        self.start_timeout = start_timeout
        self.nodes: list[ClusterNodeProcess] = []
        self._root: str | None = None
        self._owner = os.getpid()

    @property
    def url(self) -> str:
        """``redis+cluster://127.0.0.1:<port of the first node>``."""
        if not self.nodes:
            raise RuntimeError("the cluster is not started; call start() first")
        return f"redis+cluster://{_HOST}:{self.nodes[0].port}"

    def node(self, port: int) -> ClusterNodeProcess:
        """The node serving ``port``."""
        for n in self.nodes:
            if n.port == port:
                return n
        raise KeyError(port)

    def start(self) -> LocalRedisCluster:
        """Start the servers, form the cluster, wait until it serves every slot."""
        self._owner = os.getpid()
        _exe("redis-server"), _exe("redis-cli")
        self._root = tempfile.mkdtemp(prefix="suo-redis-cluster-")
        try:
            for _ in range(self.masters * (1 + self.replicas)):
                self.nodes.append(self._spawn(_free_port()))
            deadline = time.monotonic() + self.start_timeout
            for n in self.nodes:
                self._wait(functools.partial(_pong, n.port), deadline, "ping")
            out = subprocess.run(  # noqa: S603 (fixed words and our own ports)
                [
                    _exe("redis-cli"), "--cluster", "create",
                    *(f"{_HOST}:{n.port}" for n in self.nodes),
                    "--cluster-replicas", str(self.replicas), "--cluster-yes",
                ],
                capture_output=True, text=True, timeout=self.start_timeout, check=False,
            )  # fmt: skip
            if out.returncode != 0:
                raise RuntimeError(f"redis-cli --cluster create failed: {out.stdout}{out.stderr}")
            self.wait_ready(deadline - time.monotonic())
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, port: int) -> ClusterNodeProcess:
        assert self._root is not None
        directory = os.path.join(self._root, str(port))
        os.makedirs(directory)
        log = open(os.path.join(directory, "redis.log"), "wb")  # noqa: SIM115 (the child owns it)
        with log:
            process = subprocess.Popen(  # noqa: S603 (fixed words and our own ports)
                [
                    _exe("redis-server"), "--port", str(port), "--bind", _HOST,
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", str(self.node_timeout_ms),
                    "--dir", directory, "--save", "", "--appendonly", "no",
                    "--daemonize", "no", "--protected-mode", "no",
                ],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        return ClusterNodeProcess(port, directory, process)

    @staticmethod
    def _wait(check: Callable[[], bool], deadline: float, what: str) -> None:
        while True:
            with contextlib.suppress(subprocess.TimeoutExpired):
                if check():
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"Redis test cluster: timed out waiting for {what}")
            time.sleep(0.1)

    def _ready(self) -> bool:
        live = [n for n in self.nodes if n.alive]
        for n in live:
            info = _cli(n.port, "cluster", "info", timeout=2.0)
            if "cluster_state:ok" not in info or "cluster_slots_ok:16384" not in info:
                return False
        for n in live:
            replication = _cli(n.port, "info", "replication", timeout=2.0)
            if "role:slave" in replication and "master_link_status:up" not in replication:
                return False
        return True

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until every live node says the cluster is ok and every replica is in sync."""
        self._wait(self._ready, time.monotonic() + timeout, "the cluster to be ready")

    def masters_with_replicas(self) -> list[int]:
        """Ports of the live masters that have at least one connected replica."""
        out = []
        for n in self.nodes:
            if not n.alive:
                continue
            replication = _cli(n.port, "info", "replication", timeout=2.0)
            if "role:master" in replication and "connected_slaves:0" not in replication:
                out.append(n.port)
        return out

    def _replicated(self, port: int) -> bool:
        info = _cli(port, "info", "replication", timeout=2.0)
        master_offset = 0
        for line in info.splitlines():
            if line.startswith("master_repl_offset:"):
                master_offset = int(line.split(":", 1)[1])
        replica_offsets = [
            int(part.split("=", 1)[1])
            for line in info.splitlines()
            if line.startswith("slave") and "offset=" in line
            for part in line.split(":", 1)[1].split(",")
            if part.startswith("offset=")
        ]
        return bool(replica_offsets) and min(replica_offsets) >= master_offset

    def wait_replicated(self, port: int, timeout: float = 10.0) -> None:
        """Wait until every replica of the master on ``port`` has all of its writes.

        Replication is asynchronous: a master killed right after a write may take
        that write with it. Call this first when a test means to fail over a key
        it has just written.
        """
        self._wait(
            functools.partial(self._replicated, port),
            time.monotonic() + timeout,
            f"the replicas of {port} to catch up",
        )

    def master_of_key(self, key: str) -> int:
        """The port of the master that serves ``key``'s slot now."""
        slot = int(_cli(self._any_live().port, "cluster", "keyslot", key).strip())
        for line in _cli(self._any_live().port, "cluster", "nodes").splitlines():
            parts = line.split()
            if "master" not in parts[2] or "fail" in parts[2]:
                continue
            for spec in parts[8:]:
                lo, _, hi = spec.partition("-")
                if lo.isdigit() and int(lo) <= slot <= int(hi or lo):
                    return int(parts[1].split("@")[0].rsplit(":", 1)[1])
        raise LookupError(f"no master serves slot {slot}")

    def _any_live(self) -> ClusterNodeProcess:
        return next(n for n in self.nodes if n.alive)

    def kill(self, port: int) -> None:
        """``SIGKILL`` the node on ``port`` (by pid) and reap it."""
        n = self.node(port)
        if n.alive:
            os.kill(n.pid, signal.SIGKILL)
            n.process.wait(timeout=10)

    def freeze(self, port: int) -> None:
        """``SIGSTOP`` the node on ``port``: it keeps its sockets and answers nothing."""
        os.kill(self.node(port).pid, signal.SIGSTOP)

    def thaw(self, port: int) -> None:
        """``SIGCONT`` a frozen node."""
        os.kill(self.node(port).pid, signal.SIGCONT)

    def stop(self) -> None:
        """Stop every server by its pid (``SIGCONT`` first, then ``SIGTERM``, then ``SIGKILL``).

        Only in the process that started them: a child forked from it (a
        server's worker, say) that runs its exit handlers leaves them alone.
        """
        if os.getpid() != self._owner:
            return
        for n in self.nodes:
            if n.alive:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(n.pid, signal.SIGCONT)
                    os.kill(n.pid, signal.SIGTERM)
        for n in self.nodes:
            try:
                n.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(n.pid, signal.SIGKILL)
                n.process.wait(timeout=5)
        self.nodes = []
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def __enter__(self) -> LocalRedisCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_SHARED: LocalRedisCluster | None = None
_LOCK = threading.Lock()


def shared_cluster() -> LocalRedisCluster:
    """The test process's cluster (3 masters, 3 replicas), started on first use."""
    global _SHARED
    with _LOCK:
        if _SHARED is not None and not all(n.alive for n in _SHARED.nodes):
            _SHARED.stop()  # a node died under it: start a fresh cluster
            _SHARED = None
        if _SHARED is None:
            cluster = LocalRedisCluster().start()
            atexit.register(cluster.stop)
            _SHARED = cluster
        return _SHARED


def stop_shared_cluster() -> None:
    """Stop the cluster :func:`shared_cluster` started, if any."""
    global _SHARED
    with _LOCK:
        if _SHARED is not None:
            _SHARED.stop()
            _SHARED = None
