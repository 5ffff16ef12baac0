"""Analyzer: normalise, detect, segment and classify social posts, one batch at a time."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from monitoring.nlp.classifiers import LinearTextModel, ModelSet, shipped_models
from monitoring.nlp.features import FeatureSpec, hashed_counts, lexicon_scores
from monitoring.nlp.joint import POLARITIES
from monitoring.nlp.language import detect_batch
from monitoring.nlp.normalize import to_nfc, to_simplified
from monitoring.nlp.segment import Segmenter

# Languages without a model get no opinion: neutral, at the uniform probability of three labels.
_UNSCORED = ("neutral", 1 / 3)


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """What one post says and how it is written.

    `text_nfc` is the text to keep and show; `analysis_text` its Simplified form, which `tokens` segment.
    `script` is hans, hant, latin, mixed, other or none; `language` an ISO 639-1 code or "und".
    `sentiment` is negative, neutral or positive, `sentiment_score` that label's probability. `emotion` (angry,
    fear, happy, neutral, sad, surprise) and its probability are given for Chinese posts only.
    """

    text_nfc: str
    analysis_text: str
    script: str
    language: str
    tokens: list[str]
    sentiment: str
    sentiment_score: float
    emotion: str | None
    emotion_score: float | None


@dataclass(frozen=True, slots=True)
class PreparedTexts:
    nfc: list[str]
    simplified: list[str]
    tokens: list[list[str]]


def prepare_texts(texts: Sequence[str], segmenter: Segmenter) -> PreparedTexts:
    """The normal form and tokens that documents, queries and the training data all share."""
    nfc = [to_nfc(text) for text in texts]
    simplified = [to_simplified(text) for text in nfc]
    return PreparedTexts(nfc=nfc, simplified=simplified, tokens=[segmenter.segment(text) for text in simplified])


class Analyzer:
    """Analyses posts for one tenant: `user_words` (brand and product names) always come out as single tokens."""

    def __init__(self, user_words: Iterable[str] = (), *, models: ModelSet | None = None) -> None:
        self._segmenter = Segmenter(user_words)
        self._models = models

    @property
    def models(self) -> ModelSet:
        return self._models if self._models is not None else shipped_models()

    def analyze(self, text: str) -> TextAnalysis:
        return self.analyze_batch([text])[0]

    def analyze_batch(self, texts: Sequence[str]) -> list[TextAnalysis]:
        prepared = prepare_texts(texts, self._segmenter)
        detected = detect_batch(prepared.nfc, prepared.simplified)
        sentiments: list[tuple[str, float]] = [_UNSCORED] * len(texts)
        emotions: list[tuple[str | None, float | None]] = [(None, None)] * len(texts)

        chinese = [i for i, (_, language) in enumerate(detected) if language == "zh"]
        # Undetermined Latin text and emoji-only posts are most often English, and VADER reads emoji.
        english = [
            i
            for i, (script, language) in enumerate(detected)
            if language == "en"
            or (language == "und" and script == "latin")
            or (script == "none" and prepared.tokens[i])
        ]
        models = self.models
        if chinese:
            polarity, emotion = classify([models.zh_polarity, models.zh_emotion], prepared, chinese)
            shown = models.zh_sentiment(emotion, polarity)
            for i, sentiment, feeling in zip(
                chinese, _labels(POLARITIES, shown), _labels(models.zh_emotion.classes, emotion), strict=True
            ):
                sentiments[i] = sentiment
                emotions[i] = feeling
        if english:
            (polarity,) = classify([models.en_polarity], prepared, english)
            for i, sentiment in zip(english, _labels(models.en_polarity.classes, polarity), strict=True):
                sentiments[i] = sentiment

        return [
            TextAnalysis(
                text_nfc=prepared.nfc[i],
                analysis_text=prepared.simplified[i],
                script=script,
                language=language,
                tokens=prepared.tokens[i],
                sentiment=sentiments[i][0],
                sentiment_score=sentiments[i][1],
                emotion=emotions[i][0],
                emotion_score=emotions[i][1],
            )
            for i, (script, language) in enumerate(detected)
        ]

    def query_tokens(self, text: str) -> list[str]:
        return prepare_texts([text], self._segmenter).tokens[0]


def classify(models: Sequence[LinearTextModel], prepared: PreparedTexts, indices: Sequence[int]) -> list[np.ndarray]:
    """Class probabilities of the selected texts under each model; models with one feature spec share one pass."""
    simplified = [prepared.simplified[i] for i in indices]
    tokens = [prepared.tokens[i] for i in indices]
    counts: dict[FeatureSpec, sp.csr_matrix] = {}
    probabilities = []
    for model in models:
        if model.spec not in counts:
            counts[model.spec] = hashed_counts(model.spec, simplified, tokens)
        lexicon = lexicon_scores(model.spec, [prepared.nfc[i] for i in indices]) if model.spec.lexicon_scale else None
        probabilities.append(model.predict_proba(counts[model.spec], lexicon))
    return probabilities


def _labels(classes: Sequence[str], proba: np.ndarray) -> list[tuple[str, float]]:
    best = proba.argmax(axis=1)
    scores = proba[np.arange(len(best)), best]
    return [(classes[b], float(s)) for b, s in zip(best.tolist(), scores.tolist(), strict=True)]


@lru_cache(maxsize=64)
def get_analyzer(user_words: frozenset[str] = frozenset()) -> Analyzer:
    """One analyzer per tenant dictionary; all of them share the models loaded once per process."""
    return Analyzer(user_words)
