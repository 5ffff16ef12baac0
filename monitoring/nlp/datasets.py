"""Readers for the labelled research datasets under SHARED_DATA_DIR/sentiment, with deterministic splits.

Splits hash the text, not its position, so duplicates always fall on the same side and a held-out post is
never also a training post.
"""

import csv
import html
import json
import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monitoring.nlp.normalize import EMOTICON_LABEL_LEAK

EMOTIONS = ("angry", "fear", "happy", "neutral", "sad", "surprise")
# SMP2020's polarity view; surprise can go either way and stays out of polarity data.
EMOTION_POLARITY = {
    "happy": "positive",
    "neutral": "neutral",
    "angry": "negative",
    "fear": "negative",
    "sad": "negative",
}
_TWEETEVAL_SENTIMENT = ("negative", "neutral", "positive")

_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL = re.compile(r"https?://\S+")
_HANDLE = re.compile(r"@\w+")
_NON_WORD = re.compile(r"[\W_]+")

WEIBO_HELD_OUT_BUCKETS = 1  # of 10: a 10% held-out split


@dataclass(frozen=True, slots=True)
class Labelled:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def __add__(self, other: "Labelled") -> "Labelled":
        return Labelled(self.texts + other.texts, self.labels + other.labels)

    def where(self, labels: set[str]) -> "Labelled":
        kept = [(t, y) for t, y in zip(self.texts, self.labels, strict=True) if y in labels]
        return Labelled([t for t, _ in kept], [y for _, y in kept])

    def split(self, mask: "Sequence[bool] | np.ndarray") -> tuple["Labelled", "Labelled"]:
        """(rows where mask is false, rows where it is true)."""
        outside, inside = Labelled([], []), Labelled([], [])
        for text, label, flag in zip(self.texts, self.labels, mask, strict=True):
            target = inside if flag else outside
            target.texts.append(text)
            target.labels.append(label)
        return outside, inside

    def relabel(self, mapping: dict[str, str]) -> "Labelled":
        """Maps labels, dropping rows whose label has no mapping."""
        kept = [(t, mapping[y]) for t, y in zip(self.texts, self.labels, strict=True) if y in mapping]
        return Labelled([t for t, _ in kept], [y for _, y in kept])


def hash_bucket(text: str) -> int:
    """0–9 from the text alone, so that a post and its duplicates always land in the same split."""
    return zlib.crc32(text.encode()) % 10


def _held_out(text: str, buckets: int) -> bool:
    return hash_bucket(text) < buckets


def _sentiment_dir(data_dir: Path) -> Path:
    return data_dir / "sentiment"


def smp_usual_train(data_dir: Path) -> Labelled:
    with (_sentiment_dir(data_dir) / "smp2020_ewect" / "usual_train_from_traincsv.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return Labelled([r["text"] for r in rows], [EMOTIONS[int(r["label"])] for r in rows])


def smp_json(data_dir: Path, name: str) -> Labelled:
    """One of SMP2020-EWECT's JSON files: usual_eval_labeled, virus_train, virus_eval_labeled."""
    rows = json.loads((_sentiment_dir(data_dir) / "smp2020_ewect" / f"{name}.txt").read_text(encoding="utf-8"))
    return Labelled([r["content"] for r in rows], [r["label"] for r in rows])


def weibo_senti(data_dir: Path) -> tuple[Labelled, Labelled]:
    """(train, held-out) of weibo_senti_100k with the emoticons its labels were derived from stripped."""
    train, held_out = Labelled([], []), Labelled([], [])
    with (_sentiment_dir(data_dir) / "weibo_senti_100k" / "train.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = EMOTICON_LABEL_LEAK.sub("", row["review"]).strip()
            split = held_out if _held_out(text, WEIBO_HELD_OUT_BUCKETS) else train
            split.texts.append(text)
            split.labels.append("positive" if row["label"] == "1" else "negative")
    return train, held_out


@dataclass(frozen=True, slots=True)
class SemevalPrior:
    """SemEval 2013–2016 subtask A tweets, deduplicated, minus every tweet of TweetEval's validation split."""

    train: Labelled
    rows: int
    duplicates_removed: int
    conflicting_removed: int
    validation_removed: int
    validation_matched: int


def tweet_key(text: str) -> str:
    """What two copies of one tweet share: TweetEval masks handles as @user, drops some links, re-quotes text."""
    text = html.unescape(_UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)).lower()
    text = _HANDLE.sub("@user", _URL.sub(" ", text))
    return _NON_WORD.sub("", text)


def semeval_prior(data_dir: Path) -> SemevalPrior:
    """Training tweets for en_polarity: one row per tweet key, conflicting annotations and validation tweets out."""
    labels_by_key: dict[str, set[str]] = defaultdict(set)
    text_by_key: dict[str, str] = {}
    rows = 0
    for path in sorted((_sentiment_dir(data_dir) / "semeval2017_4a_prior").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            parts = line.split("\t")
            if len(parts) < 3 or parts[1] not in _TWEETEVAL_SENTIMENT:
                continue
            rows += 1
            text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), parts[2]).strip()
            key = tweet_key(text)
            labels_by_key[key].add(parts[1])
            text_by_key.setdefault(key, text)
    validation_keys = {tweet_key(text) for text in tweeteval_validation(data_dir).texts}
    train = Labelled([], [])
    conflicting = removed = 0
    for key, labels in labels_by_key.items():
        if key in validation_keys:
            removed += 1
        elif len(labels) > 1:
            conflicting += 1
        else:
            train.texts.append(text_by_key[key])
            train.labels.append(next(iter(labels)))
    return SemevalPrior(
        train=train,
        rows=rows,
        duplicates_removed=rows - len(labels_by_key),
        conflicting_removed=conflicting,
        validation_removed=removed,
        validation_matched=len(validation_keys & labels_by_key.keys()),
    )


def tweeteval_validation(data_dir: Path) -> Labelled:
    """TweetEval's 2,000-tweet sentiment validation split, whole."""
    texts, labels = _tweeteval_lines(_sentiment_dir(data_dir) / "tweeteval", "val")
    return Labelled(texts, [_TWEETEVAL_SENTIMENT[label] for label in labels])


def _tweeteval_lines(directory: Path, split: str) -> tuple[list[str], list[int]]:
    labels = [int(line) for line in (directory / f"{split}_labels.txt").read_text(encoding="utf-8").split()]
    texts = (directory / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")[: len(labels)]
    return texts, labels
