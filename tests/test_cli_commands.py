"""The CLI reaches everything: live codes, QR, update, explain, moderate, --json,
composed --policy, --store placement, exit codes, empty results and closed pipes.

Commands that touch a store run on every backend: the Shortener (or the store)
the command opens is swapped for one on the backend under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import suo
from suo.antiblock import Action, detect
from suo.cli import EXIT_CODES, main
from suo.cli.links import DEMO_UAS, parse_policies, parse_policy
from suo.errors import PolicyError
from suo.shortener import qr

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
WECHAT = DEMO_UAS["WeChat on iPhone"]
CHROME = DEMO_UAS["Chrome on Windows"]
SAFARI = DEMO_UAS["Safari on iPhone"]
DOUYIN = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 aweme_29.3.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/zh"
)
GROUP_A = "https://weixin.qq.com/g/AQYAAAAA"
GROUP_B = "https://weixin.qq.com/g/AQYBBBBB"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def cli(store: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A Shortener on the backend under test, used by every command of the test."""
    s = suo.Shortener(store, base_url="https://s.example/", clock=lambda: T0, cache_ttl=0)
    monkeypatch.setattr("suo.cli.links._shortener", lambda args: s)
    monkeypatch.setattr("suo.cli.moderate._session", lambda args: nullcontext(store))
    return s


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/cli.db"


# -- live codes -----------------------------------------------------------------


def test_live_create_from_a_qr_image_prints_code_and_short_url(
    cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    image = tmp_path / "group.png"
    image.write_bytes(qr.render(GROUP_A))
    code, out, err = run(capsys, "live", "create", "--qr", str(image), "--cap", "200",
                         "--alias", "club", "--title", "读书会", "--store", "x://")  # fmt: skip
    assert (code, out, err) == (0, "club\thttps://s.example/club\n", "")
    [slot] = cli.live("club").targets()
    assert (slot.payload, slot.cap, slot.used) == (GROUP_A, 200, 0)
    assert cli.get("club").title == "读书会"
    assert cli.resolve("club").target.payload == GROUP_A


def test_live_add_retire_show(cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "live", "create", GROUP_A, "--cap", "1", "--alias", "club", "--store", "x://")
    image = tmp_path / "b.png"
    image.write_bytes(qr.render(GROUP_B))
    code, out, _ = run(capsys, "live", "add", "club", "--qr", str(image), "--cap", "5",
                       "--expires", "3d", "--weight", "2")  # fmt: skip
    assert code == 0
    [first, second] = cli.live("club").targets()
    assert out == f"added target {second.id} to club: {GROUP_B}\n"
    assert (second.cap, second.target.weight, second.expires_at) == (5, 2, T0 + timedelta(days=3))
    assert cli.resolve("club").target.payload == GROUP_A  # fill first: A takes its one place

    shown = run_json(capsys, "live", "show", "club")
    assert shown["short_url"] == "https://s.example/club"
    assert shown["status"]["served"] == 1
    assert [(t["id"], t["state"], t["used"]) for t in shown["targets"]] == [
        (first.id, "full", 1),
        (second.id, "active", 0),
    ]
    code, out, _ = run(capsys, "live", "show", "club")
    assert "1 active, 1 full, 0 expired, 0 retired" in out
    assert f"{second.id}\tactive\t0/5\t" in out

    assert run(capsys, "live", "retire", "club", str(second.id))[0] == 0
    code, out, err = run(capsys, "live", "retire", "club", str(second.id))
    assert (code, out) == (1, "")
    assert "no active target" in err
    assert run_json(capsys, "live", "show", "club")["status"]["exhausted"] is True
    assert len(run_json(capsys, "live", "show", "club", "--all")["targets"]) == 2


def test_live_errors_are_one_line(
    cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    not_an_image = tmp_path / "notes.txt"
    not_an_image.write_text("hello")
    for args, exit_code, words in (
        (("live", "create"), 2, "give a target"),
        (("live", "create", "--qr", str(tmp_path / "missing.png")), 2, "No such file"),
        (("live", "create", "--qr", str(not_an_image)), 2, "image"),
        (("live", "add", "nosuch", GROUP_A), 1, "nosuch"),
        (("live", "show", "nosuch"), 1, "nosuch"),
        (("live", "create", GROUP_A, "--cap", "0"), 2, "cap"),
    ):
        code, out, err = run(capsys, *args)
        assert (code, out) == (exit_code, ""), args
        assert err.startswith("suo: error: "), err
        assert err.count("\n") == 1, err
        assert words in err
    cli.shorten("https://example.com/", alias="plain")
    code, _, err = run(capsys, "live", "show", "plain")
    assert code == 2
    assert "not a live code" in err


# -- explain records nothing -------------------------------------------------


def test_explain_records_no_visit(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cli.shorten("https://example.com/x", alias="x", max_clicks=1, policy=parse_policy("anti-block"))
    cli.shorten_live([suo.LiveTarget(GROUP_A, cap=1)], alias="club")
    before = {code: cli.stats(code) for code in ("x", "club")}
    for _ in range(3):
        code, out, err = run(capsys, "explain", "x", "--ua", CHROME)
        assert (code, err) == (0, "")
        assert out.startswith("redirect 302 https://example.com/x\n")
        assert "why: rule 1 'cn-in-app'" in out
    code, out, _ = run(capsys, "explain", "x", "--ua", WECHAT, "--lang", "zh-CN")
    assert out.startswith("guide 200\nclient: wechat on ios (mobile)\n")
    data = run_json(capsys, "explain", "club", "--ua", SAFARI)
    assert (data["kind"], data["target"], data["client"]["platform"]) == (
        "page",
        GROUP_A,
        "browser",
    )
    assert {code: cli.stats(code) for code in ("x", "club")} == before
    assert cli.stats("x").visits == 0
    assert cli.live("club").targets()[0].used == 0
    assert cli.resolve("x").kind.value == "redirect"  # the one click is still there to take
    assert cli.stats("x").clicks == 1


def test_resolve_counts_and_json_parses(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cli.shorten("https://example.com/x", alias="x")
    data = run_json(capsys, "resolve", "x", "--ua", CHROME)
    assert (data["kind"], data["status"], data["location"]) == (
        "redirect",
        302,
        "https://example.com/x",
    )
    assert "body" not in data
    assert run_json(capsys, "resolve", "x", "--body")["body"] is None
    stats = run_json(capsys, "stats", "x")
    assert (stats["code"], stats["clicks"], stats["visits"]) == ("x", 2, 2)


# -- show, update, list, delete, shorten ---------------------------------------


def test_shorten_prints_the_short_url_with_title(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "shorten", "https://example.com/a", "--alias", "a", "--title", "春")
    assert (code, out) == (0, "a\thttps://s.example/a\n")
    data = run_json(capsys, "show", "a")
    assert (data["short_url"], data["title"], data["target"]) == (
        "https://s.example/a", "春", "https://example.com/a",
    )  # fmt: skip
    made = run_json(capsys, "shorten", "https://example.com/b", "--tag", "t")
    assert made["short_url"] == "https://s.example/" + made["code"]
    assert cli.get(made["code"]).tags == ("t",)


def test_shorten_base_url_option(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "shorten", "https://example.com/a", "--alias", "a",
                       "--base-url", "https://go.example/x", "--store", db)  # fmt: skip
    assert (code, out) == (0, "a\thttps://go.example/x/a\n")
    code, out, err = run(capsys, "qr", "a", "--store", db)
    assert code == 0
    assert "holds http://127.0.0.1:8080/a; give --base-url" in err  # say how to change it
    assert run(capsys, "qr", "a", "--base-url", "https://go.example/", "--store", db)[2] == ""


def test_update_changes_what_is_given_and_keeps_the_rest(
    cli: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.shorten("https://example.com/a", alias="a", tags=["old"], title="T", max_clicks=9)
    cli.resolve("a")
    code, out, _ = run(capsys, "update", "a", "--target", "https://example.com/b", "--expires",
                       "7d", "--policy", "anti-block", "--policy", "no-bots", "--tag", "n1",
                       "--tag", "n2")  # fmt: skip
    assert (code, out) == (0, "updated a: expires_at, policy, tags, target\n")
    link = cli.get("a")
    assert (link.target, link.expires_at, link.tags) == (
        "https://example.com/b", T0 + timedelta(days=7), ("n1", "n2"),
    )  # fmt: skip
    assert (link.title, link.max_clicks) == ("T", 9)
    assert [r.name for r in link.policy.rules] == ["bots", "cn-in-app"]
    assert cli.stats("a").clicks == 1
    data = run_json(capsys, "update", "a", "--expires", "never", "--max-clicks", "none",
                    "--policy", "none", "--no-title", "--no-tags")  # fmt: skip
    assert [data[k] for k in ("expires_at", "max_clicks", "policy", "title", "tags")] == [
        None, None, None, None, [],
    ]  # fmt: skip
    for args, words in (
        ((), "nothing to change"),
        (("--max-clicks", "lots"), "--max-clicks 'lots'"),
        (("--policy", "none", "--policy", "no-bots"), "give it alone"),
        (("--tag", "x", "--no-tags"), "not both"),
        (("--target", "javascript:alert(1)"), "javascript"),
    ):
        code, _, err = run(capsys, "update", "a", *args)
        assert code == 2, args
        assert words in err
    assert run(capsys, "update", "nosuch", "--title", "x")[0] == 1


def test_show_text_names_the_policy_rules(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cli.shorten("https://example.com/a", alias="a", policy=parse_policy("only:wechat"))
    code, out, _ = run(capsys, "show", "a")
    assert code == 0
    assert "short URL: https://s.example/a\n" in out
    assert "policy: only: allowed [platform in wechat] -> redirect; otherwise deny\n" in out


def test_an_empty_list_says_so(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list", "--tag", "nosuch")
    assert (code, out) == (0, "")
    assert err == "suo: no links matched with tag 'nosuch'\n"
    code, out, _ = run(capsys, "list", "--tag", "nosuch", "--json")
    assert json.loads(out) == {"links": [], "next": None}
    cli.shorten("https://example.com/a", alias="a", tags=["t"])
    data = run_json(capsys, "list", "--tag", "t")
    assert [link["code"] for link in data["links"]] == ["a"]
    code, out, err = run(capsys, "list", "--tag", "t")
    assert (out, err) == ("a\thttps://example.com/a\tt\n", "")


def test_delete_says_what_happened(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cli.shorten("https://example.com/a", alias="a")
    assert run(capsys, "delete", "a") == (0, "deleted a\n", "")
    code, out, err = run(capsys, "delete", "a")
    assert (code, out) == (1, "")
    assert "no link with code 'a'" in err


# -- qr ---------------------------------------------------------------------------


def test_qr_to_png_svg_and_terminal(
    cli: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli.shorten("https://example.com/a", alias="a")
    png = tmp_path / "a.png"
    code, out, err = run(capsys, "qr", "a", "-o", str(png), "--base-url", "https://s.example/")
    assert (code, out) == (0, "")
    assert qr.read(png.read_bytes()) == ["https://s.example/a"]
    svg = tmp_path / "a.SVG"
    assert run(capsys, "qr", "a", "-o", str(svg))[0] == 0
    assert svg.read_text().startswith("<svg")
    code, out, err = run(capsys, "qr", "a")
    assert code == 0
    art = qr.render("https://s.example/a", "terminal", border=4)
    assert isinstance(art, str)
    assert (out.rstrip("\n"), err) == (art.rstrip("\n"), "")
    code, _, err = run(capsys, "qr", "a", "-o", str(tmp_path / "a.jpg"))
    assert code == 2
    assert ".png or .svg" in err
    assert run(capsys, "qr", "nosuch")[0] == 1


# -- moderate ---------------------------------------------------------------------


def test_moderate_strikes_add_up_in_the_store(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    spam = ["https://shop.example.com/deal", "加我微信 abc123 领优惠", "vx: shop8888 低价出"]
    base = ("moderate", "--community", "c1", "--kind", "welfare", "--member", "u1")
    actions = []
    for i, text in enumerate(spam, 1):
        at = (T0 + timedelta(hours=2 * i)).isoformat()
        actions.append(run_json(capsys, *base, text, "--at", at)["action"])
    assert actions == ["warn", "mute", "remove"]
    code, out, _ = run(capsys, *base[:-1], "u2", "大家好！", "--at", T0.isoformat())
    assert (code, out) == (0, "allow: no rule matched\nstrikes: 0\n")
    data = run_json(capsys, "moderate", "--community", "c1", "--member", "boss", "--role",
                    "owner", spam[0], "--at", T0.isoformat())  # fmt: skip
    assert (data["action"], data["flagged"], data["member_id"]) == ("allow", False, "boss")


def test_moderate_bad_time_is_one_line(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, err = run(capsys, "moderate", "--community", "c1", "--member", "u1", "hi",
                         "--at", "yesterday", "--store", db)  # fmt: skip
    assert (code, out) == (2, "")
    assert err == "suo: error: --at 'yesterday': give an ISO time like 2026-12-01T20:00+08:00\n"


# -- --policy composes --------------------------------------------------------------


def _action(policy: Any, ua: str) -> Action:
    return policy.decide(detect(ua)).action  # type: ignore[no-any-return]


def test_policies_compose() -> None:
    p = parse_policies(["anti-block", "deny:douyin"])
    assert _action(p, WECHAT) is Action.GUIDE
    assert _action(p, DOUYIN) is Action.DENY  # deny: wins over anti-block for that app
    assert _action(p, CHROME) is Action.REDIRECT
    p = parse_policies(["anti-block", "only:wechat,browser"])
    assert _action(p, WECHAT) is Action.GUIDE
    assert _action(p, CHROME) is Action.REDIRECT
    assert _action(p, DEMO_UAS["QQ on Android"]) is Action.DENY  # not in only:
    assert _action(p, DOUYIN) is Action.DENY
    p = parse_policies(["guide:qq", "no-bots", "mobile-only"])
    assert _action(p, DEMO_UAS["QQ on Android"]) is Action.GUIDE
    assert _action(p, DEMO_UAS["Googlebot"]) is Action.DENY
    assert _action(p, CHROME) is Action.DENY  # a computer
    assert _action(p, SAFARI) is Action.REDIRECT
    assert _action(p, WECHAT) is Action.REDIRECT  # guide:qq only, no anti-block
    # One preset alone is the preset, as before; the same one twice is that one.
    assert parse_policies(["anti-block", "anti-block"]) == suo.AccessPolicy.anti_block()
    assert parse_policy("only:wechat") == suo.AccessPolicy.only("wechat")
    assert parse_policies([]) is None


@pytest.mark.parametrize(
    ("specs", "words"),
    [
        (["only:wechat", "only:qq"], "only: given twice"),
        (["guide:qq", "deny:qq"], "both in guide: and in deny:"),
        (["only:wechat", "deny:wechat"], "deny: refuses it"),
        (["only:wechat", "guide:qq"], "add them to only:"),
        (["anti-block", "only:browser"], "no effect"),
        (["anti-block", "only:"], "needs platforms"),
        (["anti-block", "open-sesame"], "unknown --policy"),
    ],
)
def test_contradicting_policies_are_refused(specs: list[str], words: str) -> None:
    with pytest.raises(PolicyError, match=words):
        parse_policies(specs)


def test_repeated_policy_flags_all_apply(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run(capsys, "shorten", "https://example.com/p", "--alias", "p", "--policy",
                       "anti-block", "--policy", "only:wechat", "--policy", "deny:douyin",
                       "--store", db)  # fmt: skip
    assert code == 0
    assert "add browser" in err  # works, but probably not as meant: say so
    got = {ua: run_json(capsys, "explain", "p", "--ua", ua, "--store", db)["kind"]
           for ua in (WECHAT, DOUYIN, CHROME)}  # fmt: skip
    assert got == {WECHAT: "guide", DOUYIN: "deny", CHROME: "deny"}
    code, out, err = run(capsys, "shorten", "https://example.com/q", "--policy", "only:wechat",
                         "--policy", "only:qq", "--store", db)  # fmt: skip
    assert (code, out) == (2, "")
    assert "only: given twice" in err


# -- --store placement, exit codes, hints, closed pipes --------------------------------


def test_store_before_or_after_the_subcommand(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, "--store", db, "shorten", "https://example.com/a", "--alias", "a")[0] == 0
    assert run(capsys, "list", "--store", db)[1].startswith("a\t")
    assert run(capsys, "--store", db, "list")[1].startswith("a\t")
    assert run(capsys, "--store", db, "list", "--store", db)[1].startswith("a\t")
    assert run_json(capsys, "--store", db, "stats", "a")["code"] == "a"
    with pytest.raises(SystemExit) as exc:
        main(["--store", db, "list", "--store", "sqlite:///other.db"])
    assert exc.value.code == 2
    assert "--store given twice" in capsys.readouterr().err


def test_exit_codes(capsys: pytest.CaptureFixture[str], db: str) -> None:
    run(capsys, "shorten", "https://example.com/a", "--alias", "a", "--store", db)
    for args, expected in (
        (("stats", "nope"), 1),
        (("delete", "nope"), 1),
        (("show", "nope"), 1),
        (("resolve", "a", "--json"), 0),
        (("resolve", "nope"), 1),  # the 404 answer is printed, and the status says so
        (("explain", "nope", "--json"), 1),
        (("shorten", "javascript:alert(1)"), 2),
        (("shorten", "https://example.com/b", "--alias", "a"), 2),
        (("update", "a", "--expires", "someday"), 2),
    ):
        code, _, err = run(capsys, *args, "--store", db)
        assert code == expected, (args, err)
        if code:
            assert err.startswith("suo: ")
            assert err.count("\n") == 1
    code, _, err = run(capsys, "list", "--store", "redis://127.0.0.1:1/0")
    assert code == 3
    assert err.startswith("suo: error: ")
    assert err.count("\n") == 1
    with pytest.raises(SystemExit) as exc:
        main(["stats"])
    assert exc.value.code == 2


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for code, meaning in EXIT_CODES.items():
        assert f"{code:<4} {meaning}" in out
    assert "--store URL may come before or after the subcommand" in out


def test_private_host_hint_names_the_flag(capsys: pytest.CaptureFixture[str], db: str) -> None:
    for args in (("shorten", "http://10.0.0.1/"), ("update", "a", "--target", "http://10.0.0.1/")):
        run(capsys, "shorten", "https://example.com/", "--alias", "a", "--store", db)
        code, _, err = run(capsys, *args, "--store", db)
        assert code == 2
        assert "--allow-private-hosts" in err
        assert "URLPolicy" not in err
    code, out, _ = run(capsys, "update", "a", "--target", "http://10.0.0.1/",
                       "--allow-private-hosts", "--store", db)  # fmt: skip
    assert (code, out) == (0, "updated a: target\n")


def test_a_closed_pipe_exits_quietly_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Closed:
        def write(self, _text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["sop", "templates"]) == 141
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "args",
    [
        ("sop", "show", "welfare-weekly", "--month", "2026-12"),
        ("list",),
        ("shorten", "https://example.com/pipe"),
        ("stats", "a", "--json"),
    ],
)
def test_a_closed_pipe_exits_quietly_as_a_process(args: tuple[str, ...], db: str) -> None:
    main(["shorten", "https://example.com/a", "--alias", "a", "--store", db])
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte, like `| head -0`
    env = {**os.environ, "SUO_STORE": db}
    try:
        done = subprocess.run([sys.executable, "-m", "suo.cli", *args], stdout=write,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=60)  # fmt: skip
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")


def test_docs_cli_covers_every_command_and_exit_status() -> None:
    import argparse

    from suo.cli import build_parser

    page = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")

    def commands(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found.append(f"{prefix} {name}")
                    found += commands(child, f"{prefix} {name}")
        return found

    names = commands(build_parser(), "suo")
    assert "suo live create" in names
    assert "suo moderate" in names
    # A command is there by its full name, or a subcommand by name in its parent's section.
    missing = [
        n for n in names if n not in page and (n.count(" ") < 2 or f"`{n.split()[-1]}`" not in page)
    ]
    assert missing == []
    for code in EXIT_CODES:
        assert f"| {code} |" in page
    for name in ("shorten", "show", "update", "resolve", "explain", "list", "moderate"):
        assert f"`{name}`" in page.split("**`--json`.**")[1].split("\n\n")[0]


def test_sop_commands_print_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    names = [t["name"] for t in run_json(capsys, "sop", "templates")]
    assert "welfare-weekly" in names
    store = f"sqlite:///{tmp_path}/sop.db"
    common = ("welfare-weekly", "--now", "2026-11-30T10:05+08:00", "--store", store)
    due = run_json(capsys, "sop", "due", *common)
    assert due
    assert {"id", "at", "title", "overdue", "claimed_by"} <= set(due[0])
    claimed = run_json(capsys, "sop", "next", *common, "--worker", "bot-1")
    assert (claimed["id"], claimed["claimed_by"]) == (due[0]["id"], "bot-1")
    checked = run(capsys, "sop", "check", "welfare-weekly", "--month", "2026-12", "--cap",
                  "1/month", "--json")  # fmt: skip
    assert checked[0] == 1  # errors found, as without --json
    report = json.loads(checked[1])
    assert report["errors"] >= 1
    assert report["problems"][0]["kind"] == "cap"
