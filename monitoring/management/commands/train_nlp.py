"""Trains the text-analysis models, measures them and their baselines, and writes metrics.json and MODEL_CARD.md."""

import time
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from monitoring.nlp.classifiers import MODEL_NAMES, MODELS_DIR, load_models, model_path
from monitoring.nlp.evaluation import measure_quality
from monitoring.nlp.model_card import render_model_card
from monitoring.nlp.training import train_models, training_summary


class Command(BaseCommand):
    help = "Train the Chinese polarity/emotion and English polarity models and report their eval scores."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, default=None, help="datasets dir (default: SHARED_DATA_DIR)")
        parser.add_argument("--output", type=Path, default=MODELS_DIR, help="artifacts dir")
        parser.add_argument(
            "--no-extended-baselines",
            action="store_true",
            help="rerun only the baselines the targets name (zh char TF-IDF + LR, en TF-IDF SVM), not the older ones",
        )
        parser.add_argument(
            "--rescore",
            action="store_true",
            help="do not train: measure the models already in --output again and rewrite metrics.json and the card",
        )

    def handle(
        self, *args: Any, data: Path | None, output: Path, no_extended_baselines: bool, rescore: bool, **options: Any
    ) -> None:
        data_dir = data or Path(settings.SHARED_DATA_DIR)
        if rescore:
            training = orjson.loads((output / "metrics.json").read_bytes())["training"]
        else:
            started = time.perf_counter()
            _, report = train_models(data_dir, output, self._log)
            training = {
                **training_summary(data_dir, report),
                "data_dir": str(data_dir),
                "training_seconds": round(time.perf_counter() - started),
            }
        # Scores come from the artifacts as written, so they describe exactly what ships.
        models = load_models(output)
        quality = measure_quality(models, data_dir, self._log, extended_baselines=not no_extended_baselines)
        metrics: dict[str, Any] = {
            "training": training,
            **quality,
            "artifacts": {name: model_path(output, name).stat().st_size for name in MODEL_NAMES},
        }
        (output / "metrics.json").write_bytes(orjson.dumps(metrics, option=orjson.OPT_INDENT_2) + b"\n")
        (output / "MODEL_CARD.md").write_text(render_model_card(metrics), encoding="utf-8")
        for name, entry in metrics["comparison"].items():
            self._log(f"{name}: {entry}")
        self._log(f"analyze_batch: {metrics['throughput']['posts_per_second']:,} posts/s")
        self._log(f"wrote {output / 'metrics.json'} and {output / 'MODEL_CARD.md'}")

    def _log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
