"""Trains the text-analysis models, measures them, and writes metrics.json and MODEL_CARD.md beside them."""

from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from monitoring.nlp.classifiers import MODEL_NAMES, MODELS_DIR, load_models, model_path
from monitoring.nlp.evaluation import evaluate, measure_throughput, reproduce_baselines
from monitoring.nlp.model_card import render_model_card
from monitoring.nlp.training import VIRUS_WEIGHT, train_models


class Command(BaseCommand):
    help = "Train the Chinese polarity/emotion and English polarity models and report their eval scores."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, default=None, help="datasets dir (default: SHARED_DATA_DIR)")
        parser.add_argument("--output", type=Path, default=MODELS_DIR, help="artifacts dir")

    def handle(self, *args: Any, data: Path | None, output: Path, **options: Any) -> None:
        data_dir = data or Path(settings.SHARED_DATA_DIR)
        train_models(data_dir, output, self._log)
        # Scores come from the artifacts as written, so they describe exactly what ships.
        models = load_models(output)
        scores = evaluate(models, data_dir, self._log)
        for name, reproduced in reproduce_baselines(data_dir, self._log).items():
            scores[name]["baseline_reproduced_here"] = reproduced
            scores[name]["beats_reproduced_baseline"] = scores[name]["ours"] > reproduced
        metrics: dict[str, Any] = {
            "training": {"data_dir": str(data_dir), "virus_weight": VIRUS_WEIGHT},
            "scores": scores,
            "throughput": measure_throughput(models, data_dir),
            "artifacts": {name: model_path(output, name).stat().st_size for name in MODEL_NAMES},
        }
        (output / "metrics.json").write_bytes(orjson.dumps(metrics, option=orjson.OPT_INDENT_2) + b"\n")
        (output / "MODEL_CARD.md").write_text(render_model_card(metrics), encoding="utf-8")
        for name, entry in metrics["scores"].items():
            reproduced = entry.get("baseline_reproduced_here")
            self._log(
                f"{name}: ours {entry['ours']:.4f}, README baselines {entry['baselines']}, reproduced {reproduced}"
            )
        self._log(f"analyze_batch: {metrics['throughput']['posts_per_second']:,} posts/s")
        self._log(f"wrote {output / 'metrics.json'} and {output / 'MODEL_CARD.md'}")

    def _log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
