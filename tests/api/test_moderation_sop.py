"""``/moderation/check`` and ``/sop/templates``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import icalendar

from .helpers import NOW, Api

SPAM = ["https://shop.example.com/deal", "加我微信 abc123 领优惠", "vx: shop8888 低价出"]


def _msg(text: str, at: Any = None, **member: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "community": {"id": "g1", "name": "读书会", "kind": "welfare"},
        "member": {"id": "alice", **member},
        "text": text,
    }
    if at is not None:
        body["at"] = at.isoformat()
    return body


def test_strikes_climb_the_ladder_in_the_store(api: Api) -> None:
    r = api.call("POST", "/moderation/check", "moderation", json=_msg("大家好！"))
    assert r.status_code == 200, r.text
    assert (r.json()["action"], r.json()["flagged"], r.json()["strikes"]) == ("allow", False, 0.0)
    actions = []
    for i, text in enumerate(SPAM, 1):
        v = api.call(
            "POST", "/moderation/check", json=_msg(text, NOW + timedelta(hours=2 * i))
        ).json()
        actions.append(v["action"])
        assert v["delete_message"] is True
        assert v["hits"]
        assert v["reasons"]
        assert (v["community_id"], v["member_id"]) == ("g1", "alice")
    assert actions == ["warn", "mute", "remove"]
    assert v["strikes"] == 3.0
    assert v["step"] == "remove"


def test_mute_has_an_end_and_owner_is_exempt(api: Api) -> None:
    api.call("POST", "/moderation/check", json=_msg(SPAM[0], NOW))
    v = api.call("POST", "/moderation/check", json=_msg(SPAM[1], NOW + timedelta(hours=1))).json()
    assert v["action"] == "mute"
    assert v["mute_until"] is not None
    owner = api.call(
        "POST", "/moderation/check", json=_msg(SPAM[0], NOW, id="boss", role="owner")
    ).json()
    assert owner["action"] == "allow"
    assert owner["hits"][0]["exempt"]


def test_a_community_without_id_starts_fresh_each_time(api: Api) -> None:
    body = _msg(SPAM[1], NOW)
    del body["community"]["id"]
    for _ in range(2):
        assert api.call("POST", "/moderation/check", json=body).json()["action"] == "warn"


def test_moderation_errors(api: Api) -> None:
    assert api.call("POST", "/moderation/check", "links:write", json=_msg("hi")).status_code == 403
    bad = _msg("hi")
    bad["community"]["kind"] = "secret"
    assert api.call("POST", "/moderation/check", json=bad).status_code == 422
    assert api.call("POST", "/moderation/check", json={"text": "hi"}).status_code == 422
    r = api.call("POST", "/moderation/check", json={**_msg("hi"), "at": "2026-12-01T09:00:00"})
    assert r.status_code == 422
    assert "at" in r.json()["detail"]


def test_sop_templates(api: Api) -> None:
    r = api.call("GET", "/sop/templates", "links:read")
    assert r.status_code == 200
    names = [t["name"] for t in r.json()["templates"]]
    assert names == ["flash-72h", "traffic-onboarding", "welfare-weekly"]
    welfare = r.json()["templates"][2]
    assert welfare["steps"][:2] == ["mon-quote", "mon-coupon"]
    assert welfare["tz"] == "Asia/Shanghai"


def test_sop_week(api: Api) -> None:
    r = api.call("GET", "/sop/templates/welfare-weekly/week?start=2026-W49")
    assert r.status_code == 200, r.text
    week = r.json()
    assert (week["week"], week["start"], week["end"]) == ("2026-W49", "2026-11-30", "2026-12-06")
    occ = week["occurrences"]
    assert len(occ) == 8
    assert (occ[0]["step"], occ[0]["at"]) == ("mon-quote", "2026-11-30T08:30:00+08:00")
    assert occ[-1]["step"] == "sun-next-week"
    # the same week from a date in it, and by default (the clock's week)
    assert (
        api.call("GET", "/sop/templates/welfare_weekly/week?start=2026-12-03").json()["occurrences"]
        == occ
    )
    assert api.call("GET", "/sop/templates/welfare-weekly/week").json()["week"] == "2026-W49"
    utc = api.call("GET", "/sop/templates/welfare-weekly/week?start=2026-W49&tz=UTC").json()
    assert utc["occurrences"][0]["at"] == "2026-11-30T00:30:00Z"


def test_sop_ical(api: Api) -> None:
    r = api.call("GET", "/sop/templates/welfare-weekly/ical?start=2026-11-30")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 8
    assert str(cal["x-wr-timezone"]) == "Asia/Shanghai"


def test_sop_errors(api: Api) -> None:
    assert api.call("GET", "/sop/templates/nope/week").status_code == 404
    assert api.call("GET", "/sop/templates/nope/ical").status_code == 404
    assert api.call("GET", "/sop/templates/welfare-weekly/week?start=2026-W60").status_code == 422
    assert api.call("GET", "/sop/templates/welfare-weekly/week?start=soon").status_code == 422
    assert api.call("GET", "/sop/templates/welfare-weekly/week?tz=Mars/Base").status_code == 422
    assert api.call("GET", "/sop/templates/welfare-weekly/ical?start=1900-01-01").status_code == 422
    assert api.call("GET", "/sop/templates", "stats:read").status_code == 403


def test_times_out_of_range_are_422_not_500(api: Api) -> None:
    for at in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"):
        r = api.call("POST", "/moderation/check", json={**_msg("hi"), "at": at})
        assert r.status_code == 422, at
        assert "between 1970 and 2200" in r.json()["detail"]
