"""The console's advanced options (issue 15): password, A/B split, expired destination, pass-through.

Each test makes or edits a link in the browser, then checks what a visitor
gets from the real server over HTTP (httpx) and what the management API says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from .helpers import CHROME, GROUP, expect, png_of, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Open-Sesame-42"


def open_advanced(page: Any) -> None:
    if not page.get_by_test_id("advanced").evaluate("d => d.open"):
        page.get_by_test_id("advanced").locator("summary").click()


def open_edit(page: Any) -> None:
    if not page.locator("#edit-box").evaluate("d => d.open"):
        page.locator("#edit-box summary").click()


def made_code(page: Any, served: SimpleNamespace) -> str:
    short = page.get_by_test_id("short-url")
    short.wait_for(state="visible")
    url = short.inner_text().strip()
    assert url.startswith(served.url + "/"), url
    return url.rsplit("/", 1)[1]


def api_link(served: SimpleNamespace, code: str) -> dict[str, Any]:
    r = httpx.get(
        f"{served.url}/api/v1/links/{code}",
        headers={"Authorization": f"Bearer {served.key}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def eventually(check: Callable[[], bool]) -> None:
    """Wait (up to 15 s; the machine may be busy) until ``check()`` holds."""
    deadline = time.monotonic() + 15
    while not check():
        assert time.monotonic() < deadline, "the condition did not come true"
        time.sleep(0.05)


def test_a_password_link_made_in_the_console(page: Any, served: SimpleNamespace) -> None:
    s = served.app.shortener
    sign_in(page, served)
    page.get_by_test_id("target-url").fill("https://shop.example.com/vip")
    open_advanced(page)
    # No domain is configured: the picker is not shown.
    expect(page.get_by_test_id("domain")).to_be_hidden()
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("create").click()
    code = made_code(page, served)
    # Write-only: the field is emptied once sent.
    expect(page.get_by_test_id("password")).to_have_value("")

    url = f"{served.url}/{code}"
    with httpx.Client(timeout=10, follow_redirects=False, headers={"User-Agent": CHROME}) as http:
        gate = http.get(url)
        assert gate.status_code == 401
        assert 'name="password"' in gate.text
        assert http.post(url, data={"password": "not-it"}).status_code == 401
        assert s.stats(code).clicks == 0
        ok = http.post(url, data={"password": PASSWORD})
        assert ok.status_code == 303
        assert ok.headers["location"] == "https://shop.example.com/vip"
    eventually(lambda: s.stats(code).clicks == 1)

    shown = api_link(served, code)
    assert shown["protected"] is True
    assert PASSWORD not in str(shown)

    # The link's page says "protected" and never shows the password back.
    page.get_by_test_id("result-page").click()
    expect(page.get_by_test_id("link-protected")).to_be_visible()
    expect(page.get_by_test_id("link-protected")).to_have_text("protected")
    open_edit(page)
    expect(page.get_by_test_id("edit-password")).to_have_value("")
    assert PASSWORD not in page.content()

    # Removing the password from the edit form opens the link again.
    page.get_by_test_id("edit-unprotect").check()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")
    expect(page.get_by_test_id("link-protected")).to_be_hidden()
    assert api_link(served, code)["protected"] is False
    r = httpx.get(url, headers={"User-Agent": CHROME}, timeout=10, follow_redirects=False)
    assert r.status_code == 302


def test_an_ab_link_with_two_variants(page: Any, served: SimpleNamespace) -> None:
    sign_in(page, served)
    page.get_by_test_id("target-url").fill("https://shop.example.com/ab")
    open_advanced(page)
    # The first "add" gives the two rows a split needs; a third row can be removed again.
    page.get_by_test_id("add-variant").click()
    expect(page.get_by_test_id("variants").locator(".variant")).to_have_count(2)
    page.get_by_test_id("add-variant").click()
    expect(page.get_by_test_id("variants").locator(".variant")).to_have_count(3)
    page.get_by_test_id("variant-remove-1").click()
    expect(page.get_by_test_id("variants").locator(".variant")).to_have_count(2)
    assert page.locator("label[for=variant-url-1]").inner_text() == "Variant B URL"

    page.get_by_test_id("variant-url-0").fill("https://shop.example.com/a")
    page.get_by_test_id("variant-weight-0").fill("70")
    page.get_by_test_id("variant-url-1").fill("https://shop.example.com/b")
    page.get_by_test_id("variant-weight-1").fill("30")
    page.get_by_test_id("variants-until").fill("2031-06-30T12:00")
    page.get_by_test_id("create").click()
    code = made_code(page, served)

    shown = api_link(served, code)
    assert [(v["name"], v["url"], v["weight"]) for v in shown["variants"]] == [
        ("A", "https://shop.example.com/a", 70),
        ("B", "https://shop.example.com/b", 30),
    ]
    assert shown["variants_until"].startswith("2031-06-30")
    r = httpx.get(
        f"{served.url}/{code}", headers={"User-Agent": CHROME}, timeout=10, follow_redirects=False
    )
    assert r.headers["location"] in ("https://shop.example.com/a", "https://shop.example.com/b")

    # The link page shows the split, and the edit form lists the rows to change.
    page.get_by_test_id("result-page").click()
    expect(page.get_by_test_id("link-ab")).to_have_text("A/B: A 70 · B 30")
    open_edit(page)
    expect(page.get_by_test_id("edit-variant-url-1")).to_have_value("https://shop.example.com/b")
    page.get_by_test_id("edit-variant-weight-1").fill("50")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")
    assert [v["weight"] for v in api_link(served, code)["variants"]] == [70, 50]

    # A single row is not a split: the console says so and sends nothing.
    page.get_by_test_id("edit-variant-remove-1").click()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_contain_text("at least 2 variants")
    assert len(api_link(served, code)["variants"]) == 2


def test_the_winner_and_a_visitor_first_pass_through(page: Any, served: SimpleNamespace) -> None:
    """Pick the variant everyone gets once the split ends, and let the visitor's
    query win over the target's, at creation and in the edit form."""
    s = served.app.shortener
    sign_in(page, served)
    page.get_by_test_id("target-url").fill("https://shop.example.com/ab?ref=s")
    open_advanced(page)
    # The visitor-first choice only means something once the query is passed on.
    expect(page.get_by_test_id("pass-override")).to_be_disabled()
    page.get_by_test_id("pass-query").check()
    page.get_by_test_id("pass-override").check()
    page.get_by_test_id("add-variant").click()
    page.get_by_test_id("variant-url-0").fill("https://shop.example.com/a?ref=s")
    page.get_by_test_id("variant-url-1").fill("https://shop.example.com/b?ref=s")
    # The picker lists the rows there are: the first (A) by default, then B.
    expect(page.get_by_test_id("winner").locator("option")).to_have_count(2)
    page.get_by_test_id("winner").select_option(label="B")
    page.get_by_test_id("variants-until").fill("2020-01-01T00:00")  # already over
    page.get_by_test_id("create").click()
    code = made_code(page, served)
    shown = api_link(served, code)
    assert (shown["pass_query"], shown["winner"]) == ("override", 1)
    with httpx.Client(timeout=10, follow_redirects=False, headers={"User-Agent": CHROME}) as http:
        r = http.get(f"{served.url}/{code}", params={"ref": "poster"})
        # The split is over: everyone gets B; the visitor's ref wins.
        assert r.headers["location"] == "https://shop.example.com/b?ref=poster"

    page.get_by_test_id("result-page").click()
    open_edit(page)
    expect(page.get_by_test_id("edit-winner").locator("option:checked")).to_have_text("B")
    expect(page.get_by_test_id("edit-pass-override")).to_be_checked()
    page.get_by_test_id("edit-winner").select_option("")
    page.get_by_test_id("edit-pass-override").uncheck()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")
    shown = api_link(served, code)
    assert (shown["pass_query"], shown["winner"]) == ("merge", None)
    link = s.get(code)
    assert link.extras is not None
    assert link.extras.winner is None
    with httpx.Client(timeout=10, follow_redirects=False, headers={"User-Agent": CHROME}) as http:
        r = http.get(f"{served.url}/{code}", params={"ref": "poster"})
        assert r.headers["location"] == "https://shop.example.com/a?ref=s"  # A; the target wins

    # Turning pass-through off clears (and disables) the visitor-first choice.
    open_edit(page)
    page.get_by_test_id("edit-pass-override").check()
    page.get_by_test_id("edit-pass-query").uncheck()
    expect(page.get_by_test_id("edit-pass-override")).to_be_disabled()
    expect(page.get_by_test_id("edit-pass-override")).not_to_be_checked()


def test_the_winner_follows_its_row_when_rows_above_it_go(
    page: Any, served: SimpleNamespace
) -> None:
    sign_in(page, served)
    page.get_by_test_id("target-url").fill("https://shop.example.com/abc")
    open_advanced(page)
    page.get_by_test_id("add-variant").click()
    page.get_by_test_id("add-variant").click()
    for i, name in enumerate("abc"):
        page.get_by_test_id(f"variant-url-{i}").fill(f"https://shop.example.com/{name}")
    page.get_by_test_id("winner").select_option(label="C")
    page.get_by_test_id("variant-remove-1").click()  # B goes: C is now the second row
    expect(page.get_by_test_id("winner").locator("option:checked")).to_have_text("B")
    page.get_by_test_id("create").click()
    code = made_code(page, served)
    shown = api_link(served, code)
    assert [v["url"] for v in shown["variants"]] == [
        "https://shop.example.com/a",
        "https://shop.example.com/c",
    ]
    assert shown["winner"] == 1  # still c

    # In the edit form: a row put in front of the winner moves its index with it.
    page.get_by_test_id("result-page").click()
    open_edit(page)
    page.get_by_test_id("edit-add-variant").click()
    page.get_by_test_id("edit-variant-url-2").fill("https://shop.example.com/d")
    page.get_by_test_id("edit-variant-remove-0").click()  # a goes: c is first now
    page.get_by_test_id("edit-winner").select_option(label="B")  # d
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")
    shown = api_link(served, code)
    assert [v["url"] for v in shown["variants"]] == [
        "https://shop.example.com/c",
        "https://shop.example.com/d",
    ]
    assert shown["winner"] == 1  # d


def test_expired_destination_and_pass_through(page: Any, served: SimpleNamespace) -> None:
    sign_in(page, served)
    page.get_by_test_id("target-url").fill("https://shop.example.com/sale?ref=s")
    page.locator("#create-form details:not(#advanced) > summary").click()
    page.get_by_test_id("cap").fill("1")
    open_advanced(page)
    page.get_by_test_id("expired-url").fill("https://shop.example.com/next-sale")
    page.get_by_test_id("pass-query").check()
    page.get_by_test_id("create").click()
    code = made_code(page, served)
    shown = api_link(served, code)
    assert (shown["expired_url"], shown["pass_query"]) == (
        "https://shop.example.com/next-sale",
        "merge",
    )

    url = f"{served.url}/{code}"
    with httpx.Client(timeout=10, follow_redirects=False, headers={"User-Agent": CHROME}) as http:
        first = http.get(url, params={"utm_source": "group12", "ref": "x"})
        assert first.status_code == 302
        # Passed on; the target's own ref wins.
        assert first.headers["location"] == "https://shop.example.com/sale?ref=s&utm_source=group12"
        # The cap of 1 is used up: the expired destination, not the 410 page.
        eventually(lambda: served.app.shortener.stats(code).clicks == 1)
        used_up = http.get(url)
        assert used_up.status_code == 302
        assert used_up.headers["location"] == "https://shop.example.com/next-sale"


def test_the_edit_form_sets_and_clears_pass_through_and_the_expired_url(
    page: Any, served: SimpleNamespace
) -> None:
    s = served.app.shortener
    code = s.shorten("https://shop.example.com/p?ref=s", max_clicks=2).code
    url = f"{served.url}/{code}"
    sign_in(page, served)
    page.goto(served.console + "#/link/" + code)
    expect(page.get_by_test_id("link-target")).to_have_text("https://shop.example.com/p?ref=s")
    expect(page.get_by_test_id("link-pass")).to_be_hidden()
    open_edit(page)
    page.get_by_test_id("edit-expired-url").fill("https://shop.example.com/over")
    page.get_by_test_id("edit-pass-query").check()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")
    expect(page.get_by_test_id("link-pass")).to_be_visible()
    # Only the changed fields were sent: the policy stays as it was (none).
    link = s.get(code)
    assert link.policy is None
    assert link.extras is not None
    assert link.extras.expired_url == "https://shop.example.com/over"

    with httpx.Client(timeout=10, follow_redirects=False, headers={"User-Agent": CHROME}) as http:
        r = http.get(url, params={"utm_source": "poster"})
        assert r.headers["location"] == "https://shop.example.com/p?ref=s&utm_source=poster"

    open_edit(page)
    page.get_by_test_id("edit-pass-query").uncheck()
    page.get_by_test_id("edit-expired-url").fill("")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")
    shown = api_link(served, code)
    assert (shown["pass_query"], shown["expired_url"]) == (None, None)
    with httpx.Client(timeout=10, follow_redirects=False, headers={"User-Agent": CHROME}) as http:
        r = http.get(url, params={"utm_source": "poster"})
        assert r.headers["location"] == "https://shop.example.com/p?ref=s"
        eventually(lambda: s.stats(code).clicks == 2)
        assert http.get(url).status_code == 410  # no expired destination any more


def test_the_edit_form_sets_a_new_password(page: Any, served: SimpleNamespace) -> None:
    s = served.app.shortener
    code = s.shorten("https://shop.example.com/members").code
    url = f"{served.url}/{code}"
    sign_in(page, served)
    page.goto(served.console + "#/link/" + code)
    expect(page.get_by_test_id("link-target")).to_have_text("https://shop.example.com/members")
    expect(page.get_by_test_id("link-protected")).to_be_hidden()
    open_edit(page)
    expect(page.get_by_test_id("edit-unprotect")).to_be_hidden()  # nothing to remove yet
    page.get_by_test_id("edit-password").fill("Members-Only-7")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("edit-msg")).to_have_text("Saved.")
    expect(page.get_by_test_id("link-protected")).to_be_visible()
    expect(page.get_by_test_id("edit-password")).to_have_value("")
    expect(page.get_by_test_id("edit-unprotect")).to_be_visible()
    with httpx.Client(timeout=10, follow_redirects=False, headers={"User-Agent": CHROME}) as http:
        assert http.get(url).status_code == 401
        assert http.post(url, data={"password": "Members-Only-7"}).status_code == 303


def test_a_live_code_refuses_the_advanced_options(
    page: Any, served: SimpleNamespace, tmp_path: Path
) -> None:
    s = served.app.shortener
    before = len(s.links(limit=1000).links)
    sign_in(page, served)
    page.get_by_test_id("qr-file").set_input_files(str(png_of(GROUP, tmp_path, "group.png")))
    expect(page.get_by_test_id("live-note")).to_be_visible()
    open_advanced(page)
    page.get_by_test_id("password").fill("no-such-thing")
    page.get_by_test_id("create").click()
    expect(page.get_by_test_id("create-msg")).to_contain_text("not to live codes")
    assert len(s.links(limit=1000).links) == before
