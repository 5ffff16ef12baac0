from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from monitoring.ingest.sources import twitter15
from monitoring.management.commands._ingest_command import IngestCommand


class Command(IngestCommand):
    help = "Import Twitter15 propagation trees (retweet edges, no text) from ../shared/data."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--edges", type=Path, default=settings.SHARED_DATA_DIR / "cascades" / "twitter15" / "edges.csv.gz"
        )
        parser.add_argument("--trees", type=int, default=None, help="at most this many trees")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["edges"].is_file():
            raise CommandError(f"No Twitter15 edges at {options['edges']}.")
        self.run(options, twitter15.items(options["edges"], limit_trees=options["trees"]), None, "Twitter15")
