"""Features shared by training and inference, so both see exactly the same numbers.

Hashed char n-grams of the lowercased Simplified text plus word unigrams and bigrams of its tokens: the hashing
trick stores no vocabulary, which keeps the shipped artifacts small. Counts are weighted as sublinear TF-IDF.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitoring.nlp.hashing import count_matrix, ngram_features, token_features

# 2**18 buckets collided enough Chinese char trigrams to cost ~1 point of polarity accuracy on held-out data.
N_FEATURES = 2**20

_SPACES = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+")
_HANDLE = re.compile(r"@\w+")
# Marker bytes before word and bigram features, so the token "好" and the character 好 are different features.
_WORD = 0x01
_BIGRAM = 0x02

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
    """Raw feature counts of analysis texts (Simplified, any case) and their tokens: the char n-grams of the folded
    text, each token marked as a word, and each pair of neighbouring tokens "a b" marked as a bigram."""
    folded_texts = [_fold(spec, text) for text in texts]
    folded = "".join(folded_texts)
    text_lengths = np.fromiter(map(len, folded_texts), dtype=np.int64, count=len(texts))
    low, high = spec.char_ngrams
    token_lengths = np.fromiter(map(len, itertools.chain.from_iterable(tokens)), dtype=np.int64)
    features = [
        ngram_features(text_lengths, 0, low, high),
        token_features(token_lengths, np.fromiter(map(len, tokens), dtype=np.int64), len(folded), _WORD, _BIGRAM),
    ]
    joined = folded + " ".join(itertools.chain.from_iterable(tokens))
    return count_matrix(joined, features, len(texts), N_FEATURES)


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


def _fold(spec: FeatureSpec, text: str) -> str:
    text = _SPACES.sub(" ", text.lower())
    if spec.mask_handles:
        text = _HANDLE.sub("@user", _URL.sub("http", text))
    return text
