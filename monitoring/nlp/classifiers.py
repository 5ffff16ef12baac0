"""The shipped linear models: plain arrays in joblib files, scored without scikit-learn objects."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp

from monitoring.nlp.features import FeatureSpec, tfidf
from monitoring.nlp.joint import PolarityStacker

MODELS_DIR = Path(__file__).resolve().parent / "models"
ZH_POLARITY = "zh_polarity"
ZH_EMOTION = "zh_emotion"
ZH_STACKER = "zh_polarity_stacker"
EN_POLARITY = "en_polarity"
MODEL_NAMES = (ZH_POLARITY, ZH_EMOTION, ZH_STACKER, EN_POLARITY)


@dataclass(frozen=True, slots=True)
class LinearTextModel:
    """Multinomial logistic regression over TF-IDF n-grams, with optional dense lexicon features after them."""

    classes: tuple[str, ...]
    spec: FeatureSpec
    idf: np.ndarray
    # Features × classes, the layout a CSR-times-dense product reads fastest.
    weights: np.ndarray
    lexicon_weights: np.ndarray
    intercept: np.ndarray

    def predict_proba(self, counts: sp.csr_matrix, lexicon: np.ndarray | None = None) -> np.ndarray:
        scores = np.asarray(tfidf(counts, self.idf) @ self.weights) + self.intercept
        if lexicon is not None:
            scores += lexicon @ self.lexicon_weights
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return np.asarray(scores)

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "spec": self.spec.to_dict(),
            "idf": self.idf,
            # Half precision halves the committed artifacts; the rounding moves no held-out score by more than noise.
            "weights": self.weights.astype(np.float16),
            "lexicon_weights": self.lexicon_weights,
            "intercept": self.intercept,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LinearTextModel":
        return cls(
            classes=tuple(data["classes"]),
            spec=FeatureSpec.from_dict(data["spec"]),
            idf=np.asarray(data["idf"], dtype=np.float32),
            weights=np.ascontiguousarray(data["weights"], dtype=np.float32),
            lexicon_weights=np.asarray(data["lexicon_weights"], dtype=np.float32),
            intercept=np.asarray(data["intercept"], dtype=np.float32),
        )


@dataclass(frozen=True, slots=True)
class ModelSet:
    zh_polarity: LinearTextModel
    zh_emotion: LinearTextModel
    # Chinese polarity as shown: zh_polarity and zh_emotion stacked, and made consistent with the emotion.
    zh_stacker: PolarityStacker
    en_polarity: LinearTextModel

    def zh_sentiment(self, emotion: np.ndarray, polarity: np.ndarray) -> np.ndarray:
        """Polarity probabilities of Chinese posts (columns negative, neutral, positive) from both models'."""
        return self.zh_stacker.combine(emotion, polarity)


def model_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.joblib"


def save_models(models: ModelSet, directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, model in _by_name(models).items():
        paths[name] = model_path(directory, name)
        joblib.dump(model.to_dict(), paths[name], compress=3)
    return paths


def load_models(directory: Path = MODELS_DIR) -> ModelSet:
    def linear(name: str) -> LinearTextModel:
        return LinearTextModel.from_dict(joblib.load(model_path(directory, name)))

    return ModelSet(
        zh_polarity=linear(ZH_POLARITY),
        zh_emotion=linear(ZH_EMOTION),
        zh_stacker=PolarityStacker.from_dict(joblib.load(model_path(directory, ZH_STACKER))),
        en_polarity=linear(EN_POLARITY),
    )


def _by_name(models: ModelSet) -> dict[str, LinearTextModel | PolarityStacker]:
    return {
        ZH_POLARITY: models.zh_polarity,
        ZH_EMOTION: models.zh_emotion,
        ZH_STACKER: models.zh_stacker,
        EN_POLARITY: models.en_polarity,
    }


@cache
def shipped_models() -> ModelSet:
    """The models in the package, loaded once per process."""
    return load_models(MODELS_DIR)
