"""The ``suo`` command, in process and as a real console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suo.cli import main
from suo.cli._args import parse_duration, read_duration
from suo.cli.links import DEMO_UAS, parse_policy, parse_when
from suo.errors import InvalidInput, PolicyError, ScheduleError


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/cli.db"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_shorten_resolve_stats_list_delete(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "shorten", "https://example.com/x", "--alias", "cli1",
                       "--max-clicks", "1", "--tag", "t", "--store", db)  # fmt: skip
    assert (code, out) == (0, "cli1\thttp://127.0.0.1:8080/cli1\n")
    code, out, _ = run(capsys, "resolve", "cli1", "--store", db)
    assert out.strip() == "redirect 302 https://example.com/x"
    code, out, _ = run(capsys, "resolve", "cli1", "--store", db)
    assert out.strip() == "exhausted 410"
    code, out, _ = run(capsys, "stats", "cli1", "--store", db)
    assert "clicks: 1  visits: 2  bots: 0" in out
    code, out, _ = run(capsys, "list", "--tag", "t", "--store", db)
    assert out.startswith("cli1\thttps://example.com/x\tt")
    assert run(capsys, "delete", "cli1", "--store", db)[0] == 0
    assert run(capsys, "delete", "cli1", "--store", db)[0] == 1


def test_policy_option_makes_wechat_see_the_guide(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    run(
        capsys,
        "shorten",
        "https://example.com/g",
        "--alias",
        "g",
        "--policy",
        "anti-block",
        "--store",
        db,
    )
    code, out, _ = run(capsys, "resolve", "g", "--ua", DEMO_UAS["WeChat on iPhone"], "--lang", "zh-CN",
                       "--body", "--store", db)  # fmt: skip
    assert code == 0
    assert out.startswith("guide 200")
    assert "noindex" in out
    run(
        capsys,
        "shorten",
        "https://example.com/w",
        "--alias",
        "w",
        "--policy",
        "only:wechat",
        "--store",
        db,
    )
    assert run(capsys, "resolve", "w", "--store", db)[1].startswith("deny 403")


def test_errors_are_one_line_with_their_exit_code(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    code, _, err = run(capsys, "shorten", "javascript:alert(1)", "--store", db)
    assert code == 2
    assert err.startswith("suo: error: ")
    code, _, err = run(capsys, "stats", "missing", "--store", db)
    assert code == 1  # not found
    assert "missing" in err
    code, _, err = run(capsys, "shorten", "https://example.com/", "--store", "ftp://nowhere")
    assert code == 2
    assert "unknown store scheme" in err


def test_store_from_environment(
    capsys: pytest.CaptureFixture[str], db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUO_STORE", db)
    assert run(capsys, "shorten", "https://example.com/env", "--alias", "env")[1].startswith(
        "env\t"
    )
    assert run(capsys, "resolve", "env", "--store", db)[1].startswith("redirect")


def test_parse_when_and_policy() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_when("7d", now) == now + timedelta(days=7)
    assert parse_when("90m", now) == now + timedelta(minutes=90)
    assert parse_when("2026-12-31T23:59+08:00", now).utcoffset() == timedelta(hours=8)
    assert parse_when("2026-12-31T23:59", now).tzinfo is UTC
    with pytest.raises(InvalidInput, match="7d"):
        parse_when("next tuesday", now)
    assert parse_policy("anti-block").name
    with pytest.raises(PolicyError, match="platforms"):
        parse_policy("only:wechat,myspace")
    with pytest.raises(PolicyError):
        parse_policy("open-sesame")


def test_demo_runs_as_a_console_script(tmp_path: Path) -> None:
    exe = shutil.which("suo", path=str(Path(sys.executable).parent))
    assert exe is not None, "the suo console script is not installed"
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("SUO_STORE", None)
    out = subprocess.run([exe, "demo"], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert "links made:" in out.stdout
    assert "guide" in out.stdout
    assert "redirect  302" in out.stdout
    assert "exhausted 410" in out.stdout
    assert "clicks=2" in out.stdout
    assert "scan 4: exhausted 410" in out.stdout
    assert "SOP: welfare_weekly()" in out.stdout


def test_private_hosts_need_the_flag(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run(capsys, "shorten", "http://127.0.0.1:8000/", "--store", db)
    assert code == 2
    assert "127.0.0.1" in err
    code, out, _ = run(capsys, "shorten", "http://127.0.0.1:8000/", "--allow-private-hosts",
                       "--alias", "lo", "--store", db)  # fmt: skip
    assert (code, out.split("\t")[0]) == (0, "lo")


def test_demo_can_run_twice_on_the_same_store(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, "demo", "--store", db)[0] == 0
    code, out, err = run(capsys, "demo", "--store", db)
    assert (code, err) == (0, "")
    assert "exhausted 410" in out


UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@given(st.integers(min_value=0, max_value=10**5), st.sampled_from(sorted(UNITS)), st.booleans())
def test_one_duration_reader_for_every_command(n: int, unit: str, spaced: bool) -> None:
    from datetime import UTC, datetime, timedelta

    text = f" {n} {unit} " if spaced else f"{n}{unit}"
    span = timedelta(**{UNITS[unit]: n})
    assert read_duration(text) == span
    assert parse_duration(text, "--lease") == span
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_when(text, now) == now + span  # links --expires reads the same


def test_a_bad_duration_names_the_option_and_the_forms(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for bad in ("", "10", "1y", "-1d", "1.5h", "10 minutes"):
        assert read_duration(bad) is None
        with pytest.raises(ScheduleError, match=r"--lookback .*30m, 12h, 1d or 2w"):
            parse_duration(bad, "--lookback", error=ScheduleError)
    store = f"sqlite:///{tmp_path}/sop.db"
    code, _, err = run(capsys, "sop", "due", "welfare-weekly", "--store", store, "--lookback", "1y")
    assert code != 0
    assert "--lookback '1y'" in err
