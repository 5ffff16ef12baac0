import pytest

from monitoring.nlp import Analyzer
from monitoring.nlp.classifiers import MODEL_NAMES, MODELS_DIR, load_models, model_path

_MAX_TOTAL_BYTES = 40_000_000


def test_every_shipped_model_file_loads_with_its_labels() -> None:
    models = load_models(MODELS_DIR)

    assert models.zh_emotion.classes == ("angry", "fear", "happy", "neutral", "sad", "surprise")
    assert models.zh_polarity.classes == models.en_polarity.classes == ("negative", "neutral", "positive")
    assert models.zh_stacker.emotions == models.zh_emotion.classes
    assert models.zh_stacker.polarities == models.zh_polarity.classes


def test_shipped_models_stay_small() -> None:
    assert sum(model_path(MODELS_DIR, name).stat().st_size for name in MODEL_NAMES) < _MAX_TOTAL_BYTES


@pytest.mark.parametrize(
    ("text", "sentiment", "emotions"),
    [
        ("好害怕，地震了，吓死我了，大家注意安全", "negative", {"fear"}),
        ("气死了，客服一直推脱，再也不买了", "negative", {"angry"}),
        ("终于拿到offer了，太开心了！", "positive", {"happy"}),
        ("公司发布了新款手机，售价3999元", "neutral", {"neutral"}),
    ],
)
def test_shipped_chinese_models_classify_known_examples(text: str, sentiment: str, emotions: set[str]) -> None:
    analysis = Analyzer().analyze(text)

    assert (analysis.sentiment, analysis.emotion in emotions) == (sentiment, True)


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Absolutely love the new update, works perfectly!", "positive"),
        ("Worst airline ever, lost my bag and nobody helps", "negative"),
        ("The press conference is scheduled for 3pm on Tuesday", "neutral"),
    ],
)
def test_shipped_english_model_classifies_known_examples(text: str, sentiment: str) -> None:
    assert Analyzer().analyze(text).sentiment == sentiment


def test_shipped_chinese_sentiment_never_contradicts_a_dominant_emotion() -> None:
    texts = [
        "好害怕啊，但是大家都很好",
        "谢谢你，可是我好难过",
        "开心不起来，气死了",
        "太恐怖了，不过结局很美好",
        "哈哈哈哈笑死我了，太气人了",
    ]

    for analysis in Analyzer().analyze_batch(texts):
        if analysis.emotion in {"angry", "fear", "sad"}:
            assert analysis.sentiment != "positive", analysis
        if analysis.emotion == "happy":
            assert analysis.sentiment != "negative", analysis
