"""Benchmark: compile 5,000 realistic monitoring rules and match 1,000 synthetic posts against them.

Run from the project root: `uv run python -m bench.rules_match`. Prints the numbers and writes
bench/results/rules_match.json. Segmentation (rjieba) happens before timing: it belongs to the NLP stage.
"""

import json
import random
import statistics
import time
from pathlib import Path

import rjieba

from monitoring.rules import MatchDocument, RuleSet

SEED = 20_240_601
RULES = 5_000
POSTS = 1_000
RESULTS = Path(__file__).parent / "results" / "rules_match.json"

# Vocabulary tables read better dense than one word per line.
# fmt: off
BRANDS_ZH = [
    "小米", "华为", "比亚迪", "蔚来", "理想汽车", "小鹏", "特斯拉", "苹果", "海底捞", "瑞幸", "星巴克", "农夫山泉",
    "伊利", "蒙牛", "美团", "京东", "拼多多", "淘宝", "抖音", "腾讯", "网易", "百度", "茅台", "五粮液", "格力",
    "美的", "海尔", "联想", "大疆", "蜜雪冰城", "喜茶", "奈雪", "三只松鼠", "李宁", "安踏", "波司登", "完美日记",
    "花西子", "元气森林", "钟薛高", "长城汽车", "吉利", "长安汽车", "极氪", "问界", "东方甄选", "携程", "滴滴",
    "饿了么", "肯德基", "麦当劳", "汉堡王", "必胜客", "优衣库", "宜家", "欧莱雅", "雅诗兰黛", "兰蔻", "娃哈哈",
    "康师傅", "统一", "青岛啤酒", "雪花啤酒", "中国移动", "中国联通", "招商银行", "平安保险", "顺丰", "中通",
    "圆通",
]
PRODUCTS_ZH = [
    "SU7", "Mate60", "汉EV", "ES6", "L9", "Model Y", "iPhone15", "火锅", "生椰拿铁", "冰淇淋", "酸奶", "外卖",
]
BRANDS_EN = [
    "Tesla", "Apple", "Nike", "Adidas", "Samsung", "Boeing", "Toyota", "Starbucks", "McDonald's", "Uber", "Airbnb",
    "Netflix", "Amazon", "Google", "Meta", "Sony", "Nestle", "Unilever", "Shein", "Temu", "TikTok", "Zara",
]
ISSUES_ZH = [
    "投诉", "召回", "质量", "爆炸", "退款", "维权", "致歉", "道歉", "起火", "自燃", "刹车失灵", "食品安全", "过期",
    "虚假宣传", "欺诈", "泄露", "隐私", "罚款", "裁员", "欠薪", "中毒", "异物", "断供", "涨价", "翻车", "塌房",
    "抵制", "曝光", "调查", "立案", "诉讼", "315", "质量问题", "售后", "差评",
]
ISSUES_EN = [
    "recall", "lawsuit", "boycott", "refund", "outage", "breach", "explosion", "apology", "scandal", "fraud",
    "layoffs", "fire", "injury", "defect", "investigation", "fine", "complaint", "strike", "leak", "hack",
]
PHRASES_EN = [
    "data breach", "class action", "customer service", "product recall", "safety issue",
]
EXCLUSIONS = [
    "广告", "抽奖", "转发", "招聘", "代购", "giveaway", "sponsored", "hiring",
]
PLATFORMS = [
    "weibo", "wechat", "douyin", "xiaohongshu", "bilibili", "zhihu", "x", "news", "forum", "reddit",
]
FILLER_ZH = [
    "今天", "网友", "表示", "发现", "我们", "已经", "消费者", "门店", "客服", "回应", "官方", "昨天", "视频",
    "非常", "生气", "希望", "尽快", "解决", "有人", "说", "真的", "太", "了", "的", "在", "这次", "事件", "热搜",
    "上了", "大家", "评论区", "怎么看", "。", "\N{FULLWIDTH COMMA}", "\N{FULLWIDTH EXCLAMATION MARK}",
    "\N{FULLWIDTH QUESTION MARK}",
]
FILLER_EN = [
    "the", "customers", "said", "today", "after", "a", "video", "went", "viral", "company", "responded", "to",
    "reports", "of", "users", "are", "angry", "about", "new", "this", "week", "statement", "in", "and", ".", ",",
]
# fmt: on


def quote(term: str) -> str:
    return f'"{term}"' if " " in term or not term.isalnum() else term


def any_of(rng: random.Random, words: list[str], low: int, high: int) -> str:
    picked = rng.sample(words, rng.randint(low, high))
    return quote(picked[0]) if len(picked) == 1 else "(" + " OR ".join(quote(w) for w in picked) + ")"


def make_rule(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.75:
        brand = any_of(rng, BRANDS_ZH + PRODUCTS_ZH, 1, 3)
        rule = f"{brand} AND {any_of(rng, ISSUES_ZH, 1, 5)}"
        if rng.random() < 0.4:
            rule += f" AND NOT {any_of(rng, EXCLUSIONS, 1, 3)}"
        if rng.random() < 0.2:
            rule += f" AND platform:{any_of(rng, PLATFORMS, 1, 3)}"
        return rule
    if roll < 0.9:
        brand = any_of(rng, BRANDS_EN, 1, 2)
        issue = any_of(rng, ISSUES_EN + PHRASES_EN, 1, 4)
        return f"{brand} {issue} lang:en" if rng.random() < 0.3 else f"{brand} AND {issue}"
    if roll < 0.98:
        brand = quote(rng.choice(BRANDS_ZH + BRANDS_EN))
        return f"{brand} NEAR/{rng.randint(2, 8)} {quote(rng.choice(ISSUES_ZH + ISSUES_EN))}"
    return f'author_id:{rng.randint(1, 10**6)} OR author:"{rng.choice(BRANDS_ZH)}官方"'


def make_post(rng: random.Random) -> tuple[str, str, str]:
    """Text, platform and language of one post; a third mention no brand at all, as in a real firehose."""
    english = rng.random() < 0.25
    filler, brands, issues = (
        (FILLER_EN, BRANDS_EN, ISSUES_EN + PHRASES_EN) if english else (FILLER_ZH, BRANDS_ZH + PRODUCTS_ZH, ISSUES_ZH)
    )
    words = rng.choices(filler, k=rng.randint(15, 60))
    if rng.random() < 0.67:
        words.insert(rng.randrange(len(words)), rng.choice(brands))
    for _ in range(rng.randint(0, 2)):
        words.insert(rng.randrange(len(words)), rng.choice(issues))
    if rng.random() < 0.1:
        words.append(rng.choice(EXCLUSIONS))
    text = " ".join(words) if english else "".join(words)
    return text, rng.choice(PLATFORMS), "en" if english else "zh"


def main() -> None:
    rng = random.Random(SEED)
    rules = [(index, make_rule(rng)) for index in range(RULES)]
    posts = [make_post(rng) for _ in range(POSTS)]
    docs = [
        MatchDocument(text=text, tokens=rjieba.cut(text), platform=platform, language=language, author_id="42")
        for text, platform, language in posts
    ]

    started = time.perf_counter()
    rule_set = RuleSet(rules)
    compile_seconds = time.perf_counter() - started

    rule_set.match_batch(docs[:50])  # warm the token cache and the converter as a running worker would be
    started = time.perf_counter()
    matched = rule_set.match_batch(docs)
    batch_seconds = time.perf_counter() - started

    per_post = []
    for doc in docs:
        started = time.perf_counter()
        rule_set.match(doc)
        per_post.append(time.perf_counter() - started)
    quantiles = statistics.quantiles(per_post, n=100)

    results = {
        "rules": RULES,
        "posts": POSTS,
        "compile_seconds": round(compile_seconds, 4),
        "match_batch_seconds": round(batch_seconds, 4),
        "posts_per_second": round(POSTS / batch_seconds),
        "p50_per_post_ms": round(quantiles[49] * 1000, 4),
        "p95_per_post_ms": round(quantiles[94] * 1000, 4),
        "mean_matches_per_post": round(sum(map(len, matched)) / POSTS, 2),
        "posts_with_a_match": sum(1 for keys in matched if keys),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
