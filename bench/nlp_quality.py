"""Quality and speed of the shipped text-analysis models, measured the way train_nlp measures them.

Scores on the splits no model was trained on (weibo_senti held-out 10% with emoticons stripped, SMP2020 eval
sets, TweetEval held-out 40%), SnowNLP on the same Weibo split, and analyze_batch throughput on 1,000 posts.
Needs no services.

    uv run python bench/nlp_quality.py
"""

import os
from pathlib import Path

from _setup import write_result  # type: ignore[import-not-found]
from django.conf import settings

from monitoring.nlp.classifiers import shipped_models
from monitoring.nlp.evaluation import evaluate, measure_throughput


def main() -> None:
    data_dir = Path(settings.SHARED_DATA_DIR)
    models = shipped_models()
    write_result(
        "nlp_quality",
        {
            "scores": evaluate(models, data_dir, print),
            "throughput": measure_throughput(models, data_dir),
            "cpu_count": os.cpu_count(),
        },
    )


if __name__ == "__main__":
    main()
