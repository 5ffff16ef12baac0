import numpy as np
import pytest

from monitoring.nlp.joint import (
    POLARITIES,
    PolarityStacker,
    emotion_polarity,
    enforce_consistency,
    inconsistent,
)

EMOTIONS = ("angry", "fear", "happy", "neutral", "sad", "surprise")


def _emotion(**probabilities: float) -> np.ndarray:
    row = np.zeros((1, len(EMOTIONS)), dtype=np.float32)
    for name, value in probabilities.items():
        row[0, EMOTIONS.index(name)] = value
    return row


def _always_positive() -> PolarityStacker:
    """A stacker that ignores its inputs and says positive at ~0.99: the worst case for the veto."""
    weights = np.zeros((len(EMOTIONS) + len(POLARITIES), len(POLARITIES)), dtype=np.float32)
    return PolarityStacker(
        emotions=EMOTIONS, polarities=POLARITIES, weights=weights, intercept=np.array([0.0, 0.0, 5.0], np.float32)
    )


@pytest.mark.parametrize("negative_emotion", ["angry", "fear", "sad"])
def test_a_dominant_negative_emotion_vetoes_positive(negative_emotion: str) -> None:
    emotion = _emotion(**{negative_emotion: 0.9, "happy": 0.1})
    polarity = np.array([[0.01, 0.01, 0.98]], dtype=np.float32)

    combined = _always_positive().combine(emotion, polarity)

    assert combined[0, POLARITIES.index("positive")] == 0.0
    assert POLARITIES[int(combined.argmax())] != "positive"
    assert combined.sum() == pytest.approx(1.0)


def test_a_dominant_happy_emotion_vetoes_negative() -> None:
    vetoed = enforce_consistency(np.array([[0.7, 0.1, 0.2]], np.float32), _emotion(happy=0.6, sad=0.4), EMOTIONS)

    np.testing.assert_allclose(vetoed, [[0.0, 1 / 3, 2 / 3]], rtol=1e-6)


@pytest.mark.parametrize("dominant", ["neutral", "surprise"])
def test_neutral_and_surprise_veto_nothing(dominant: str) -> None:
    polarity = np.array([[0.2, 0.3, 0.5]], np.float32)

    vetoed = enforce_consistency(polarity, _emotion(**{dominant: 0.5, "fear": 0.3, "happy": 0.2}), EMOTIONS)

    np.testing.assert_allclose(vetoed, polarity, rtol=1e-6)


def test_all_mass_on_the_vetoed_class_falls_back_to_neutral() -> None:
    vetoed = enforce_consistency(np.array([[0.0, 0.0, 1.0]], np.float32), _emotion(fear=1.0), EMOTIONS)

    assert vetoed.tolist() == [[0.0, 1.0, 0.0]]


def test_no_combined_label_contradicts_the_dominant_emotion_on_random_inputs() -> None:
    rng = np.random.default_rng(0)
    emotion = rng.dirichlet(np.ones(len(EMOTIONS)), size=2000).astype(np.float32)
    polarity = rng.dirichlet(np.ones(len(POLARITIES)), size=2000).astype(np.float32)

    labels = np.asarray(POLARITIES)[_always_positive().combine(emotion, polarity).argmax(axis=1)]

    assert not inconsistent(labels, emotion, EMOTIONS).any()
    assert inconsistent(np.full(2000, "positive"), emotion, EMOTIONS).any()


def test_emotion_polarity_sums_negative_emotions_and_leaves_surprise_out() -> None:
    mapped = emotion_polarity(_emotion(angry=0.2, fear=0.1, sad=0.1, happy=0.2, neutral=0.2, surprise=0.2), EMOTIONS)

    np.testing.assert_allclose(mapped, [[0.5, 0.25, 0.25]], rtol=1e-6)


def test_stacker_round_trips_through_its_dict() -> None:
    stacker = _always_positive()

    restored = PolarityStacker.from_dict(stacker.to_dict())

    emotion, polarity = _emotion(neutral=1.0), np.array([[0.2, 0.6, 0.2]], np.float32)
    assert restored.combine(emotion, polarity).tolist() == stacker.combine(emotion, polarity).tolist()
