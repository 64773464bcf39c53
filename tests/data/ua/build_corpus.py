"""Rebuild ``corpus.jsonl``: real User-Agent strings from public fixtures, labelled.

Run from the repository root: ``.venv/bin/python tests/data/ua/build_corpus.py``.

Sources (each line of the corpus names its own):

* ``device-detector``: matomo-org/device-detector ``Tests/fixtures/*.yml`` as shipped
  in the ``device-detector`` PyPI package (``device_detector/tests/fixtures/upstream``).
  Labels come from the fixture's own client name and OS family, mapped to suo's
  values by the tables below; where the fixture is known to be wrong for our
  question, the override is explicit (the Android QQ app, whose fixture says
  "QQ Browser" because of the X5 ``MQQBrowser`` token, is labelled ``qq``).
* ``crawler-user-agents``: the ``instances`` of monperrus/crawler-user-agents.
* ``extra.jsonl``: strings copied by hand from other public fixtures and tests
  (ua-parser-js, inapp-spy, and test files of public repositories); each has
  its repository and path, and its labels were written by hand.

Labels are never computed by suo's own detector: the corpus is an independent check.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import yaml

HERE = Path(__file__).parent

CLIENT = {
    "WeChat": "wechat", "QQ": "qq", "QQ Browser": "qq_browser", "QQ Browser Mini": "qq_browser",
    "QQ Browser Lite": "qq_browser", "Alipay": "alipay", "DingTalk": "dingtalk",
    "Sina Weibo": "weibo", "Douyin": "douyin", "NewsArticle App": "toutiao", "Lark": "feishu",
    "Baidu Box App": "baidu", "Baidu Box App Lite": "baidu", "Baidu Browser": "baidu",
    "UC Browser": "uc_browser", "UC Browser Turbo": "uc_browser", "UC Browser Mini": "uc_browser",
    "Facebook": "facebook", "Facebook Lite": "facebook", "Facebook Messenger": "facebook",
    "Facebook Messenger Lite": "facebook", "Facebook Groups": "facebook",
    "Instagram": "instagram", "Line": "line", "Twitter": "twitter", "LinkedIn": "linkedin",
    "Telegram": "telegram", "TikTok": "tiktok", "Snapchat": "snapchat",
}  # fmt: skip
OS_FAMILY = {
    "Android": "android",
    "iOS": "ios",
    "Windows": "windows",
    "Mac": "macos",
    "GNU/Linux": "linux",
}
# Per-label sample sizes for ordinary browsers by OS and for bots.
BROWSER_SAMPLE = {
    "android": 70,
    "ios": 45,
    "windows": 40,
    "macos": 25,
    "linux": 20,
    "harmonyos": 15,
}
APP_CAP = 30


def _fixture_dir() -> Path:
    import device_detector

    return Path(device_detector.__file__).parent / "tests" / "fixtures" / "upstream"


def _load_dd() -> list[dict[str, object]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    rows = []
    for path in sorted(_fixture_dir().glob("*.yml")):
        for entry in yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []:
            if isinstance(entry, dict) and "user_agent" in entry:
                entry["_file"] = path.name
                rows.append(entry)
    return rows


def _dd_os(entry: dict[str, object]) -> str | None:
    os_ = entry.get("os") or {}
    name = os_.get("name") if isinstance(os_, dict) else None
    if name in ("HarmonyOS", "OpenHarmony"):
        return "harmonyos"
    return OS_FAMILY.get(str(entry.get("os_family")))


def main() -> None:
    rng = random.Random(20261125)
    out: list[dict[str, object]] = []
    seen: set[str] = set()

    def add(ua: str, platform: str, os_: str, source: str, *, bot: bool = False,
            preview: bool = False) -> None:  # fmt: skip
        if ua in seen:
            return
        seen.add(ua)
        out.append({"ua": ua, "platform": platform, "os": os_, "is_bot": bot,
                    "is_preview": preview, "source": source})  # fmt: skip

    dd = _load_dd()
    src = "matomo-org/device-detector Tests/fixtures/{}"
    apps: dict[str, list[tuple[str, str, str]]] = {}
    browsers: dict[str, list[tuple[str, str]]] = {}
    for e in dd:
        ua = str(e["user_agent"])
        device = e.get("device") or {}
        dtype = device.get("type") if isinstance(device, dict) else None
        if e.get("bot") or e.get("headers"):
            continue  # client-hint rows are labelled from headers, not from the UA
        if dtype not in ("smartphone", "tablet", "phablet", "desktop"):
            continue  # phones, tablets and computers: the traffic links get
        client = e.get("client") or {}
        name = client.get("name") if isinstance(client, dict) else None
        ctype = client.get("type") if isinstance(client, dict) else None
        os_ = _dd_os(e)
        if os_ is None:
            continue
        label = CLIENT.get(str(name))
        if " QQ/" in ua and ("V1_AND_SQ_" in ua or "V1_IPH_SQ_" in ua) and "TIM/" not in ua:
            label = "qq"  # the QQ app; the fixture names its X5 web view
        if label is not None:
            apps.setdefault(label, []).append((ua, os_, str(e["_file"])))
        elif ctype == "browser" and ua.startswith("Mozilla/"):
            browsers.setdefault(os_, []).append((ua, str(e["_file"])))
    for label, items in sorted(apps.items()):
        rng.shuffle(items)
        for ua, os_, f in items[:APP_CAP]:
            add(ua, label, os_, src.format(f))
    for os_, n in BROWSER_SAMPLE.items():
        items = browsers.get(os_, [])
        rng.shuffle(items)
        for ua, f in items[:n]:
            add(ua, "browser", os_, src.format(f))

    bots = [e for e in dd if e.get("bot") and isinstance(e.get("bot"), dict)]
    named = [e for e in bots if e["bot"].get("name") != "Generic Bot"]
    rng.shuffle(named)
    for e in named[:90]:
        add(str(e["user_agent"]), "bot", _dd_os(e) or "any", src.format("bots.yml"), bot=True)

    from crawleruseragents import CRAWLER_USER_AGENTS_DATA

    entries = list(CRAWLER_USER_AGENTS_DATA)
    rng.shuffle(entries)
    taken = 0
    for entry in entries:
        instances = [
            i for i in entry.get("instances", []) if i.startswith(("Mozilla", entry["pattern"][:3]))
        ]
        if not instances or entry["pattern"] in ("AP3A\\.240617\\.008",):
            continue
        add(
            instances[0],
            "bot",
            "any",
            "monperrus/crawler-user-agents crawler-user-agents.json",
            bot=True,
        )
        taken += 1
        if taken >= 60:
            break

    for line in (HERE / "extra.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            add(row["ua"], row["platform"], row["os"], row["source"],
                bot=row.get("is_bot", False), preview=row.get("is_preview", False))  # fmt: skip

    with (HERE / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(out)} strings")


if __name__ == "__main__":
    main()
