from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from monitoring.ingest.bulk import read_csv, read_ndjson
from monitoring.management.commands._ingest_command import IngestCommand


class Command(IngestCommand):
    help = "Import mentions from an NDJSON file (one API item per line) or a CSV file with a header."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["auto", "ndjson", "csv"], default="auto")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        fmt = options["format"]
        if fmt == "auto":
            fmt = "csv" if path.suffix.lower() == ".csv" else "ndjson"
        with path.open("rb") as handle:
            total = sum(1 for line in handle if line.strip()) - (1 if fmt == "csv" else 0)
        items = read_csv(path) if fmt == "csv" else read_ndjson(path)
        self.run(options, items, total, path.name)
