"""The CLI for password links, A/B splits, pass-through and expired destinations."""

from __future__ import annotations

import io
import json
from contextlib import nullcontext

import pytest

import suo
from suo.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> suo.Shortener:
    s = suo.Shortener("memory://", base_url="https://s.example/")
    monkeypatch.setattr("suo.cli.links._shortener", lambda args: s)
    monkeypatch.setattr("suo.cli.moderate._session", lambda args: nullcontext(s.store))
    return s


def test_shorten_with_every_option(
    cli: suo.Shortener, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("hunter2-secret\n"))
    code, out, err = run(
        capsys, "shorten", "https://example.com/", "--alias", "ab", "--password-stdin",
        "--expired-url", "https://example.com/over", "--pass-query",
        "--variant", "https://example.com/a", "70", "--variant", "https://example.com/b", "30",
        "--variants-until", "30d", "--winner", "B", "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert "hunter2-secret" not in out
    assert "scrypt" not in out
    assert data["extras"]["protected"] is True
    assert data["extras"]["winner"] == 1
    code, out, _ = run(capsys, "show", "ab")
    assert "password: yes" in out
    assert "variant B: https://example.com/b (weight 30)" in out
    assert "pass query: merge" in out
    assert "expired URL: https://example.com/over" in out
    # explain: no password -> the form; with it (stdin) -> the variant and the pass-through.
    code, out, _ = run(capsys, "explain", "ab")
    assert out.startswith("password 401")
    monkeypatch.setattr("sys.stdin", io.StringIO("hunter2-secret\n"))
    code, out, _ = run(capsys, "explain", "ab", "--password-stdin", "--ip", "203.0.113.5",
                       "--query", "utm_source=g7")  # fmt: skip
    assert out.startswith("redirect 302 https://example.com/a?utm_source=g7"), out
    assert "why: password: correct" in out
    assert "why: variant A" in out
    assert cli.stats("ab").visits == 0


def test_update_options(cli: suo.Shortener, capsys: pytest.CaptureFixture[str]) -> None:
    cli.shorten("https://example.com/", alias="p", password="x", pass_query=True)
    code, _out, err = run(capsys, "update", "p", "--no-password", "--no-pass-query",
                         "--expired-url", "https://example.com/x")  # fmt: skip
    assert code == 0, err
    ex = cli.get("p").extras
    assert ex is not None
    assert (ex.password, ex.pass_query, ex.expired_url) == (
        None,
        None,
        "https://example.com/x",
    )


def test_bad_options_exit_with_a_message(
    cli: suo.Shortener, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "shorten", "https://example.com/", "--variant", "https://a.example/", "x",
                       "--variant", "https://b.example/", "1")  # fmt: skip
    assert code != 0
    assert "weight" in err
    code, _, err = run(capsys, "shorten", "https://example.com/", "--expired-url", "javascript:x")
    assert code != 0
    assert "javascript" in err.lower()
    assert cli.links().links == ()


def test_domains_add_list_remove(cli: suo.Shortener, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "domains", "add", "Go.Brand.example", "--base-url",
                         "https://go.brand.example/x/", "--pass-query", "--click-ids")  # fmt: skip
    assert code == 0, err
    assert out == "go.brand.example\thttps://go.brand.example/x/\n"
    assert cli.domains.get("go.brand.example").pass_query == "merge"
    assert cli.domains.get("go.brand.example").click_ids is True
    code, out, _ = run(capsys, "domains", "list", "--json")
    assert code == 0
    assert [d["name"] for d in json.loads(out)] == ["go.brand.example"]
    assert run(capsys, "domains", "remove", "go.brand.example")[0] == 0
    assert run(capsys, "domains", "remove", "go.brand.example")[0] == 1
    code, _, err = run(capsys, "domains", "add", "not a host")
    assert code != 0
    assert "not a domain name" in err


def test_update_click_ids(cli: suo.Shortener, capsys: pytest.CaptureFixture[str]) -> None:
    cli.shorten("https://shop.example/", alias="c")
    assert run(capsys, "update", "c", "--click-ids", "on")[0] == 0
    assert cli.get("c").click_ids is True
    assert cli.resolve("c").click_id is not None
    assert run(capsys, "update", "c", "--click-ids", "off")[0] == 0
    assert cli.get("c").click_ids is False
    assert run(capsys, "update", "c", "--click-ids", "default")[0] == 0
    assert cli.get("c").click_ids is None
