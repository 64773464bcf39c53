"""A private ``redis-server`` for fault tests: started on a free loopback port, stopped by pid.

Freeze it with :meth:`PrivateRedis.freeze` (SIGSTOP: alive but silent, so only
a timeout notices) and resume it with :meth:`PrivateRedis.thaw` (SIGCONT);
the context manager kills it by pid on the way out, frozen or not.

Example:
    >>> from suo.testing.servers import private_redis
    >>> with private_redis() as server:  # doctest: +SKIP
    ...     store = server.store(socket_timeout=0.25)
    ...     server.freeze()
    ...     server.thaw()
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["PrivateRedis", "free_port", "private_redis"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A running private ``redis-server``: ``.proc``, ``.port``, ``.url``."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int) -> None:
        self.proc = proc
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    def freeze(self) -> None:
        """SIGSTOP: the server keeps its sockets open and answers nothing."""
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT: the server resumes and first runs what was queued meanwhile."""
        self.proc.send_signal(signal.SIGCONT)

    def store(self, *, socket_timeout: float = 0.25, **options: Any) -> Any:
        """A suo store on this server with a short timeout."""
        from suo.storage import open_store

        options.setdefault("connect_timeout", socket_timeout)
        return open_store(self.url, socket_timeout=socket_timeout, **options)

    def wait_until_answering(self, timeout: float = 10) -> None:
        """Block until the server answers a PING (after :meth:`thaw`)."""
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"redis-server on port {self.port} did not answer within {timeout} s")


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """Start ``redis-server`` (Debian's ``redis-server`` package) on a free port; kill it after.

    Raises:
        FileNotFoundError: ``redis-server`` is not on ``PATH``.
    """
    exe = shutil.which("redis-server")
    if exe is None:
        raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    # The command is the redis-server found on PATH, with fixed arguments.
    proc = subprocess.Popen(  # noqa: S603
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = PrivateRedis(proc, port)
    try:
        server.wait_until_answering()
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)  # a stopped process runs no handler until resumed
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
