import pytest

from monitoring.nlp import Analyzer


@pytest.mark.parametrize(
    ("text", "script", "language"),
    [
        ("今天天气很好，我们去公园散步吧", "hans", "zh"),
        ("今天天氣很好，我們去公園散步吧", "hant", "zh"),
        ("我最想說的那句就是：最狠那個人就是你。", "hant", "zh"),
        # A Simplified post with one stray Traditional character is still Simplified.
        ("剩下的钱嗎不知去了哪里，给家里了三万多", "hans", "zh"),
        ("This is the best phone I have ever owned", "latin", "en"),
        ("今日はとても暑いですね、アイスを食べたい", "other", "ja"),
        ("오늘 날씨가 정말 좋네요", "other", "ko"),
        ("这个 update 把 battery life 搞坏了 so annoying", "mixed", "zh"),
        ("我买了iPhone", "hans", "zh"),
        ("", "none", "und"),
        ("😀😀👍", "none", "und"),
        ("!!! ... ???", "none", "und"),
    ],
)
def test_script_and_language(text: str, script: str, language: str) -> None:
    analysis = Analyzer().analyze(text)

    assert (analysis.script, analysis.language) == (script, language)


def test_a_batch_detects_each_post_as_it_would_alone() -> None:
    # Neighbouring posts must not leak into each other's counts: "iPhone" ends one post and "update" starts the next.
    posts = ["我买了iPhone", "update battery 搞坏了很多", "", "今日はとても暑いですね", "这个很好", "ok"]
    analyzer = Analyzer()

    together = analyzer.analyze_batch(posts)

    assert [(a.script, a.language) for a in together] == [
        (a.script, a.language) for a in (analyzer.analyze(post) for post in posts)
    ]
    assert [a.script for a in together] == ["hans", "mixed", "none", "other", "hans", "latin"]
