"""Text-analysis throughput: analyze_batch on 1,000 raw Weibo posts (target ≥ 8,000 posts/s), and the feature
hashing inside it against scikit-learn's HashingVectorizer over the same feature strings, in the same run.

The two hashings must agree bucket for bucket (the shipped models were trained on HashingVectorizer's buckets);
the run fails if they do not. Needs no services.

    uv run python bench/nlp_throughput.py [--posts 1000] [--repeats 7]
"""

import argparse
import csv
import itertools
import os
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _setup import write_result  # type: ignore[import-not-found]
from django.conf import settings
from sklearn.feature_extraction.text import HashingVectorizer

from monitoring.nlp.classifiers import shipped_models
from monitoring.nlp.features import N_FEATURES, FeatureSpec, hashed_counts
from monitoring.nlp.pipeline import Analyzer, prepare_texts
from monitoring.nlp.segment import Segmenter


def _posts(count: int) -> list[str]:
    path = Path(settings.SHARED_DATA_DIR) / "sentiment" / "weibo_senti_100k" / "train.csv"
    with path.open(encoding="utf-8") as f:
        return [row["review"] for _, row in zip(range(count), csv.DictReader(f), strict=False)]


def _per_string(spec: FeatureSpec, texts: list[str], tokens: list[list[str]]):
    """The feature strings built one by one and hashed by HashingVectorizer, as before the bulk hashing."""

    def analyzer(doc: tuple[str, list[str]]) -> list[str]:
        text, words = doc
        text = re.sub(r"\s+", " ", text.lower())
        if spec.mask_handles:
            text = re.sub(r"@\w+", "@user", re.sub(r"https?://\S+", "http", text))
        low, high = spec.char_ngrams
        features = [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]
        features += ["\x01" + word for word in words]
        features += ["\x02" + a + " " + b for a, b in itertools.pairwise(words)]
        return features

    vectorizer = HashingVectorizer(
        analyzer=analyzer, n_features=N_FEATURES, alternate_sign=False, norm=None, dtype=np.float32
    )
    return vectorizer.transform(list(zip(texts, tokens, strict=True)))


def _timed(run: Callable[[], object], repeats: int) -> dict[str, float]:
    run()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return {"median_seconds": round(statistics.median(timings), 4), "best_seconds": round(min(timings), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    posts = _posts(args.posts)
    models = shipped_models()
    analyzer = Analyzer(["蔚来ES8", "小鹏汽车", "iPhone 17"], models=models)
    whole = _timed(lambda: analyzer.analyze_batch(posts), args.repeats)
    prepared = prepare_texts(posts, Segmenter())
    preparing = _timed(lambda: prepare_texts(posts, Segmenter()), args.repeats)

    spec = models.zh_polarity.spec
    ours = hashed_counts(spec, prepared.simplified, prepared.tokens)
    reference = _per_string(spec, prepared.simplified, prepared.tokens)
    differing = int((ours != reference).nnz)
    if differing:
        raise SystemExit(f"bulk hashing differs from HashingVectorizer in {differing} cells")
    bulk = _timed(lambda: hashed_counts(spec, prepared.simplified, prepared.tokens), args.repeats)
    per_string = _timed(lambda: _per_string(spec, prepared.simplified, prepared.tokens), args.repeats)

    write_result(
        "nlp_throughput",
        {
            "posts": len(posts),
            "analyze_batch": {**whole, "posts_per_second": round(len(posts) / whole["median_seconds"])},
            "target_posts_per_second": 8000,
            "prepare_texts": preparing,
            "hashing": {
                "spec": spec.to_dict(),
                "features": int(ours.sum()),
                "bulk": bulk,
                "hashing_vectorizer": per_string,
                "speedup": round(per_string["median_seconds"] / bulk["median_seconds"], 2),
                "differing_cells": differing,
            },
            "single_process": True,
            "cpu_count": os.cpu_count(),
        },
    )


if __name__ == "__main__":
    main()
