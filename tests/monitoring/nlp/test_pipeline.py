import unicodedata

import pytest

from monitoring.nlp import Analyzer, TextAnalysis, get_analyzer


def test_traditional_input_keeps_original_and_analyses_simplified() -> None:
    analysis = Analyzer().analyze("這個產品質量太差了")

    assert analysis.text_nfc == "這個產品質量太差了"
    assert analysis.analysis_text == "这个产品质量太差了"
    assert analysis.script == "hant"


def test_text_without_chinese_is_analysed_as_is() -> None:
    analysis = Analyzer().analyze("Great Phone")

    assert analysis.analysis_text == analysis.text_nfc == "Great Phone"


def test_decomposed_characters_are_composed() -> None:
    decomposed = "cafe\u0301 au lait"

    analysis = Analyzer().analyze(decomposed)

    assert analysis.text_nfc == "caf\u00e9 au lait"
    assert unicodedata.is_normalized("NFC", analysis.text_nfc)
    assert analysis.tokens == ["café", "au", "lait"]


@pytest.mark.parametrize(
    "text",
    [
        "垃圾产品，质量太差了，我要投诉退款！",
        "客服态度恶劣，等了一个月还没退款，太失望了",
        "什么破手机，用了三天就坏了，气死我了",
    ],
)
def test_clear_chinese_complaints_are_negative(text: str) -> None:
    analysis = Analyzer().analyze(text)

    assert analysis.sentiment == "negative"
    assert analysis.sentiment_score > 0.5
    assert analysis.emotion in {"angry", "sad"}


@pytest.mark.parametrize("text", ["这款手机太好用了，拍照超清晰，非常满意！", "谢谢大家的祝福，今天真开心[哈哈]"])
def test_clear_chinese_praise_is_positive(text: str) -> None:
    analysis = Analyzer().analyze(text)

    assert analysis.sentiment == "positive"
    assert analysis.emotion == "happy"


def test_english_polarity() -> None:
    positive, negative = Analyzer().analyze_batch(
        ["I love this phone, great battery", "worst service ever, totally broken"]
    )

    assert (positive.language, positive.sentiment, positive.emotion) == ("en", "positive", None)
    assert (negative.sentiment, negative.emotion) == ("negative", None)


def test_languages_without_a_model_are_neutral_without_emotion() -> None:
    analysis = Analyzer().analyze("오늘 날씨가 정말 좋네요")

    assert (analysis.sentiment, analysis.sentiment_score, analysis.emotion) == ("neutral", 1 / 3, None)


@pytest.mark.parametrize("text", ["", "   ", "😀😀👍", "[哈哈]", "。。。"])
def test_empty_and_symbol_only_text_does_not_crash(text: str) -> None:
    analysis = Analyzer().analyze(text)

    assert analysis.sentiment in {"negative", "neutral", "positive"}
    assert 0.0 < analysis.sentiment_score <= 1.0


def test_empty_text_has_no_tokens() -> None:
    analysis = Analyzer().analyze("")

    assert (analysis.text_nfc, analysis.analysis_text, analysis.tokens) == ("", "", [])


def test_batch_matches_single_analyses_in_order() -> None:
    texts = ["服务太差了", "I love it", "", "今日はとても暑いですね", "臺北颱風災害"]
    analyzer = get_analyzer()

    batch = analyzer.analyze_batch(texts)

    assert batch == [analyzer.analyze(text) for text in texts]
    assert all(isinstance(a, TextAnalysis) for a in batch)


def test_scores_are_python_floats_within_zero_and_one() -> None:
    analysis = Analyzer().analyze("质量太差了")

    assert type(analysis.sentiment_score) is float
    assert type(analysis.emotion_score) is float
    assert analysis.emotion_score is not None and 0.0 < analysis.emotion_score <= 1.0
