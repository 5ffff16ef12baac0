"""Chinese polarity that agrees with the emotion: stacked from both models, then vetoed by the dominant emotion.

The rule, applied to every Chinese post:

1. Stacking: a small multinomial logistic regression reads the log-probabilities of the six emotions and of the
   three polarity classes and gives the polarity distribution. It was fitted on a slice of the SMP2020 usual
   training posts that neither base model saw while the stacker learned (see `training.fit_models`).
2. Veto: when the likeliest emotion is angry, fear or sad, positive gets probability 0; when it is happy,
   negative gets 0; the rest is renormalised. Neutral and surprise veto nothing. So a post whose fear is 0.9
   (or any negative emotion above 0.5, which is then necessarily the likeliest) is never positive.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from monitoring.nlp.datasets import EMOTION_POLARITY

POLARITIES = ("negative", "neutral", "positive")
# Below this, log-probabilities are clipped: a stacked feature must stay finite.
_FLOOR = 1e-6


@dataclass(frozen=True, slots=True)
class PolarityStacker:
    emotions: tuple[str, ...]
    polarities: tuple[str, ...]
    # (len(emotions) + len(polarities)) × 3, columns in POLARITIES order.
    weights: np.ndarray
    intercept: np.ndarray

    def combine(self, emotion: np.ndarray, polarity: np.ndarray) -> np.ndarray:
        """Polarity probabilities (columns in POLARITIES order) from both models' probabilities, vetoed."""
        return enforce_consistency(self.stacked(emotion, polarity), emotion, self.emotions)

    def stacked(self, emotion: np.ndarray, polarity: np.ndarray) -> np.ndarray:
        """The stacker's distribution before the veto (kept apart so that evaluation can count what it changes)."""
        scores = stack_features(emotion, polarity) @ self.weights + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return np.asarray(scores, dtype=np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {
            "emotions": list(self.emotions),
            "polarities": list(self.polarities),
            "weights": self.weights,
            "intercept": self.intercept,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PolarityStacker":
        return cls(
            emotions=tuple(data["emotions"]),
            polarities=tuple(data["polarities"]),
            weights=np.asarray(data["weights"], dtype=np.float32),
            intercept=np.asarray(data["intercept"], dtype=np.float32),
        )


def stack_features(emotion: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    return np.log(np.clip(np.hstack([emotion, polarity]), _FLOOR, 1.0)).astype(np.float32)


def emotion_polarity(emotion: np.ndarray, emotions: tuple[str, ...]) -> np.ndarray:
    """Polarity read off the emotion distribution alone (surprise, being ambiguous, left out and renormalised)."""
    mapped = np.zeros((emotion.shape[0], len(POLARITIES)), dtype=np.float32)
    for column, name in enumerate(emotions):
        if name in EMOTION_POLARITY:
            mapped[:, POLARITIES.index(EMOTION_POLARITY[name])] += emotion[:, column]
    return mapped / np.maximum(mapped.sum(axis=1, keepdims=True), _FLOOR)


def enforce_consistency(polarity: np.ndarray, emotion: np.ndarray, emotions: tuple[str, ...]) -> np.ndarray:
    """The veto: the likeliest emotion's own polarity rules out the opposite one (columns in POLARITIES order)."""
    dominant = np.asarray(emotions)[emotion.argmax(axis=1)]
    dominant_polarity = np.asarray([EMOTION_POLARITY.get(name, "neutral") for name in dominant])
    vetoed = polarity.astype(np.float32, copy=True)
    vetoed[dominant_polarity == "negative", POLARITIES.index("positive")] = 0.0
    vetoed[dominant_polarity == "positive", POLARITIES.index("negative")] = 0.0
    totals = vetoed.sum(axis=1, keepdims=True)
    # A distribution that put everything on the vetoed class falls back to neutral.
    empty = totals[:, 0] <= 0
    vetoed[empty, POLARITIES.index("neutral")] = 1.0
    totals[empty] = 1.0
    return vetoed / totals


def inconsistent(polarity_labels: np.ndarray, emotion: np.ndarray, emotions: tuple[str, ...]) -> np.ndarray:
    """Posts labelled with the polarity opposite to their likeliest emotion's (positive while angry, …)."""
    dominant = np.asarray(emotions)[emotion.argmax(axis=1)]
    dominant_polarity = np.asarray([EMOTION_POLARITY.get(name, "neutral") for name in dominant])
    labels = np.asarray(polarity_labels)
    return ((dominant_polarity == "negative") & (labels == "positive")) | (
        (dominant_polarity == "positive") & (labels == "negative")
    )
