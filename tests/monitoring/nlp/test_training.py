from pathlib import Path

import numpy as np

from monitoring.nlp import datasets
from monitoring.nlp.classifiers import load_models, save_models
from monitoring.nlp.evaluation import char_tfidf_lr, class_report, tfidf_svm
from monitoring.nlp.joint import POLARITIES, inconsistent
from monitoring.nlp.pipeline import Analyzer
from monitoring.nlp.training import TrainingData, fit_models

_ZH = {
    "happy": ["今天真开心，太棒了", "好喜欢这个，超级满意", "开心死了哈哈", "真好，谢谢大家"],
    "angry": ["气死我了，垃圾客服", "太过分了，投诉", "什么破东西，滚", "恶心，骗子公司"],
    "sad": ["好难过，想哭", "心碎了，太伤心", "失去了你好痛苦", "哭了一整夜"],
    "fear": ["好害怕，吓死了", "太恐怖了不敢出门", "担心得睡不着", "吓人，心慌"],
    "neutral": ["明天下午三点开会", "这款手机有三种颜色", "请查收附件", "地铁二号线今天运行"],
    "surprise": ["天哪，居然是真的", "没想到竟然这样", "哇，好意外", "震惊，怎么会"],
}
_EN = {
    "positive": ["love this, great day", "awesome game tonight", "so happy with it", "best concert ever"],
    "negative": ["worst service ever", "this is terrible", "hate waiting, awful", "broken again, so sad"],
    "neutral": ["the match starts at 8", "new episode on friday", "meeting moved to monday", "he plays for chelsea"],
}


def _labelled(by_label: dict[str, list[str]], copies: int = 3) -> datasets.Labelled:
    # Copies with a suffix give the stacker slice and its 5 cross-validation folds a few rows of each class.
    rows = [(f"{text} {i}", label) for label, texts in by_label.items() for text in texts for i in range(copies)]
    return datasets.Labelled([t for t, _ in rows], [y for _, y in rows])


def _tiny_data() -> TrainingData:
    extra = datasets.Labelled(["很好很满意", "差评，很失望"], ["positive", "negative"])
    return TrainingData(
        zh_emotion=_labelled(_ZH, copies=8),
        zh_polarity_extra=extra,
        zh_polarity_extra_weights=np.ones(len(extra)),
        en_polarity=_labelled(_EN),
    )


def test_training_and_baseline_comparison_run_on_a_tiny_sample(tmp_path: Path) -> None:
    data = _tiny_data()
    eval_zh = datasets.Labelled(["太开心了，满意", "垃圾，气死了", "下午开会"], ["positive", "negative", "neutral"])
    eval_en = datasets.Labelled(["great day, love it", "awful, hate it", "starts on monday"], list(POLARITIES[::-1]))

    models, report = fit_models(data, lambda _: None)
    save_models(models, tmp_path)
    loaded = load_models(tmp_path)
    analyzer = Analyzer(models=loaded)
    ours_zh = [a.sentiment for a in analyzer.analyze_batch(eval_zh.texts)]
    baseline_zh = char_tfidf_lr(data.zh_polarity(data.zh_emotion)[0], eval_zh.texts)
    baseline_en = tfidf_svm(data.en_polarity, eval_en.texts)

    assert set(report.stacker_cv_macro_f1) == {"polarity_model", "emotion_mapped", "stacked", "stacked_vetoed"}
    assert report.stacker_posts > 0
    assert set(ours_zh) <= set(POLARITIES)
    ours_report = class_report(eval_zh.labels, ours_zh, POLARITIES)
    baseline_report = class_report(eval_zh.labels, baseline_zh, POLARITIES)
    assert set(ours_report["per_class_f1"]) == set(baseline_report["per_class_f1"]) == set(POLARITIES)
    assert np.asarray(ours_report["confusion"]["matrix"]).sum() == len(eval_zh)
    assert len(baseline_en) == len(eval_en)


def test_shown_polarity_of_trained_models_never_contradicts_the_emotion() -> None:
    models, _ = fit_models(_tiny_data(), lambda _: None)
    texts = [text for texts in _ZH.values() for text in texts]
    analyses = Analyzer(models=models).analyze_batch(texts)

    negative = [a for a in analyses if a.emotion in {"angry", "fear", "sad"}]
    happy = [a for a in analyses if a.emotion == "happy"]
    assert all(a.sentiment != "positive" for a in negative)
    assert all(a.sentiment != "negative" for a in happy)


def test_class_report_counts_rows_as_true_labels() -> None:
    report = class_report(["positive", "negative", "negative"], ["positive", "positive", "negative"], POLARITIES)

    assert report["confusion"]["matrix"] == [[1, 0, 1], [0, 0, 0], [0, 0, 1]]
    assert report["per_class_f1"] == {"negative": 0.6667, "neutral": 0.0, "positive": 0.6667}


def test_inconsistent_flags_positive_with_dominant_fear() -> None:
    emotion = np.array([[0.0, 0.9, 0.1, 0.0, 0.0, 0.0]])

    flagged = inconsistent(np.array(["positive"]), emotion, ("angry", "fear", "happy", "neutral", "sad", "surprise"))

    assert flagged.tolist() == [True]
