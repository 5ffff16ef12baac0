"""Feature hashing in bulk: the bucket scikit-learn's HashingVectorizer gives each feature string, for a whole batch.

HashingVectorizer hashes one Python string per feature, and a Weibo post has ~250 features, so building and
hashing those strings took most of the analysis time. Here every feature is a substring of one joined text,
optionally behind a one-byte marker; murmurhash3 (x86, 32 bit, seed 0) runs over all features at once, reading
their UTF-8 bytes four at a time with numpy. The buckets are scikit-learn's, so the shipped models need no
retraining.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

_C1 = np.uint32(0xCC9E2D51)
_C2 = np.uint32(0x1B873593)
# Beyond this many bytes (a pasted URL-like token) a feature is hashed on its own instead of stretching the loop.
_MAX_VECTOR_BYTES = 256
# Byte masks keeping the first 0–3 bytes of a little-endian word.
_TAIL_MASKS = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF], dtype=np.uint32)


@dataclass(frozen=True, slots=True)
class Features:
    """Substrings of a joined text: start and length in characters, and a marker byte before each (0: none)."""

    docs: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    markers: np.ndarray


def ngram_features(lengths: np.ndarray, offset: int, low: int, high: int) -> Features:
    """Every char n-gram (low ≤ n ≤ high) of texts of these lengths, joined end to end from `offset`."""
    ends = np.cumsum(lengths)
    doc_of = np.repeat(np.arange(len(lengths)), lengths)
    positions = np.arange(int(ends[-1]) if len(ends) else 0)
    docs, starts, sizes = [], [], []
    for n in range(low, high + 1):
        fits = positions + n <= ends[doc_of]
        docs.append(doc_of[fits])
        starts.append(positions[fits] + offset)
        sizes.append(np.full(int(fits.sum()), n, dtype=np.int64))
    found = np.concatenate(docs)
    return Features(found, np.concatenate(starts), np.concatenate(sizes), np.zeros(len(found), dtype=np.uint8))


def token_features(
    token_lengths: np.ndarray, tokens_per_doc: np.ndarray, offset: int, word: int, bigram: int
) -> Features:
    """Each token behind the `word` marker and each neighbouring pair "a b" behind `bigram`, for tokens joined by
    single spaces from `offset` (a token may contain spaces: the pair is still the joined substring)."""
    starts = offset + np.cumsum(token_lengths + 1) - (token_lengths + 1)
    docs = np.repeat(np.arange(len(tokens_per_doc)), tokens_per_doc)
    pairs = np.flatnonzero(docs[1:] == docs[:-1]) if len(docs) else np.zeros(0, dtype=np.int64)
    return Features(
        docs=np.concatenate([docs, docs[pairs]]),
        starts=np.concatenate([starts, starts[pairs]]),
        lengths=np.concatenate([token_lengths, token_lengths[pairs] + 1 + token_lengths[pairs + 1]]),
        markers=np.concatenate([np.full(len(docs), word, dtype=np.uint8), np.full(len(pairs), bigram, dtype=np.uint8)]),
    )


def count_matrix(text: str, features: list[Features], n_docs: int, n_features: int) -> sp.csr_matrix:
    """Counts per document and bucket, in canonical CSR form (sorted indices, duplicates summed), as
    HashingVectorizer(alternate_sign=False, norm=None) gives for the same feature strings."""
    docs = np.concatenate([f.docs for f in features])
    buckets = _buckets(
        text,
        np.concatenate([f.starts for f in features]),
        np.concatenate([f.lengths for f in features]),
        np.concatenate([f.markers for f in features]),
        n_features,
    )
    keys = np.sort(docs * n_features + buckets)
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    unique = keys[starts]
    counts = np.diff(np.append(starts, len(keys))).astype(np.float32)
    indptr = np.searchsorted(unique, np.arange(n_docs + 1) * n_features)
    matrix = sp.csr_matrix((counts, (unique % n_features).astype(np.int32), indptr), shape=(n_docs, n_features))
    matrix.has_canonical_format = True
    return matrix


def _buckets(text: str, starts: np.ndarray, lengths: np.ndarray, markers: np.ndarray, n_features: int) -> np.ndarray:
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    widths = 1 + (codepoints >= 0x80).astype(np.int64) + (codepoints >= 0x800) + (codepoints >= 0x10000)
    byte_at = np.zeros(len(codepoints) + 1, dtype=np.int64)
    np.cumsum(widths, out=byte_at[1:])
    marked = markers != 0
    # A marked feature is read from the byte before it, which is then replaced by the marker: one padding byte in
    # front keeps that read inside the buffer.
    begin = byte_at[starts] + 1 - marked
    size = byte_at[starts + lengths] - byte_at[starts] + marked
    raw = b"\0" + text.encode("utf-8") + bytes(16)
    words = _unaligned_words(raw)

    hashes = np.empty(len(starts), dtype=np.uint32)
    long = size > _MAX_VECTOR_BYTES
    for row in np.flatnonzero(long).tolist():
        key = bytearray(raw[begin[row] : begin[row] + size[row]])
        if marked[row]:
            key[0] = markers[row]
        hashes[row] = murmurhash3_32(bytes(key), seed=0) & 0xFFFFFFFF
    short = np.flatnonzero(~long)
    # Longest first, so the rows that still have a block to mix are always a prefix; a small unsigned key lets
    # numpy radix-sort it.
    short = short[np.argsort((_MAX_VECTOR_BYTES - size[short]).astype(np.uint16), kind="stable")]
    hashes[short] = _murmur3(words, begin[short], size[short], markers[short])
    signed = hashes.view(np.int32).astype(np.int64)
    buckets = np.abs(signed) % n_features
    # As scikit-learn does for the one hash whose absolute value does not fit 32 signed bits.
    buckets[signed == -(2**31)] = (2**31 - 1 - (n_features - 1)) % n_features
    return buckets


def _unaligned_words(raw: bytes) -> np.ndarray:
    """words[r, i]: the little-endian 32-bit word starting at byte 4i + r."""
    count = (len(raw) - 3) // 4
    return np.stack([np.frombuffer(raw, dtype="<u4", count=count - 1, offset=r) for r in range(4)])


def _word(words: np.ndarray, positions: np.ndarray) -> np.ndarray:
    return words[positions & 3, positions >> 2]


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def _murmur3(words: np.ndarray, begin: np.ndarray, size: np.ndarray, markers: np.ndarray) -> np.ndarray:
    """MurmurHash3_x86_32, seed 0, of the byte ranges [begin, begin + size), sorted by decreasing size; a marked
    range has its first byte replaced by the marker."""
    first = _word(words, begin)
    marked = markers != 0
    first[marked] = (first[marked] & np.uint32(0xFFFFFF00)) | markers[marked]
    h = np.zeros(len(begin), dtype=np.uint32)
    full = size >> 2
    # Rows whose full blocks outnumber each column index: sizes are decreasing, so those rows are a prefix.
    remaining = len(full) - np.cumsum(np.bincount(full, minlength=1))
    for column in range(int(full[0]) if len(full) else 0):
        rows = int(remaining[column])
        k = first[:rows] if column == 0 else _word(words, begin[:rows] + 4 * column)
        k = _rotl(k * _C1, 15) * _C2
        mixed = h[:rows] ^ k
        h[:rows] = _rotl(mixed, 13) * np.uint32(5) + np.uint32(0xE6546B64)
    tail_at = begin + 4 * full
    k = np.where(full == 0, first, _word(words, tail_at)) & _TAIL_MASKS[size & 3]
    h ^= _rotl(k * _C1, 15) * _C2
    h ^= size.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h
