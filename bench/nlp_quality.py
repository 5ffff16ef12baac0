"""Quality and speed of the shipped text-analysis models, measured the way train_nlp measures them.

Scores on the splits no model was trained on (SMP2020 usual and virus eval, TweetEval validation, weibo_senti
held-out 10% with emoticons stripped), with per-class F1, confusion matrices and the polarity/emotion
consistency counts; the baselines the targets name (char TF-IDF + LR on SMP usual train, TF-IDF SVM on the
SemEval prior tweets) retrained and scored in the same run; and analyze_batch throughput on 1,000 posts.
Needs no services.

    uv run python bench/nlp_quality.py [--extended-baselines]
"""

import argparse
import os
from pathlib import Path

from _setup import write_result  # type: ignore[import-not-found]
from django.conf import settings

from monitoring.nlp.classifiers import shipped_models
from monitoring.nlp.evaluation import measure_quality


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--extended-baselines", action="store_true", help="also the README's older baselines")
    args = parser.parse_args()
    quality = measure_quality(
        shipped_models(), Path(settings.SHARED_DATA_DIR), print, extended_baselines=args.extended_baselines
    )
    write_result("nlp_quality", {**quality, "cpu_count": os.cpu_count()})


if __name__ == "__main__":
    main()
