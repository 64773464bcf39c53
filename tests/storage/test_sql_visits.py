"""SQL specifics of visits as events: paging, retention of visitor ids, options, old schemas."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from suo.errors import ConfigurationError
from suo.shortener.model import Link, Visit
from suo.storage.sql import SQLStore
from suo.storage.sql import links as sql_links
from suo.testing.backends import backend_params, isolated_store

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(params=backend_params(("sqlite", "sqlite-file", "postgres")))
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    with isolated_store(str(request.param)) as s:
        yield s


def _link(code: str, **kw: Any) -> Link:
    return Link(code=code, target="https://example.com/", created_at=T0, **kw)


def test_visits_pages_keep_time_order_across_ties(store: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(sql_links, "_PAGE", 7)  # many pages, ties across their edges
    store.create_link(_link("pg"))
    for i in range(40):
        at = T0 + timedelta(minutes=(39 - i) // 3)  # newest first, three per minute
        store.hit("pg", Visit(at, code="pg", visitor=f"v{i}"), count=True, cap=None)
    events = list(store.visits("pg"))
    assert len(events) == 40
    assert [e.at for e in events] == sorted(e.at for e in events)
    # Within one instant, the order they were recorded in (as the memory model).
    assert [e.visitor for e in events if e.at == T0] == ["v37", "v38", "v39"]
    assert [e.visitor for e in events if e.at == T0 + timedelta(minutes=1)] == ["v34", "v35", "v36"]
    assert len(list(store.visits("pg", start=T0 + timedelta(minutes=5)))) == 40 - 15


def test_visits_is_lazy(store: Any) -> None:
    store.create_link(_link("lazy"))
    store.hit("lazy", Visit(T0, code="lazy"), count=True, cap=None)
    stream = store.visits("lazy")
    store.hit("lazy", Visit(T0 + timedelta(seconds=1), code="lazy"), count=True, cap=None)
    assert len(list(stream)) == 2  # read when iterated, not when asked for


def test_events_table_has_no_ip_and_referrer_is_a_host() -> None:
    columns = set(sql_links.visits.c.keys())
    assert not {c for c in columns if "ip" in c.split("_")}
    assert columns == {
        "id", "code", "at", "platform", "os", "bot", "outcome", "language",
        "referrer", "target", "utm", "visitor", "variant",
    }  # fmt: skip


def test_purge_forgets_visitor_ids_of_past_days(store: Any) -> None:
    store.create_link(_link("ret"))
    store.hit("ret", Visit(T0, code="ret", visitor="old"), count=True, cap=None)
    later = T0 + timedelta(days=3)
    store.hit("ret", Visit(later, code="ret", visitor="new"), count=True, cap=None)
    assert store.purge_visits(before=later) == 1
    with store._tx() as conn:
        ids = set(conn.execute(sa.select(sql_links.visitors.c.visitor)).scalars())
    assert ids == {"new"}  # "old" was salted for a day more than a day before the cut
    assert store.link_stats("ret").uniques == 2  # what was counted stays


def test_hit_on_a_deleted_code_leaves_no_rows(store: Any) -> None:
    store.create_link(_link("del"))
    store.hit("del", Visit(T0, code="del", visitor="a"), count=True, cap=None)
    assert store.delete_link("del") is True
    with store._tx() as conn:
        for table in (sql_links.visits, sql_links.visit_hours, sql_links.visitors):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


@pytest.mark.parametrize("durable", [True, False])
def test_durable_visits_either_way_counts_the_same(durable: bool) -> None:
    with isolated_store("postgres", durable_visits=durable) as s:
        s.create_link(_link("d", max_clicks=2))
        s.create_link(_link("u"))
        results = [s.hit("d", Visit(T0, code="d"), count=True, cap=2) for _ in range(3)]
        assert results == [1, 2, None]
        for _ in range(3):
            s.hit("u", Visit(T0, code="u"), count=True, cap=None)
        assert s.link_stats("u").clicks == 3
        assert s.link_stats("d").by_outcome == {"redirect": 2, "exhausted": 1}


def test_durable_visits_must_be_a_bool() -> None:
    with pytest.raises(ConfigurationError):
        SQLStore("sqlite://", durable_visits="no")


def test_a_database_from_before_events_keeps_working(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the links table as it was, with its breakdown column
        conn.exec_driver_sql(
            "CREATE TABLE suo_links (code VARCHAR(64) PRIMARY KEY, data TEXT NOT NULL,"
            " clicks INTEGER DEFAULT 0 NOT NULL, visits INTEGER DEFAULT 0 NOT NULL,"
            " bots INTEGER DEFAULT 0 NOT NULL, counted SMALLINT DEFAULT 0 NOT NULL,"
            " first_visit DATETIME, last_visit DATETIME,"
            ' breakdown TEXT DEFAULT \'{"platform": {}, "os": {}, "day": {}}\' NOT NULL)'
        )
    engine.dispose()
    with SQLStore(url) as store:  # create_all adds the new tables beside it
        store.create_link(_link("old"))
        assert store.hit("old", Visit(T0, code="old", platform="wechat"), count=True, cap=None) == 1
        stats = store.link_stats("old")
        assert (stats.clicks, stats.by_platform) == (1, {"wechat": 1})
        with store._tx() as conn:
            untouched = conn.exec_driver_sql("SELECT breakdown FROM suo_links").scalar()
        assert untouched == '{"platform": {}, "os": {}, "day": {}}'  # no longer written


def test_the_link_row_is_byte_for_byte_the_same_after_10000_visits(store: Any) -> None:
    store.create_link(_link("same", max_clicks=5_000))
    table = store._table_name(sql_links.links)
    if store.dialect == "postgresql":
        size_sql = f"SELECT pg_column_size(t.*), t.data FROM {table} t WHERE code = 'same'"
    else:
        size_sql = f"SELECT length(CAST(code AS BLOB)) + length(CAST(data AS BLOB)), data FROM {table} WHERE code = 'same'"
    with store._engine.connect() as conn:
        before = tuple(conn.exec_driver_sql(size_sql).one())
    for i in range(10_000):
        visit = Visit(
            T0 + timedelta(seconds=i), code="same", platform="wechat", visitor=f"v{i % 97}"
        )
        store.hit("same", visit, count=True, cap=5_000, event=i % 10 == 0)
    with store._engine.connect() as conn:
        after = tuple(conn.exec_driver_sql(size_sql).one())
    assert after == before
    stats = store.link_stats("same")
    assert (stats.clicks, stats.visits) == (5_000, 10_000)
