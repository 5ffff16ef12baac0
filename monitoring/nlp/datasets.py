"""Readers for the labelled research datasets under SHARED_DATA_DIR/sentiment, with deterministic splits.

Splits hash the text, not its position, so duplicates always fall on the same side and a held-out post is
never also a training post.
"""

import csv
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

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
# TweetEval emotion ids: anger, joy, optimism, sadness.
_TWEETEVAL_EMOTION_POLARITY = ("negative", "positive", "positive", "negative")

WEIBO_HELD_OUT_BUCKETS = 1  # of 10: a 10% held-out split
TWEETEVAL_HELD_OUT_BUCKETS = 4  # of 10: large enough for a stable macro-recall on 2,000 tweets


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

    def relabel(self, mapping: dict[str, str]) -> "Labelled":
        """Maps labels, dropping rows whose label has no mapping."""
        kept = [(t, mapping[y]) for t, y in zip(self.texts, self.labels, strict=True) if y in mapping]
        return Labelled([t for t, _ in kept], [y for _, y in kept])


def _held_out(text: str, buckets: int) -> bool:
    return zlib.crc32(text.encode()) % 10 < buckets


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


def tweeteval_sentiment(data_dir: Path) -> tuple[Labelled, Labelled]:
    """(train, held-out) cut from TweetEval's sentiment validation split, the only sentiment split we have."""
    texts, labels = _tweeteval_lines(_sentiment_dir(data_dir) / "tweeteval", "val")
    train, held_out = Labelled([], []), Labelled([], [])
    for text, label in zip(texts, labels, strict=True):
        split = held_out if _held_out(text, TWEETEVAL_HELD_OUT_BUCKETS) else train
        split.texts.append(text)
        split.labels.append(_TWEETEVAL_SENTIMENT[label])
    return train, held_out


def tweeteval_emotion_polarity(data_dir: Path) -> Labelled:
    """TweetEval emotion train and validation, mapped to polarity (it has no neutral class)."""
    result = Labelled([], [])
    for split in ("train", "val"):
        texts, labels = _tweeteval_lines(_sentiment_dir(data_dir) / "tweeteval" / "emotion", split)
        result += Labelled(texts, [_TWEETEVAL_EMOTION_POLARITY[label] for label in labels])
    return result


def _tweeteval_lines(directory: Path, split: str) -> tuple[list[str], list[int]]:
    labels = [int(line) for line in (directory / f"{split}_labels.txt").read_text(encoding="utf-8").split()]
    texts = (directory / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")[: len(labels)]
    return texts, labels
