"""The bulk hashing must give the same counts as scikit-learn's HashingVectorizer over the same feature strings:
the shipped models were trained on those buckets, so one differing bucket silently changes a prediction."""

import itertools
import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from monitoring.nlp.features import N_FEATURES, FeatureSpec, hashed_counts

CHINESE = FeatureSpec(char_ngrams=(1, 3), mask_handles=False, lexicon_scale=0.0)
ENGLISH = FeatureSpec(char_ngrams=(2, 5), mask_handles=True, lexicon_scale=0.3)

DOCS = [
    ("三星Galaxy Note 2 自燃了，客服说不是质量问题 [怒]", ["三星", "galaxy", "note", "2", "自燃", "了", "客服"]),
    ("", []),
    ("好", ["好"]),
    ("@Samsung fix this https://t.co/abc123 😡😡", ["@samsung", "fix", "this", "😡"]),
    ("𠀀𠀁 four-byte characters 🎉 and combining é", ["𠀀𠀁", "four-byte", "🎉"]),
    ("  spaces\tand\nnewlines  ", ["spaces", "and", "newlines"]),
    ("x" * 400, ["x" * 400]),
    ("a token with spaces", ["a token", "with spaces"]),
    ("ab", ["a", "b"]),
]


def _reference(spec: FeatureSpec, docs: list[tuple[str, list[str]]]):
    """The feature strings spelled out one by one, hashed by scikit-learn."""

    def analyzer(doc: tuple[str, list[str]]) -> list[str]:
        text, tokens = doc
        text = re.sub(r"\s+", " ", text.lower())
        if spec.mask_handles:
            text = re.sub(r"@\w+", "@user", re.sub(r"https?://\S+", "http", text))
        low, high = spec.char_ngrams
        features = [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]
        features += ["\x01" + token for token in tokens]
        features += ["\x02" + a + " " + b for a, b in itertools.pairwise(tokens)]
        return features

    vectorizer = HashingVectorizer(
        analyzer=analyzer, n_features=N_FEATURES, alternate_sign=False, norm=None, dtype=np.float32
    )
    return vectorizer.transform(docs)


@pytest.mark.parametrize("spec", [CHINESE, ENGLISH], ids=["chinese", "english"])
def test_counts_match_scikit_learn_bucket_for_bucket(spec):
    texts = [text for text, _ in DOCS]
    tokens = [list(tokens) for _, tokens in DOCS]

    ours = hashed_counts(spec, texts, tokens)
    reference = _reference(spec, DOCS)

    assert ours.shape == reference.shape == (len(DOCS), N_FEATURES)
    assert (ours != reference).nnz == 0
    assert ours.sum() == reference.sum() > 0


def test_an_empty_batch_is_an_empty_matrix():
    assert hashed_counts(CHINESE, [], []).shape == (0, N_FEATURES)


def test_a_word_and_the_same_character_are_different_features():
    as_character = hashed_counts(CHINESE, ["好"], [[]])
    as_word = hashed_counts(CHINESE, [""], [["好"]])

    assert as_character.nnz == as_word.nnz == 1
    assert as_character.indices[0] != as_word.indices[0]
