"""Feeding long streams (files, datasets) through mentions_ingest in batches, as the API would receive them."""

import csv
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from config import jsonsafe
from config.errors import ValidationError
from monitoring.ingest.payload import ItemError, ParsedPayload, Unparseable
from monitoring.ingest.service import IngestResult, mentions_ingest
from tenants.identity.principals import SYSTEM

Progress = Callable[[IngestResult, int], None]


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ingest_stream(items: Iterable[Any], *, batch: int = 1000, progress: Progress | None = None) -> IngestResult:
    """Ingest as the system actor; per-item errors are collected with their position in the whole stream."""
    total = IngestResult()
    offset = 0
    for chunk in batched(items, batch):
        try:
            result = mentions_ingest(actor=SYSTEM, payload=ParsedPayload(items=list(enumerate(chunk))))
        except ValidationError as exc:
            # A batch with no valid item: report each problem and go on with the stream.
            result = IngestResult(errors=[ItemError(i, "", exc.message) for i in range(len(chunk))])
            if exc.details:
                result.errors = [ItemError(i, d.field, d.message) for i, d in enumerate(exc.details)]
        total.accepted += result.accepted
        total.updated += result.updated
        total.unchanged += result.unchanged
        total.errors.extend(ItemError(e.index + offset, e.field, e.message) for e in result.errors)
        for stage, ms in result.timings_ms.items():
            total.timings_ms[stage] = total.timings_ms.get(stage, 0.0) + ms
        offset += len(chunk)
        if progress:
            progress(result, len(chunk))
    return total


def read_ndjson(path: Path) -> Iterator[Any]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield jsonsafe.loads(line.decode("utf-8"), field="")
            except UnicodeDecodeError as exc:
                yield Unparseable(number, f"Line {number} is not valid UTF-8 (byte {exc.start}).")
            except ValidationError as exc:
                yield Unparseable(number, f"Line {number}: {exc.message}")


_INT_COLUMNS = ("likes", "reposts", "comments", "views")


def read_csv(path: Path) -> Iterator[dict[str, Any]]:
    """CSV with a header: platform, external_id, text, published_at, and optionally title, url, author_id,
    author_name, author_followers, author_verified, likes, reposts, comments, views, parent_external_id, relation,
    root_external_id."""
    with path.open(newline="", encoding="utf-8", errors="surrogateescape") as handle:
        for row in csv.DictReader(handle):
            item: dict[str, Any] = {
                k: v
                for k, v in row.items()
                if k and v not in (None, "") and not k.startswith(("author_", *_INT_COLUMNS))
            }
            metrics = {k: _int_or_str(row[k]) for k in _INT_COLUMNS if row.get(k)}
            if metrics:
                item["metrics"] = metrics
            if row.get("author_id"):
                item["author"] = {
                    "external_id": row["author_id"],
                    "name": row.get("author_name") or "",
                    "followers": _int_or_str(row.get("author_followers") or "0"),
                    "verified": (row.get("author_verified") or "").strip().lower() in ("1", "true", "yes"),
                }
            yield item


def _int_or_str(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value
