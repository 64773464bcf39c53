"""Deterministic synthetic keyword lists and chat messages, for demos, benchmarks and tests.

The words mix Chinese spam vocabulary (two-part compounds such as
``低价代购``), English phrases and the obfuscated spellings spammers use
(``v信``, ``vx8``); the messages mix ordinary chat in both languages with a
share that carries one of the keywords. Same arguments, same output.

Example:
    >>> words = sample_keywords(2000)
    >>> len(words), len(set(words)), words == sample_keywords(2000)
    (2000, 2000, True)
    >>> msgs = sample_messages(words, 1000, spam_share=0.1)
    >>> 50 < sum(any(w in m for w in words) for m in msgs) < 150
    True
"""

from __future__ import annotations

import random

__all__ = ["sample_keywords", "sample_messages"]

_ZH_A = (
    "低价", "免费", "内部", "特价", "独家", "限时", "高额", "秒到", "无门槛", "正品",
    "批发", "私人", "专业", "官方", "包邮", "日结", "高仿", "隐藏", "超值", "爆款",
    "神秘", "一手", "保底", "躺赚", "稳赚", "急招", "秒杀", "捡漏", "清仓", "福利",
)  # fmt: skip
_ZH_B = (
    "代购", "领取", "优惠券", "红包", "返利", "兼职", "刷单", "贷款", "套现", "资源",
    "名额", "渠道", "货源", "代理", "彩票", "博彩", "股票群", "课程", "会员", "礼包",
    "提现", "加粉", "引流", "投资", "外挂", "账号", "折扣", "秘籍", "内推", "发货",
)  # fmt: skip
_EN_A = (
    "cheap", "free", "instant", "bulk", "vip", "hot", "secret", "exclusive", "limited",
    "crypto", "fast", "private", "discount", "easy", "bonus", "guaranteed", "replica",
    "wholesale", "passive", "daily",
)  # fmt: skip
_EN_B = (
    "followers", "loans", "giveaway", "profits", "coupons", "signals", "casino", "deals",
    "income", "likes", "tokens", "bags", "watches", "airdrop", "refund", "cashback",
    "leads", "jobs", "pills", "tickets",
)  # fmt: skip
_OBFUSCATED = ("v信", "vx", "wx", "薇", "威信", "扣扣", "q群", "tg")

_CHAT_ZH = (
    "大家好，很高兴加入这个群！", "今天的直播几点开始？", "谢谢群主分享，干货满满",
    "这个活动我报名了，期待", "有人一起拼团吗？", "收到，明天见", "早上好呀各位",
    "请问上次的课程回放在哪里看？", "哈哈哈太有意思了", "我也遇到过这个问题，重启就好了",
    "周末有空的话一起去爬山吧", "这个价格挺合适的", "刚下单了，坐等发货", "支持一下！",
)  # fmt: skip
_CHAT_EN = (
    "Hi everyone, nice to meet you!", "What time does the live stream start?",
    "Thanks for sharing, very helpful", "I signed up for the event", "See you tomorrow",
    "Good morning all", "Where can I find the recording?", "Haha that's hilarious",
    "Restarting fixed it for me", "Anyone up for a hike this weekend?",
)  # fmt: skip


def sample_keywords(n: int = 2000, *, seed: int = 7) -> list[str]:
    """``n`` distinct keywords, mixed Chinese and English, the same for the same arguments."""
    rng = random.Random(seed)
    pool = [a + b for a in _ZH_A for b in _ZH_B]
    pool += [f"{a} {b}" for a in _EN_A for b in _EN_B]
    pool += [f"加{o}{d}" for o in _OBFUSCATED for d in range(10)]
    pool += [f"{o}{d}{d}8" for o in ("vx", "wx", "qq") for d in range(10)]
    rng.shuffle(pool)
    if n > len(pool):
        extra = [f"{rng.choice(_ZH_A)}{rng.choice(_ZH_B)}{i}" for i in range(n - len(pool))]
        pool += extra
    return pool[:n]


def sample_messages(
    words: list[str], n: int = 1000, *, spam_share: float = 0.1, seed: int = 11
) -> list[str]:
    """``n`` chat messages; about ``spam_share`` of them embed one of ``words``."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        chat = rng.choice(_CHAT_ZH if rng.random() < 0.6 else _CHAT_EN)
        if words and rng.random() < spam_share:
            word = rng.choice(words)
            cut = rng.randrange(len(chat) + 1)
            chat = chat[:cut] + word + chat[cut:]
        elif rng.random() < 0.5:
            chat = chat + " " + rng.choice(_CHAT_ZH + _CHAT_EN)
        out.append(chat)
    return out
