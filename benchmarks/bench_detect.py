"""``suo.antiblock.detect`` against ``user_agents.parse`` and device-detector.

Speed on the same strings, distinct (every string seen for the first time:
suo's cache is cleared, the baselines get strings they have not parsed) and
repeated (the same strings again: suo answers from its LRU cache). Then
platform / OS / bot accuracy of all three on suo's labelled corpus
(tests/data/ua/corpus.jsonl); the baselines' answers are mapped to suo's
values by their browser and OS names.

Caveat on accuracy: the corpus's device-detector rows are labelled from
device-detector's own fixtures, which flatters device-detector on those rows.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._util import fmt_time, report

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "ua" / "corpus.jsonl"


def _fixture_uas(limit: int) -> list[str]:
    """Distinct real UAs from device-detector's fixtures (shipped in its wheel)."""
    import device_detector
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    folder = Path(device_detector.__file__).parent / "tests" / "fixtures" / "upstream"
    out: list[str] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yml")):
        for entry in yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []:
            if isinstance(entry, dict) and "user_agent" in entry:
                ua = str(entry["user_agent"])
                if ua not in seen:
                    seen.add(ua)
                    out.append(ua)
    random.Random(7).shuffle(out)
    return out[:limit]


def _per_item(fn: Callable[[str], Any], uas: list[str]) -> float:
    t0 = time.perf_counter()
    for ua in uas:
        fn(ua)
    return (time.perf_counter() - t0) / len(uas)


def _ua_platform(ua: str) -> tuple[str, str, bool]:
    import user_agents

    r = user_agents.parse(ua)
    fam = r.browser.family.lower()
    table = [
        ("wechat", "wechat"), ("qq browser", "qq_browser"), ("uc browser", "uc_browser"),
        ("instagram", "instagram"), ("facebook", "facebook"), ("line", "line"),
        ("baidu", "baidu"), ("weibo", "weibo"), ("snapchat", "snapchat"), ("tiktok", "tiktok"),
        ("twitter", "twitter"), ("linkedin", "linkedin"), ("telegram", "telegram"),
        ("dingtalk", "dingtalk"), ("alipay", "alipay"),
    ]  # fmt: skip
    platform = "bot" if r.is_bot else next((p for k, p in table if k in fam), "browser")
    return platform, _os_name(r.os.family), r.is_bot


def _dd_platform(ua: str) -> tuple[str, str, bool]:
    from device_detector import DeviceDetector

    d = DeviceDetector(ua).parse()
    if d.is_bot():
        return "bot", "any", True
    name = (d.client_name() or "").lower()
    table = [
        ("wechat", "wechat"), ("qq browser", "qq_browser"), ("uc browser", "uc_browser"),
        ("instagram", "instagram"), ("facebook", "facebook"), ("line", "line"), ("baidu", "baidu"),
        ("weibo", "weibo"), ("snapchat", "snapchat"), ("tiktok", "tiktok"), ("twitter", "twitter"),
        ("linkedin", "linkedin"), ("telegram", "telegram"), ("dingtalk", "dingtalk"),
        ("alipay", "alipay"), ("douyin", "douyin"), ("lark", "feishu"), ("newsarticle", "toutiao"),
    ]  # fmt: skip
    platform = "qq" if name == "qq" else next((p for k, p in table if k in name), "browser")
    return platform, _os_name(d.os_name() or ""), False


def _os_name(name: str) -> str:
    n = name.lower()
    if "harmony" in n:
        return "harmonyos"
    if n in ("ios", "ipados"):
        return "ios"
    for key, value in (("android", "android"), ("windows", "windows"), ("mac", "macos")):
        if n.startswith(key):
            return value
    if n in ("linux", "ubuntu", "gnu/linux", "debian", "fedora"):
        return "linux"
    return "other"


def _suo(ua: str) -> tuple[str, str, bool]:
    from suo.antiblock import detect

    c = detect(ua)
    return c.platform.value, c.os.value, c.is_bot


def _accuracy(
    fn: Callable[[str], tuple[str, str, bool]], rows: list[dict[str, Any]]
) -> tuple[float, float, float, int]:
    p = o = on = b = bt = fp = 0
    for r in rows:
        platform, os_, bot = fn(r["ua"])
        p += platform == r["platform"]
        if r["os"] != "any":
            on += 1
            o += os_ == r["os"]
        if r["is_bot"]:
            bt += 1
            b += bot
        elif bot:
            fp += 1
    return p / len(rows), o / on, b / bt, fp


def main(quick: bool) -> None:
    import user_agents

    from suo.antiblock import detect
    from suo.antiblock.detect import cache_clear

    n = 600 if quick else 3000
    pool = _fixture_uas(n + 400)
    same = pool[:n]
    dd_set = pool[n : n + (100 if quick else 300)]

    detect("warm up")
    user_agents.parse("warm up")

    # distinct: the same strings for both, runs interleaved so that machine load
    # hits both alike; suo's cache is cleared before each of its runs, and
    # user_agents keeps no cache between calls (its repeated time shows it)
    suo_runs, ua_runs = [], []
    for _ in range(3):
        cache_clear()
        suo_runs.append(_per_item(detect, same))
        ua_runs.append(_per_item(user_agents.parse, same))
    suo_distinct, ua_distinct = min(suo_runs), min(ua_runs)
    from device_detector import DeviceDetector

    cache_clear()
    suo_dd = _per_item(detect, dd_set)
    dd_distinct = _per_item(lambda u: DeviceDetector(u).parse(), dd_set)

    # the labelled corpus (in-app browsers, browsers, bots), distinct
    corpus = [
        json.loads(line)["ua"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line
    ]
    c_suo, c_ua = [], []
    for _ in range(2 if quick else 3):
        cache_clear()
        c_suo.append(_per_item(detect, corpus))
        c_ua.append(_per_item(user_agents.parse, corpus))

    # repeated: the same strings again (suo answers from its cache)
    suo_repeat = min(_per_item(detect, same) for _ in range(3))
    ua_repeat = _per_item(user_agents.parse, same[:300])

    report(
        "detect() speed",
        [
            (
                f"detect distinct ({n} strings)",
                suo_distinct,
                "user_agents.parse, same strings",
                ua_distinct,
            ),
            (
                f"detect corpus ({len(corpus)} strings)",
                min(c_suo),
                "user_agents.parse, corpus",
                min(c_ua),
            ),
            (
                f"detect distinct ({len(dd_set)} strings)",
                suo_dd,
                "device-detector, same strings",
                dd_distinct,
            ),
            ("detect repeated (cached)", suo_repeat, "user_agents.parse repeated", ua_repeat),
        ],
        target=">= 100x user_agents on distinct strings (ratio <= 0.01)",
    )
    print(f"speed-up on distinct strings: {ua_distinct / suo_distinct:.0f}x user_agents "
          f"({min(c_ua) / min(c_suo):.0f}x on the corpus), "
          f"{dd_distinct / suo_dd:.0f}x device-detector; cached detect: {fmt_time(suo_repeat)}")  # fmt: skip

    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    if quick:
        rows = rows[::3]
    print(f"\n## accuracy on the labelled corpus ({len(rows)} strings)")
    print(f"{'parser':<16} {'platform':>9} {'os':>7} {'bot recall':>11} {'people as bots':>15}")
    for label, fn in (
        ("suo.detect", _suo),
        ("user_agents", _ua_platform),
        ("device-detector", _dd_platform),
    ):
        p, o, b, fp = _accuracy(fn, rows)
        print(f"{label:<16} {p:>9.1%} {o:>7.1%} {b:>11.1%} {fp:>15}")
