"""The shipped linear models: plain arrays in joblib files, scored without scikit-learn objects."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp

from monitoring.nlp.features import FeatureSpec, tfidf

MODELS_DIR = Path(__file__).resolve().parent / "models"
ZH_POLARITY = "zh_polarity"
ZH_EMOTION = "zh_emotion"
EN_POLARITY = "en_polarity"
MODEL_NAMES = (ZH_POLARITY, ZH_EMOTION, EN_POLARITY)


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
    en_polarity: LinearTextModel


def model_path(directory: Path, name: str) -> Path:
    return directory / f"{name}.joblib"


def save_model(model: LinearTextModel, directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = model_path(directory, name)
    joblib.dump(model.to_dict(), path, compress=3)
    return path


def load_models(directory: Path = MODELS_DIR) -> ModelSet:
    loaded = {name: LinearTextModel.from_dict(joblib.load(model_path(directory, name))) for name in MODEL_NAMES}
    return ModelSet(**loaded)


@cache
def shipped_models() -> ModelSet:
    """The models in the package, loaded once per process."""
    return load_models(MODELS_DIR)
