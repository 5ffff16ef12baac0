"""mentions_ingest: validate → analyse → match → store in bulk → outbox, reporting per-item errors."""

import logging
import time
from dataclasses import dataclass, field
from typing import cast

from django.db import transaction

from config.errors import FieldError, ValidationError
from monitoring.ingest import quota, storage
from monitoring.ingest.payload import ItemError, ParsedPayload
from monitoring.ingest.validation import AuthorInput, MentionInput, validate_items
from monitoring.matching import tenant_matcher
from monitoring.nlp import get_analyzer
from monitoring.rules import MatchDocument
from monitoring.tasks import search_outbox_drain, warning_evaluate
from monitoring.warning import buckets
from tenants.identity.principals import Principal, check_permission

logger = logging.getLogger(__name__)


@dataclass
class IngestResult:
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ItemError] = field(default_factory=list)
    mention_ids: list[int] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "accepted": self.accepted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.errors),
            "errors": [error.as_dict() for error in sorted(self.errors, key=lambda e: e.index)],
        }


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self.last) * 1000
        self.last = now


def _analysis_input(mention: MentionInput) -> str:
    return f"{mention.title}\n{mention.text}" if mention.title else mention.text


def mentions_ingest(*, actor: Principal, payload: ParsedPayload) -> IngestResult:
    check_permission(actor, "mentions.write")
    result = IngestResult(errors=list(payload.errors))
    clock = _Clock(result.timings_ms)
    valid, errors = validate_items(payload.items)
    result.errors.extend(errors)
    if not valid:
        if not result.errors:
            raise ValidationError("The batch holds no mentions.", field="mentions")
        details = [
            FieldError(f"mentions[{e.index}]{'.' + e.field if e.field else ''}", e.message)
            for e in sorted(result.errors, key=lambda e: e.index)
        ]
        raise ValidationError(
            f"No valid mention in the batch; first problem: {details[0].message}",
            field=details[0].field,
            details=details,
        )
    clock.lap("validate")

    known = storage.existing_hashes([(m.platform, m.external_id) for m in valid])
    digests = {(m.platform, m.external_id): m.content_hash() for m in valid}
    changed = [m for m in valid if known.get((m.platform, m.external_id)) != digests[(m.platform, m.external_id)]]
    result.unchanged = len(valid) - len(changed)
    if not changed:
        return result

    matcher = tenant_matcher()
    analyses = get_analyzer(matcher.user_words).analyze_batch([_analysis_input(m) for m in changed])
    clock.lap("nlp")
    docs = [
        MatchDocument(
            text=a.analysis_text,
            tokens=a.tokens,
            platform=m.platform,
            language=a.language,
            author_name=m.author.name if m.author else "",
            author_id=m.author.external_id if m.author else "",
        )
        for m, a in zip(changed, analyses, strict=True)
    ]
    rules = matcher.rules.match_batch(docs)
    brands = matcher.brands.match_batch(docs)
    clock.lap("match")

    rule_ids = [[cast(int, k) for k in keys] for keys in rules]
    brand_ids = [[cast(int, k) for k in keys] for keys in brands]
    with transaction.atomic():
        # The plan's monthly quota: new mentions beyond it are rejected per item (quota_exceeded).
        admitted = quota.admit(changed, set(known))
        if admitted.errors:
            result.errors.extend(admitted.errors)
            kept = [i for i, keep in enumerate(admitted.keep) if keep]
            changed, analyses = [changed[i] for i in kept], [analyses[i] for i in kept]
            rule_ids, brand_ids = [rule_ids[i] for i in kept], [brand_ids[i] for i in kept]
        authors: dict[tuple[str, str], AuthorInput] = {
            (m.platform, m.author.external_id): m.author for m in changed if m.author is not None
        }
        author_ids = storage.upsert_authors(authors)
        stored = storage.upsert_mentions(
            changed,
            analyses,
            [author_ids[(m.platform, m.author.external_id)] if m.author else None for m in changed],
            rule_ids,
            brand_ids,
            [digests[(m.platform, m.external_id)] for m in changed],
        )
        # Only new mentions count towards the minute buckets: a re-send must not look like a surge.
        touched = buckets.record(
            [
                {
                    "published_at": m.published_at,
                    "sentiment": a.sentiment,
                    "emotion": a.emotion,
                    "engagement": m.likes + m.reposts + m.comments,
                    "author": m.author.external_id if m.author else None,
                    "followers": m.author.followers if m.author else 0,
                    "verified": bool(m.author and m.author.verified),
                    "is_repost": m.relation == "repost",
                    "rules": r,
                    "brands": b,
                }
                for m, a, r, b in zip(changed, analyses, rule_ids, brand_ids, strict=True)
                if (m.platform, m.external_id) in stored.inserted_keys
            ]
        )
        quota.count(admitted, len(stored.inserted_ids))
        transaction.on_commit(lambda: _schedule_followups(touched))
    clock.lap("database")
    result.accepted = len(stored.inserted_ids)
    result.updated = len(stored.updated_ids)
    # A concurrent writer may have stored the same content between our read and write: that is "unchanged".
    result.unchanged += len(changed) - result.accepted - result.updated
    result.mention_ids = stored.inserted_ids + stored.updated_ids
    return result


def _schedule_followups(touched: set[str]) -> None:
    try:
        search_outbox_drain.delay()
        if touched:
            warning_evaluate.delay(sorted(touched))
    except Exception:
        # The rows are committed and the outbox keeps them; beat drains and evaluates when the broker is back.
        logger.warning("could not enqueue indexing/evaluation; the periodic tasks will catch up", exc_info=True)
