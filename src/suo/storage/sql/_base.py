"""Engine set-up, the shared schema and error wrapping for the SQL store."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from suo.errors import (
    ConfigurationError,
    StorageError,
    StorageIntegrityError,
    StorageUnavailable,
    SuoError,
)
from suo.storage._common import EngineStore, engine_errors
from suo.storage.sql._pool import pool_exhausted_message, pool_options, postgres_connect_args

METADATA = sa.MetaData()
"""Every suo table; each domain module adds its tables here at import."""


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes on every engine: stored as naive UTC, read back as UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _normalise_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + rest
    return scheme + sep + rest


def _is_postgres(url: str) -> bool:
    return _normalise_url(url).startswith("postgresql")


class SQLBase(EngineStore):
    """Owns the engine; domain mixins subclass it and run statements through :meth:`_tx`.

    Every public method of a subclass is wrapped at class creation (see
    :class:`~suo.storage._common.EngineStore`): SQLAlchemy errors come out as
    :class:`~suo.errors.StorageError` subclasses.
    """

    def __init__(
        self,
        *,
        url: str,
        schema: str | None = None,
        connect_timeout: float = 5.0,
        statement_timeout: float = 10.0,
        create_schema: bool = True,
        echo: bool = False,
        durable_visits: bool = False,
        **options: Any,
    ) -> None:
        # Pool size, PgBouncer mode and schema may come in the URL's query (see _pool).
        pool = pool_options(url, options) if _is_postgres(url) else None
        if options:
            raise ConfigurationError(f"unknown SQL store options: {sorted(options)}")
        if not isinstance(durable_visits, bool):
            raise ConfigurationError(
                f"durable_visits must be True or False, got {durable_visits!r}"
            )
        self.url = url
        self.durable_visits = durable_visits
        """PostgreSQL: whether visits of uncapped links wait for a durable commit."""
        self.statement_timeout = statement_timeout
        """Seconds a statement may take (PostgreSQL: a visit not written by then is refused)."""
        sa_url = _normalise_url(url if pool is None else pool.url)
        self.dialect = sa_url.split(":", 1)[0].split("+", 1)[0]
        # SQLite in memory is one connection shared by every thread, so calls
        # are serialised by a lock; files and servers use a real pool.
        self._serial: threading.Lock | None = None
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": statement_timeout * 3, "check_same_thread": False}
            if sa_url in ("sqlite://", "sqlite+pysqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
                self._serial = threading.Lock()
        elif self.dialect == "postgresql" and pool is not None:
            kwargs["connect_args"] = postgres_connect_args(pool, connect_timeout, statement_timeout)
            kwargs["pool_size"] = pool.pool_size
            kwargs["max_overflow"] = pool.max_overflow
            kwargs["pool_timeout"] = pool.pool_timeout or connect_timeout * 2
            schema = schema or pool.schema
        else:
            raise ConfigurationError(
                f"suo's SQL store supports SQLite and PostgreSQL, not {self.dialect!r} ({url!r})"
            )
        self._engine_args = (sa_url, dict(kwargs))  # for the async twin (suo.storage.sql.aio)
        try:
            self._engine: Engine = sa.create_engine(sa_url, **kwargs)
        except (exc.ArgumentError, exc.NoSuchModuleError) as e:
            raise ConfigurationError(f"cannot use SQL URL {url!r}: {e}") from e
        if self.dialect == "sqlite":
            event.listen(self._engine, "connect", _sqlite_on_connect)
            event.listen(self._engine, "begin", _sqlite_on_begin)
        else:
            ping_when_idle(self._engine)
        self.schema = schema
        if schema is not None:
            self._engine = self._engine.execution_options(schema_translate_map={None: schema})
        if create_schema:
            self.create_schema()

    @engine_errors
    def create_schema(self) -> None:
        """Create suo's tables (and the PostgreSQL schema) when missing. Idempotent."""
        with self._tx() as conn:
            if self.schema is not None and self.dialect == "postgresql":
                conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
        with self._serialised():
            METADATA.create_all(self._engine, checkfirst=True)

    @engine_errors
    def drop_schema(self) -> None:
        """Drop suo's tables (and a PostgreSQL schema given as ``schema=``)."""
        if self.schema is not None and self.dialect == "postgresql":
            with self._tx() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        else:
            with self._serialised():
                METADATA.drop_all(self._engine)

    def _engine_error(self, e: Exception) -> SuoError | None:
        if isinstance(e, exc.IntegrityError):
            return StorageIntegrityError(f"the database refused the write: {e.orig}")
        if isinstance(e, exc.TimeoutError):  # every pooled connection is busy
            return StorageUnavailable(pool_exhausted_message(self._engine.pool, self.url_safe))
        if isinstance(e, (exc.OperationalError, exc.TimeoutError, exc.InterfaceError)):
            return StorageUnavailable(
                f"database unavailable ({self.url_safe}): {e.orig if hasattr(e, 'orig') else e}"
            )
        if isinstance(e, exc.SQLAlchemyError):
            return StorageError(f"database error ({self.url_safe}): {e}")
        return None

    @contextlib.contextmanager
    def _serialised(self) -> Iterator[None]:
        """Hold the SQLite-in-memory lock (one shared connection) when there is one."""
        if self._serial is None:
            yield
        else:
            with self._serial:
                yield

    @contextlib.contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction (the public method around it wraps engine errors)."""
        if self._serial is None:
            with self._engine.begin() as conn:
                yield conn
        else:
            with self._serial, self._engine.begin() as conn:
                yield conn

    @contextlib.contextmanager
    def _raw(self, *, autocommit: bool = False) -> Iterator[tuple[Any, Any]]:
        """A pooled driver connection and a cursor on it, for the click path.

        The caller runs its own statements (and ``BEGIN``/``COMMIT`` on SQLite);
        with ``autocommit`` (psycopg) each statement is its own transaction.
        Driver errors come out as SQLAlchemy's ``DBAPIError`` subclasses, as they
        would through an engine connection, and a connection the server dropped
        is thrown away instead of going back to the pool.
        """
        with self._serialised():
            dbapi = self._engine.dialect.loaded_dbapi
            try:
                raw = self._engine.raw_connection()
            except dbapi.Error as e:  # could not connect: as an engine connection says it
                raise exc.DBAPIError.instance(None, None, e, dbapi.Error) from e
            # The DBAPI face (on the async twin: SQLAlchemy's sync adapter of psycopg's).
            driver: Any = raw.dbapi_connection
            cur: Any = None
            try:
                if autocommit:
                    driver.autocommit = True
                cur = driver.cursor()
                yield raw, cur
            except dbapi.Error as e:
                invalidated = self._engine.dialect.is_disconnect(e, raw, cur)
                if invalidated:
                    raw.invalidate(e)
                    # As SQLAlchemy's own connections do on a disconnect: every
                    # connection checked out before now is suspect (a restart
                    # drops them all), so the pool replaces them on return.
                    pool_invalidate = getattr(self._engine.pool, "_invalidate", None)
                    if pool_invalidate is not None:
                        pool_invalidate(raw, e, False)
                raise exc.DBAPIError.instance(
                    None, None, e, dbapi.Error, connection_invalidated=invalidated
                ) from e
            finally:
                try:
                    if cur is not None:
                        cur.close()
                    if autocommit and raw.is_valid:
                        driver.autocommit = False
                finally:
                    raw.close()

    def _table_name(self, table: sa.Table) -> str:
        """``table``'s name as raw SQL on the click path writes it (schema-qualified)."""
        return table.name if self.schema is None else f'"{self.schema}".{table.name}'

    def _insert_stmt(self, table: sa.Table) -> Any:
        """``INSERT`` in the dialect's flavour (it has ``on_conflict_do_*``)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects import postgresql

            return postgresql.insert(table)
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)

    @property
    def url_safe(self) -> str:
        """The URL with any password hidden."""
        try:
            return sa.engine.make_url(_normalise_url(self.url)).render_as_string(hide_password=True)
        except exc.ArgumentError:
            return "<bad url>"

    @engine_errors
    def close(self) -> None:
        """Dispose of the connection pool."""
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url_safe!r})"


PING_AFTER_IDLE = 5.0
"""Seconds a pooled PostgreSQL connection may sit idle before it is pinged at checkout."""


def ping_when_idle(engine: Engine, idle: float | None = None) -> None:
    """Ping a pooled connection at checkout only when it sat idle ``idle`` seconds or more.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one more round
    trip per visit (measured: a quarter of the click path's client CPU on
    PostgreSQL). A busy pool's connections were in use a moment ago, so only
    an idle one, the kind a server restart or an idle timeout leaves dead, is
    pinged; a dead one is replaced before use (the pool retries the checkout).
    A connection that dies while busy fails that one call, and the store then
    throws away every connection checked out before it (see ``_raw``).
    ``idle`` defaults to :data:`PING_AFTER_IDLE`, read at each checkout.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["suo_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("suo_idle_since")
        if since is None or time.monotonic() - since < (PING_AFTER_IDLE if idle is None else idle):
            return
        cur = dbapi_conn.cursor()
        try:
            cur.execute("SELECT 1")
            dbapi_conn.rollback()  # leave it as the pool gave it: outside a transaction
        except Exception as e:  # any failure: let the pool connect afresh
            raise exc.DisconnectionError(f"idle connection failed its ping: {e}") from e
        finally:
            with contextlib.suppress(Exception):
                cur.close()


@contextlib.contextmanager
def sqlite_write(cur: Any) -> Iterator[None]:
    """A SQLite write transaction on a raw cursor: ``BEGIN IMMEDIATE``, then
    ``COMMIT``, or ``ROLLBACK`` on any error (the click path's own statements)."""
    cur.execute("BEGIN IMMEDIATE")
    try:
        yield
        cur.execute("COMMIT")
    except BaseException:
        if cur.connection.in_transaction:
            cur.execute("ROLLBACK")
        raise


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Take transaction control from pysqlite so that _sqlite_on_begin decides.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # WAL lets readers run beside the writer; NORMAL sync is safe with WAL.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front: two writers queue on the busy
    # timeout instead of one failing with SQLITE_BUSY when it upgrades a read.
    conn.exec_driver_sql("BEGIN IMMEDIATE")
