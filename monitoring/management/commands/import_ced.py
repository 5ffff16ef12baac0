from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from monitoring.ingest.sources import ced
from monitoring.management.commands._ingest_command import IngestCommand


class Command(IngestCommand):
    help = "Import CED Weibo cascades (source posts with their reposts and comments) from ../shared/data."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--archive", type=Path, default=settings.SHARED_DATA_DIR / "cascades" / "weibo_ced" / "CED_Dataset.tar.gz"
        )
        parser.add_argument("--label", choices=["rumor", "non-rumor", "all"], default="all")
        parser.add_argument("--cascades", type=int, default=None, help="at most this many cascades")
        parser.add_argument("--max-reposts", type=int, default=None, help="at most this many reposts per cascade")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"No CED archive at {archive}.")
        root = ced.extract(archive, settings.BASE_DIR / ".services" / "datasets")
        labels = ("rumor", "non-rumor") if options["label"] == "all" else (options["label"],)
        chosen = list(ced.cascades(root, labels=labels))[: options["cascades"]]
        items = [item for cascade in chosen for item in ced.items(cascade, max_reposts=options["max_reposts"])]
        self.run(options, items, len(items), f"CED ({len(chosen)} cascades)")
