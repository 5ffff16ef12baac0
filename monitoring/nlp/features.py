"""Features shared by training and inference, so both see exactly the same numbers.

Hashed char n-grams of the lowercased Simplified text plus word unigrams and bigrams of its tokens: the hashing
trick stores no vocabulary, which keeps the shipped artifacts small. Counts are weighted as sublinear TF-IDF.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# 2**18 buckets collided enough Chinese char trigrams to cost ~1 point of polarity accuracy on held-out data.
N_FEATURES = 2**20

_SPACES = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+")
_HANDLE = re.compile(r"@\w+")
_WORD = "\x01"
_BIGRAM = "\x02"

_VADER = SentimentIntensityAnalyzer()


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    char_ngrams: tuple[int, int]
    # Tweets name users and links that say nothing about sentiment; collapsing them helps a small training set.
    mask_handles: bool
    # Weight of the VADER lexicon scores next to the unit-norm n-gram vector; 0 means no lexicon features.
    lexicon_scale: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FeatureSpec":
        low, high = data["char_ngrams"]
        return cls(char_ngrams=(low, high), mask_handles=data["mask_handles"], lexicon_scale=data["lexicon_scale"])


def hashed_counts(spec: FeatureSpec, texts: Sequence[str], tokens: Sequence[list[str]]) -> sp.csr_matrix:
    """Raw feature counts of analysis texts (Simplified, any case) and their tokens."""
    vectorizer = HashingVectorizer(
        analyzer=partial(_feature_strings, spec),
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )
    return vectorizer.transform(list(zip(texts, tokens, strict=True)))


def document_frequency_idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed IDF, as scikit-learn's TfidfTransformer computes it."""
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    weighted = counts.copy()
    weighted.data = np.log(weighted.data) + 1
    weighted.data *= idf[weighted.indices]
    return normalize(weighted, norm="l2", copy=False)


def lexicon_scores(spec: FeatureSpec, texts: Sequence[str]) -> np.ndarray:
    """VADER's scores of NFC texts (VADER reads case and punctuation, so not the folded form)."""
    rows = np.zeros((len(texts), 6), dtype=np.float32)
    for row, text in zip(rows, texts, strict=True):
        scores = _VADER.polarity_scores(text)
        compound = scores["compound"]
        row[:] = (scores["neg"], scores["neu"], scores["pos"], compound, max(compound, 0.0), max(-compound, 0.0))
    return rows * spec.lexicon_scale


def _feature_strings(spec: FeatureSpec, doc: tuple[str, list[str]]) -> list[str]:
    text, tokens = doc
    text = _SPACES.sub(" ", text.lower())
    if spec.mask_handles:
        text = _HANDLE.sub("@user", _URL.sub("http", text))
    low, high = spec.char_ngrams
    features: list[str] = []
    for n in range(low, high + 1):
        features.extend(text[i : i + n] for i in range(len(text) - n + 1))
    features.extend(_WORD + token for token in tokens)
    features.extend(_BIGRAM + first + " " + second for first, second in itertools.pairwise(tokens))
    return features
