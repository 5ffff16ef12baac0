"""The words a topic is made of: a post's tokens without stopwords, links, handles, numbers and emoticon codes."""

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

import stopwordsiso

# Weibo emoticon codes ([哈哈], [doge]) say how people feel, not what they talk about: they count for the topic's
# emotion, never as its terms.
EMOTICON = re.compile(r"^\[[^\[\]\s]{1,8}\]$")
_NOISE = re.compile(r"^(?:\d+(?:[.,:]\d+)*|[a-z]|.*\..*|https?|www|amp)$")
# What the platforms themselves write into a post ("转发微博" on a repost without words, "RT" on a retweet).
_BOILERPLATE = frozenset(
    ["转发", "微博", "转发微博", "回复", "评论", "网页", "链接", "网页链接", "全文", "展开", "收起", "rt", "via", "cc"]
)


@cache
def stopwords() -> frozenset[str]:
    return frozenset(stopwordsiso.stopwords(["zh", "en"])) | _BOILERPLATE


def topic_terms(tokens: Iterable[str]) -> Counter[str]:
    """Term counts of one post's tokens (already lowercased by segmentation)."""
    stop = stopwords()
    return Counter(
        token
        for token in tokens
        if len(token) > 1 and token not in stop and not EMOTICON.match(token) and not _NOISE.match(token)
    )
