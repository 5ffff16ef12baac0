import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.ingest.replay import replay
from monitoring.ingest.sources import ced


class Command(BaseCommand):
    help = (
        "Replay a real CED Weibo cascade live through the REST ingest API, with its timing compressed "
        "(the demo's crisis stream)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/api/v1/mentions/batch")
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--api-key", required=True)
        parser.add_argument(
            "--cascade",
            default="largest",
            help="'largest' (the biggest rumour cascade) or a CED file name / source mid",
        )
        pace = parser.add_mutually_exclusive_group()
        pace.add_argument("--speed", type=float, help="how many times faster than real time")
        pace.add_argument(
            "--duration",
            type=float,
            default=120.0,
            help="squeeze the whole cascade into this many seconds (default 120)",
        )
        parser.add_argument("--max-reposts", type=int, default=None)
        parser.add_argument(
            "--archive", type=Path, default=settings.SHARED_DATA_DIR / "cascades" / "weibo_ced" / "CED_Dataset.tar.gz"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["archive"].is_file():
            raise CommandError(f"No CED archive at {options['archive']}.")
        root = ced.extract(options["archive"], settings.BASE_DIR / ".services" / "datasets")
        if options["cascade"] == "largest":
            cascade = ced.largest(root)
        else:
            wanted = options["cascade"]
            cascade = next((c for c in ced.cascades(root) if wanted in (c.name, c.mid)), None)  # type: ignore[assignment]
            if cascade is None:
                raise CommandError(f"No CED cascade '{wanted}'.")
        items = ced.items(cascade, max_reposts=options["max_reposts"])
        span = datetime.fromisoformat(items[-1]["published_at"]) - datetime.fromisoformat(items[0]["published_at"])
        # Cascades are front-loaded with a long thin tail: pace the replay on the time by which 90% of the posts
        # had arrived, so the build-up shows, and let the last tenth follow at the end.
        start = datetime.fromisoformat(items[0]["published_at"])
        p90 = sorted(datetime.fromisoformat(i["published_at"]) for i in items)[int(len(items) * 0.9)]
        cap = p90 if p90 > start else start + span
        items = [{**i, "published_at": min(datetime.fromisoformat(i["published_at"]), cap).isoformat()} for i in items]
        speed = options["speed"] or max(1.0, (cap - start).total_seconds() / options["duration"])
        self.stdout.write(
            f"Replaying CED cascade {cascade.mid} ({cascade.label}, {len(items)} posts over {span}) "
            f"at {speed:.0f}x into tenant '{options['tenant']}'"
        )
        self.stdout.write(f"  source post: {items[0]['text'][:80]}")

        def progress(stats: Any) -> None:
            sys.stderr.write(f"\r  sent {stats.sent}/{len(items)}  new {stats.accepted}  rejected {stats.rejected}")
            sys.stderr.flush()

        stats = replay(
            items,
            url=options["url"],
            api_key=options["api_key"],
            tenant=options["tenant"],
            speed=speed,
            on_batch=progress,
        )
        sys.stderr.write("\n")
        self.stdout.write(
            f"Done: {stats.sent} sent in {stats.requests} requests, {stats.accepted} new, {stats.rejected} rejected"
        )
