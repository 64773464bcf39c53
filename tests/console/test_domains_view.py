"""The console's Domains view and the create form's domain picker.

A module of its own: adding a domain makes the server answer by Host, so it
gets its own server (the ``served`` fixture is per module).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from .helpers import expect, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_domains_list_add_pick_and_remove(page: Any, served: SimpleNamespace) -> None:
    s = served.app.shortener
    sign_in(page, served)
    expect(page.get_by_test_id("domain")).to_be_hidden()
    page.get_by_test_id("nav-domains").click()
    expect(page.get_by_test_id("domains-msg")).to_have_text(
        "No domains: every link uses the server's own address."
    )
    page.get_by_test_id("domain-name").fill("go.brand-a.example")
    page.get_by_test_id("domain-base").fill("https://go.brand-a.example/x/")
    page.get_by_test_id("domain-add").click()
    expect(page.get_by_test_id("domains-msg")).to_have_text("Added go.brand-a.example")
    item = page.get_by_test_id("domain-go.brand-a.example")
    expect(item).to_contain_text("https://go.brand-a.example/x/")
    assert [d.name for d in s.domains.list()] == ["go.brand-a.example"]

    # A bad name: the API's problem detail is shown, nothing is added.
    page.get_by_test_id("domain-name").fill("not a host")
    page.get_by_test_id("domain-add").click()
    expect(page.get_by_test_id("domains-msg")).to_contain_text("The API refused")
    assert len(s.domains.list()) == 1

    # The create form now offers the domain; a link made on it gets its base URL.
    page.get_by_test_id("nav-create").click()
    page.get_by_test_id("advanced").locator("summary").click()
    picker = page.get_by_test_id("domain")
    expect(picker).to_be_visible()
    expect(picker.locator("option")).to_have_count(2)
    picker.select_option("go.brand-a.example")
    page.get_by_test_id("target-url").fill("https://brand-a.example/spring")
    page.locator("#create-form details:not(#advanced) > summary").click()
    page.get_by_test_id("alias").fill("spring")
    page.get_by_test_id("create").click()
    expect(page.get_by_test_id("short-url")).to_have_text("https://go.brand-a.example/x/spring")
    d = s.resolve("spring", host="go.brand-a.example")
    assert d.location == "https://brand-a.example/spring"

    # Removing it empties the list and hides the picker again.
    page.get_by_test_id("nav-domains").click()
    page.get_by_test_id("domain-remove-go.brand-a.example").click()
    expect(page.get_by_test_id("domains-msg")).to_have_text("Removed go.brand-a.example")
    expect(page.get_by_test_id("domain-go.brand-a.example")).to_have_count(0)
    assert s.domains.list() == []
    page.get_by_test_id("nav-create").click()
    expect(page.get_by_test_id("domain")).to_be_hidden()


def test_the_domains_view_in_chinese(page: Any, served: SimpleNamespace) -> None:
    sign_in(page, served)
    page.get_by_test_id("lang").click()
    page.get_by_test_id("nav-domains").click()
    expect(page.locator("#domains-h")).to_be_visible()
    assert page.locator("#domains-h").inner_text() == "域名"
    assert page.locator("label[for=domain-name]").inner_text() == "主机名"
    page.get_by_test_id("nav-create").click()
    page.get_by_test_id("advanced").locator("summary").click()
    assert page.get_by_test_id("advanced").locator("summary").inner_text() == "高级选项"
    page.get_by_test_id("add-variant").click()
    assert page.locator("label[for=variant-url-1]").inner_text() == "目标 B URL"
    page.get_by_test_id("lang").click()
    assert page.locator("label[for=variant-url-1]").inner_text() == "Variant B URL"


def test_a_domain_with_settings_for_its_links(page: Any, served: SimpleNamespace) -> None:
    """The add form's optional settings reach the API and shape what visitors get."""
    import httpx

    from .helpers import CHROME

    s = served.app.shortener
    sign_in(page, served)
    page.get_by_test_id("nav-domains").click()
    page.get_by_test_id("domain-name").fill("go.brand-b.example")
    page.get_by_test_id("domain-more").locator("summary").click()
    page.get_by_test_id("domain-guide-wechat").check()
    page.get_by_test_id("domain-404").fill("https://brand-b.example/404")
    page.get_by_test_id("domain-expired").fill("https://brand-b.example/over")
    expect(page.get_by_test_id("domain-pass-override")).to_be_disabled()
    page.get_by_test_id("domain-pass-query").check()
    page.get_by_test_id("domain-pass-override").check()
    page.get_by_test_id("domain-click-ids").check()
    page.get_by_test_id("domain-add").click()
    expect(page.get_by_test_id("domains-msg")).to_have_text("Added go.brand-b.example")
    expect(page.get_by_test_id("domain-settings-go.brand-b.example")).to_have_text(
        "anti-block policy · unknown codes → https://brand-b.example/404 · "
        "expired → https://brand-b.example/over · query passed on (visitor's win) · click ids"
    )
    # The form is empty again for the next domain.
    expect(page.get_by_test_id("domain-404")).to_have_value("")
    expect(page.get_by_test_id("domain-pass-override")).to_be_disabled()

    (d,) = s.domains.list()
    assert (d.not_found_url, d.expired_url, d.pass_query, d.click_ids) == (
        "https://brand-b.example/404",
        "https://brand-b.example/over",
        "override",
        True,
    )
    s.shorten("https://brand-b.example/sale?ref=s", alias="sale", domain="go.brand-b.example")
    host = {"Host": "go.brand-b.example"}
    with httpx.Client(base_url=served.url, timeout=10, follow_redirects=False) as http:
        missing = http.get("/nope", headers=host)
        assert (missing.status_code, missing.headers["location"]) == (
            302,
            "https://brand-b.example/404",
        )
        r = http.get("/sale", params={"ref": "poster"}, headers={**host, "User-Agent": CHROME})
        location = httpx.URL(r.headers["location"])
        assert location.path == "/sale"
        assert location.params["ref"] == "poster"  # passed on, the visitor's value wins
        assert location.params["suo_cid"]  # the domain's click ids
        wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47"
        guided = http.get("/sale", headers={**host, "User-Agent": wechat})
        assert guided.status_code == 200  # the domain's guide page for WeChat
    s.domains.remove("go.brand-b.example")
