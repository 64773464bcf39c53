"""Client detection: accuracy on the labelled corpus, every trap, the cache, invariants."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suo.antiblock import OS, Client, Platform, details, detect
from suo.antiblock.detect import MAX_UA_LENGTH, cache_clear, cache_info
from suo.errors import InvalidInput

CORPUS = Path(__file__).resolve().parents[1] / "data" / "ua" / "corpus.jsonl"


def load_corpus() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


ROWS = load_corpus()


def test_corpus_is_large_and_sourced() -> None:
    assert len(ROWS) >= 500
    assert all(row["source"].strip() for row in ROWS)
    assert len({row["ua"] for row in ROWS}) == len(ROWS)


def test_corpus_covers_every_platform_value() -> None:
    assert {row["platform"] for row in ROWS} == {p.value for p in Platform}


def test_platform_accuracy_at_least_99_percent() -> None:
    wrong = [(r["platform"], detect(r["ua"]).platform.value, r["ua"]) for r in ROWS
             if detect(r["ua"]).platform.value != r["platform"]]  # fmt: skip
    accuracy = 1 - len(wrong) / len(ROWS)
    assert accuracy >= 0.99, wrong


def test_os_accuracy_at_least_97_percent() -> None:
    rows = [r for r in ROWS if r["os"] != "any"]
    wrong = [
        (r["os"], detect(r["ua"]).os.value, r["ua"])
        for r in rows
        if detect(r["ua"]).os.value != r["os"]
    ]
    assert 1 - len(wrong) / len(rows) >= 0.97, wrong


def test_bot_recall_at_least_95_percent_and_no_browser_is_a_bot() -> None:
    bots = [r for r in ROWS if r["is_bot"]]
    missed = [r["ua"] for r in bots if not detect(r["ua"]).is_bot]
    assert 1 - len(missed) / len(bots) >= 0.95, missed
    people = [r["ua"] for r in ROWS if not r["is_bot"] and detect(r["ua"]).is_bot]
    assert people == []


def test_every_app_platform_is_recognised_in_the_corpus() -> None:
    right = Counter(r["platform"] for r in ROWS if detect(r["ua"]).platform.value == r["platform"])
    for platform in Platform:
        assert right[platform.value] >= 1, platform


def test_preview_fetchers_in_the_corpus_are_previews() -> None:
    previews = [r for r in ROWS if r["is_preview"]]
    assert len(previews) >= 8
    for r in previews:
        c = detect(r["ua"])
        assert (c.platform, c.is_bot, c.is_preview) == (Platform.BOT, True, True), r["ua"]


# -- the known traps, one by one ------------------------------------------------

WECOM_IOS = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
             "Gecko) Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh ColorScheme/Light")  # fmt: skip
WECHAT_X5 = ("Mozilla/5.0 (Linux; U; Android 5.1; zh-cn; Lenovo K50-t5 Build/LMY47D) AppleWebKit/533.1 "
             "(KHTML, like Gecko)Version/4.0 MQQBrowser/5.4 TBS/025478 Mobile Safari/533.1 "
             "MicroMessenger/6.3.5.50_r1573191.640 NetType/WIFI Language/zh_CN")  # fmt: skip
QQ_ANDROID = ("Mozilla/5.0 (Linux; Android 12; PEGM00 Build/SKQ1.210216.001; wv) AppleWebKit/537.36 (KHTML, "
              "like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/6.2 TBS/046295 Mobile Safari/537.36 "
              "V1_AND_SQ_8.9.58_4108_YYB_D A_8095800 QQ/8.9.58.11175 NetType/WIFI WebP/0.3.0")  # fmt: skip
QQ_BROWSER = ("Mozilla/5.0 (Linux; U; Android 13; zh-cn; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/14.3 Mobile Safari/537.36")  # fmt: skip
TIM = ("Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "Mobile/14G60 QQ/103.3 TIM/3.3.5.545 V1_IPH_SQ_8.4.8_335_TIM_D Pixel/750 Core/WKWebView")  # fmt: skip
TENCENT_DOCS = ("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                "Mobile/15E148 QQ/7.2.0.0 TencentDocs/3.1.7 Pixel/1668 Core/WKWebView")  # fmt: skip
SOGOU_IOS = ("Mozilla/5.0 (iPhone; CPU iPhone OS 14_8_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
             "Gecko) Version/14.0 MQQBrowser/12.0.0 Mobile/15E148 Safari/604.1 SogouMSE/12.0.0")  # fmt: skip
LINE_IOS = ("Mozilla/5.0 (iPhone; CPU iPhone OS 11_2_6 like Mac OS X) AppleWebKit/604.5.6 (KHTML, like "
            "Gecko) Mobile/15D100 Safari Line/8.4.1")  # fmt: skip
BEELINE = ("Mozilla/5.0 (Linux; Android 4.1.1; Beeline E700) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/71.0.3578.99 Mobile Safari/537.36")  # fmt: skip
LINEAGE = ("Mozilla/5.0 (Linux; Android 11; lineage_j5y17lte Build/RQ2A.210305.006) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Version/4.0 Chrome/88.0.4324.152 Mobile Safari/537.36")  # fmt: skip
CRONET = ("com.google.android.apps.searchlite/101032 (Linux; U; Android 8.1.0; ru_RU; M580; Build/O11019; "
          "Cronet/74.0.3729.182)")  # fmt: skip
LARK_APP = ("Mozilla/5.0 (Linux; Android 17; SM-F9710 Build/CP2A.260605.016; wv) AppleWebKit/537.36 (KHTML, "
            "like Gecko) Version/4.0 Chrome/147.0.7727.137 Mobile Safari/537.36 Lark/7.73.11 LarkLocale/zh_CN")  # fmt: skip
LARK_PHONE = ("Mozilla/5.0 (Linux; Android 4.4.2; Lark Cirrus 4.5 Build/KOT49H) AppleWebKit/537.36 (KHTML, "
              "like Gecko) Chrome/72.0.3626.121 Mobile Safari/537.36 OPR/51.2.2461.137690")  # fmt: skip
TIKTOK = ("Mozilla/5.0 (iPhone; CPU iPhone OS 14_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Mobile/15E148 musical_ly_21.1.0 JsSdk/2.0 ByteLocale/ru BytedanceWebview/d8a21c6")  # fmt: skip
DOUYIN = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Mobile/15E148 aweme_29.3.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/zh")  # fmt: skip
HARMONY_DING = ("Mozilla/5.0 (Linux; U; Android 10; zh-CN; BLM-00 Build/HUAWEIBLM-00) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.1.228 Mobile Safari/537.36 "
                "AliApp(DingTalk/6.5.30) com.alibaba.android.rimet/25293052 Pad/APad Hmos/1")  # fmt: skip
HARMONY_NEXT = "com.huawei.hmos.browser (2in1;OpenHarmony-6.0.2.130;HAD-W24) NetworkSDK/8.0.10.309"
WINDOWS_WECHAT = ("Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/39.0.2171.95 Safari/537.36 MicroMessenger/6.5.2.501 NetType/WIFI WindowsWechat "
                  "QBCore/3.43.901.400 QQBrowser/9.0.2524.400")  # fmt: skip
DINGTALK_WIN = ("Mozilla/5.0 (Windows NT 6.2; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "dingtalk-win/1.0.0 nw(0.14.7) DingTalk(4.7.15-Release.4) Mojo/1.0.0 Native AppType(release)")  # fmt: skip
CUBOT = ("Mozilla/5.0 (Linux; Android 10; CUBOT X30 Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, "
         "like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36")  # fmt: skip
BUILD_ID = ("Mozilla/5.0 (Linux; Android 15; CPH2581 Build/AP3A.240617.008; ) AppleWebKit/537.36 (KHTML, "
            "like Gecko) Version/4.0 Chrome/141.0.7390.122 Mobile Safari/537.36")  # fmt: skip
META_IAB = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Mobile/22G100 Safari/604.1 MetaIAB Facebook")  # fmt: skip


@pytest.mark.parametrize(
    ("ua", "platform", "os_"),
    [
        pytest.param(WECOM_IOS, Platform.WECOM, OS.IOS, id="wecom-carries-micromessenger"),
        pytest.param(
            WECHAT_X5, Platform.WECHAT, OS.ANDROID, id="android-wechat-carries-mqqbrowser"
        ),
        pytest.param(QQ_ANDROID, Platform.QQ, OS.ANDROID, id="qq-app-android"),
        pytest.param(QQ_BROWSER, Platform.QQ_BROWSER, OS.ANDROID, id="qq-browser"),
        pytest.param(TIM, Platform.BROWSER, OS.IOS, id="tim-is-not-qq"),
        pytest.param(TENCENT_DOCS, Platform.BROWSER, OS.IOS, id="tencent-docs-is-not-qq"),
        pytest.param(SOGOU_IOS, Platform.BROWSER, OS.IOS, id="sogou-carries-mqqbrowser"),
        pytest.param(LINE_IOS, Platform.LINE, OS.IOS, id="line"),
        pytest.param(BEELINE, Platform.BROWSER, OS.ANDROID, id="beeline-is-not-line"),
        pytest.param(LINEAGE, Platform.BROWSER, OS.ANDROID, id="lineage-is-not-line"),
        pytest.param(LARK_APP, Platform.FEISHU, OS.ANDROID, id="lark-app"),
        pytest.param(LARK_PHONE, Platform.BROWSER, OS.ANDROID, id="lark-phone-brand"),
        pytest.param(TIKTOK, Platform.TIKTOK, OS.IOS, id="bytedancewebview-tiktok"),
        pytest.param(DOUYIN, Platform.DOUYIN, OS.IOS, id="douyin"),
        pytest.param(HARMONY_DING, Platform.DINGTALK, OS.HARMONYOS, id="harmonyos-says-android"),
        pytest.param(HARMONY_NEXT, Platform.BROWSER, OS.HARMONYOS, id="harmonyos-next"),
        pytest.param(WINDOWS_WECHAT, Platform.WECHAT, OS.WINDOWS, id="desktop-wechat"),
        pytest.param(DINGTALK_WIN, Platform.DINGTALK, OS.WINDOWS, id="desktop-dingtalk"),
        pytest.param(CUBOT, Platform.BROWSER, OS.ANDROID, id="cubot-phone-is-not-a-bot"),
        pytest.param(BUILD_ID, Platform.BROWSER, OS.ANDROID, id="build-id-in-crawler-list"),
        pytest.param(CRONET, Platform.BROWSER, OS.ANDROID, id="cronet-is-not-a-crawler"),
        pytest.param(META_IAB, Platform.FACEBOOK, OS.IOS, id="meta-iab-in-crawler-list"),
        pytest.param(
            "Mozilla/5.0 (Linux; Android 7.0; KLIPAD_V355B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/76.0.3809.132 Mobile Safari/537.36",
            Platform.BROWSER,
            OS.ANDROID,
            id="device-name-contains-ipad",
        ),
        pytest.param(
            "Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i; Android; rv:48.0) Gecko/48.0 "
            "Firefox/48.0 KAIOS/2.5",
            Platform.BROWSER,
            OS.ANDROID,
            id="kaios-is-not-ios",
        ),
        pytest.param(
            "Mozilla/5.0 (Linux; U; Android 2.3.5; en-us; Ouki_A18 Build/MocorDroid2.3.5) UC "
            "AppleWebKit/530+ (KHTML, like Gecko) Mobile Safari/530",
            Platform.UC_BROWSER,
            OS.ANDROID,
            id="old-uc-token",
        ),
        pytest.param(
            "Mozilla/5.0 (Linux; Andr0id 10; BRAVIA VH1) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/84.0.4147.125 Safari/537.36 OPR/46.0.2207.0 OMI/4.21.0.273.D",
            Platform.BROWSER,
            OS.ANDROID,
            id="obfuscated-android-tv",
        ),
    ],
)
def test_traps(ua: str, platform: Platform, os_: OS) -> None:
    c = detect(ua)
    assert (c.platform, c.os, c.is_bot) == (platform, os_, False)


def test_bytedance_webview_alone_follows_the_locale() -> None:
    base = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 BytedanceWebview/d8a21c6"
    assert detect(base + " ByteLocale/zh-Hans").platform is Platform.DOUYIN
    assert detect(base + " ByteLocale/en").platform is Platform.TIKTOK


def test_desktop_wechat_is_not_mobile_and_phones_are() -> None:
    assert detect(WINDOWS_WECHAT).is_mobile is False
    assert detect(WECHAT_X5).is_mobile is True
    assert detect(WECOM_IOS).is_mobile is True


def test_app_versions() -> None:
    assert detect(WECOM_IOS).app_version == "4.1.22"
    assert detect(QQ_ANDROID).app_version == "8.9.58.11175"
    assert detect(WECHAT_X5).app_version == "6.3.5.50"
    assert detect(TIKTOK).app_version == "21.1.0"
    assert detect(CUBOT).app_version is None


@pytest.mark.parametrize(
    ("ua", "preview"),
    [
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
        ("TelegramBot (like TwitterBot)", True),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", True),
        ("WhatsApp/2.24.20.80 A", True),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", False),
        (
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
            False,
        ),
        ("curl/8.5.0", False),
        ("Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0; baidu Transcoder;)", False),
        ("python-requests/2.31.0", False),
    ],
)
def test_bots_and_previews(ua: str, preview: bool) -> None:
    c = detect(ua)
    assert (c.platform, c.is_bot, c.is_preview) == (Platform.BOT, True, preview)


def test_whatsapp_in_app_browser_is_a_person() -> None:
    ua = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/141.0.7390.124 Mobile Safari/537.36 [WA4A/2.25.32.75;]")  # fmt: skip
    assert detect(ua).is_bot is False


def test_empty_ua_is_an_unknown_browser() -> None:
    assert detect("") == Client(Platform.BROWSER, OS.OTHER, user_agent="")


def test_non_string_is_rejected_with_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="User-Agent"):
        detect(None)  # type: ignore[arg-type]


def test_cache_hits_and_clear() -> None:
    cache_clear()
    first = detect(WECOM_IOS)
    assert cache_info()["misses"] == 1
    assert detect(WECOM_IOS) is first
    assert cache_info()["hits"] == 1
    assert cache_info()["size"] == 1
    cache_clear()
    assert cache_info()["size"] == 0


def test_long_and_non_ascii_uas_cannot_evict_the_main_cache() -> None:
    from suo.antiblock.detect import LONG_CACHE_SIZE, SHORT_UA

    cache_clear()
    first = detect(WECOM_IOS)
    assert len(WECOM_IOS) <= SHORT_UA
    for i in range(LONG_CACHE_SIZE * 3):
        # A flood of distinct long UAs (each kept alive by the cache): only
        # the small cache turns over.
        assert detect(f"{WECOM_IOS} {i:06d}" + " x" * SHORT_UA).platform is Platform.WECOM
        assert detect(f"{WECOM_IOS} 微信 {i}").platform is Platform.WECOM
    info = cache_info()
    assert info["long_size"] == LONG_CACHE_SIZE
    assert info["size"] == LONG_CACHE_SIZE + 1
    assert detect(WECOM_IOS) is first  # still cached


def test_oversize_ua_is_cut_and_not_cached() -> None:
    cache_clear()
    ua = WECOM_IOS + " x" * MAX_UA_LENGTH
    assert detect(ua).platform is Platform.WECOM
    assert cache_info()["size"] == 0


def test_details_adds_browser_and_device() -> None:
    d = details(QQ_BROWSER)
    assert d["platform"] == "qq_browser"
    assert d["os_name"] == "Android"
    assert d["browser"]
    assert "QQ" in d["browser"]


@given(st.text(max_size=300))
def test_detect_never_fails_and_is_consistent(ua: str) -> None:
    c = detect(ua)
    assert (c.platform is Platform.BOT) == c.is_bot
    assert not c.is_preview or c.is_bot
    assert c.user_agent == ua[:MAX_UA_LENGTH]
    cache_clear()
    assert detect(ua) == c


@given(st.sampled_from([r["ua"] for r in ROWS]), st.text(alphabet=" ;/()._-abc123", max_size=20))
def test_trailing_noise_keeps_in_app_platform(ua: str, noise: str) -> None:
    # Apps append tokens over time; appending harmless text never turns an app into a bot.
    before = detect(ua)
    if before.is_bot or before.platform is Platform.BROWSER:
        return
    after = detect(ua + " " + noise.replace("bot", "b0t"))
    assert after.platform is before.platform
