"""One real User-Agent per platform: what a simulated visitor's phone sends.

The simulator does not decide who gets a guide page; it hands each visit's
User-Agent to :meth:`suo.Shortener.resolve`, which detects the client and
asks the access policy, as it does for real traffic. The strings below are
taken from public User-Agent test corpora (device-detector, ua-parser-js)
and are Android phones where the corpus has one; a test checks that
:func:`suo.antiblock.detect` reads each as its platform.

Example:
    >>> from suo.antiblock import detect
    >>> detect(AGENTS["wechat"]).platform.value
    'wechat'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["AGENTS", "BROWSER"]

AGENTS: Mapping[str, str] = MappingProxyType(
    {
        "alipay": "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/100.0 Mobile Safari/537.36 AlipayClient/10.5.86",
        "baidu": "Mozilla/5.0 (Linux; Android 12; SUP-BD00 Build/HinovaSUP-BD00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/97.0.4692.98 Mobile Safari/537.36 T7/13.25 SP-engine/2.63.0 baiduboxapp/13.25.0.10 (Baidu; P1 12) NABar/1.0",
        "browser": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "dingtalk": "Mozilla/5.0 (Linux; U; Android 8.1.0; zh-CN; COL-AL10 Build/HUAWEICOL-AL10) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/40.0.2214.89 UCBrowser/11.6.4.950 UWS/2.11.0.47 Mobile Safari/537.36 AliApp(DingTalk/4.3.7) com.alibaba.android.rimet/0 Channel/227200 language/zh-CN",
        "douyin": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 aweme_29.3.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/zh",
        "facebook": "Mozilla/5.0 (Linux; U; Android 4.1.2; es-ar; LG-E987 Build/JZO54K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30 [FB_IAB/FB4A;FBAV/28.0.0.20.16;]",
        "feishu": "Mozilla/5.0 (Linux; Android 17; SM-F9710 Build/CP2A.260605.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/147.0.7727.137 Mobile Safari/537.36 Lark/7.73.11 LarkLocale/zh_CN ChannelName/Feishu appid/482431; appname/Feishu;",
        "instagram": "Mozilla/5.0 (Linux; Android 4.4.2; iQ1890 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/30.0.0.0 Mobile Safari/537.36 Instagram 10.29.0 Android (19/4.4.2; 320dpi; 720x1280; MLS; iQ1890; iQ1890; mt6592; el_GR)",
        "kuaishou": "Mozilla/5.0 (Linux; Android 10; VCE-AL00 Build/HUAWEIVCE-AL00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/90.0.4430.226 KsWebView/1.8.90.469 (rel;r) Mobile Safari/537.36 Yoda/2.8.1-rc3 Kwai/10.3.20.24977",
        "line": "Mozilla/5.0 Linux; Android 5.1; BQ-5052 Build/LMY47D AppleWebKit/537.36 KHTML, like Gecko Version/4.0 Chrome/39.0.0.0 Mobile Safari/537.36 Line/7.1.3/IAB",
        "linkedin": "Mozilla/5.0 (iPhone; CPU iPhone OS 15_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]",
        "qq": "Mozilla/5.0 (Linux; Android 13; V2232A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/6.2 TBS/046613 Mobile Safari/537.36 V1_AND_SQ_8.9.80_4614_YYB_D QQ/8.9.80.12440 NetType/WIFI",
        "qq_browser": "Mozilla/5.0 (Linux; U; Android 5.1; zh-cn; OWWO Q8 Build/LMY47D) AppleWebKit/537.36 (KHTML, like Gecko)Version/4.0 MQQBrowser/5.4 Mobile Safari/537.36",
        "snapchat": "Mozilla/5.0 (Linux; Android 12; Pixel 6 Pro Build/SQ3A.220605.009.A1; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/102.0.5005.125 Mobile Safari/537.36Snapchat11.83.0.31 (Pixel 6 Pro; Android 12#8643238#32; gzip; )",
        "taobao": "Mozilla/5.0 (Linux; U; Android 5.1.1; zh-cn; SM-G6000 Build/LMY47X) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 UCBrowser/1.0.0.100 U3/0.8.0 Mobile Safari/534.30 AliApp(TB/6.2.3) WindVane/8.0.0 720X1280 GCanvas/1.4.2.21",
        "telegram": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36 Telegram-Android/11.2.2 (Google Pixel 8; Android 14; SDK 34; HIGH)",
        "tiktok": "Mozilla/5.0 (Linux; Android 11; 6025H_EEA Build/RP1A.200720.011; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/91.0.4472.120 Mobile Safari/537.36 trill_2022003030 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/20.7.5 ByteLocale/en ByteFullLocale/en Region/US",
        "toutiao": "Dalvik/2.1.0 (Linux; U; Android 6.0.1; MI 4 LTE MIUI/V7.3.2.0.MXDCNDD) NewsArticle/5.1.3",
        "twitter": "Mozilla/5.0 (Linux; Android 14; A301SH Build/S5080; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 TwitterAndroid",
        "uc_browser": "UCWEB/2.0 (MIDP-2.0; U; Adr 8.1.0; ru; Redmi_6) U2/1.0.0 UCBrowser/9.0.1.379 U2/1.0.0 Mobile",
        "wechat": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/111.0 Mobile Safari/537.36 MicroMessenger/8.0.49",
        "wecom": "Mozilla/5.0 (Linux; Android 9.0; BKL-AL20 Build/HUAWEIBKL-AL20; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/57.0.2987.132 MQQBrowser/6.2 TBS/044409 Mobile Safari/537.36 wxwork/2.7.2 MicroMessenger/6.3.22 NetType/WIFI Language/zh",
        "weibo": "Mozilla/5.0 (Linux; U; Android 4.2.2; zh-cn; Evo 3D GSM Build/JDQ39E) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30HTC-Evo 3D GSM__weibo__4.2.6__android__android4.2.2",
        "xiaohongshu": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 xhsdiscover/8.0",
    }
)
"""Platform value -> a User-Agent that :func:`suo.antiblock.detect` reads as it.
Every :class:`~suo.antiblock.Platform` a person can use is here (``bot`` is not)."""

BROWSER = AGENTS["browser"]
"""The system browser a visitor escapes to from a guide page."""
