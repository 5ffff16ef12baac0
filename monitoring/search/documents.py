"""Search documents built from stored mentions: PostgreSQL is the source, the index is derived and rebuildable."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction

from monitoring.deadletters.services import TRANSIENT
from monitoring.models import Mention

_MAX_TERMS = 64


def _terms(tokens: str) -> list[str]:
    # Single characters and numbers make noisy "top terms"; keep words, once each, in order.
    seen: dict[str, None] = {}
    for token in tokens.split():
        if len(token) > 1 and not token.isdigit() and len(token) <= 40:
            seen.setdefault(token, None)
            if len(seen) == _MAX_TERMS:
                break
    return list(seen)


def mention_document(m: Mention) -> dict[str, Any]:
    author = m.author
    return {
        "id": m.pk,
        "platform": m.platform,
        "external_id": m.external_id,
        "url": m.url,
        "author_id": author.external_id if author else None,
        "author_name": author.name if author else None,
        "author_followers": author.followers if author else 0,
        "author_verified": author.verified if author else False,
        "title": m.title,
        "text": m.text,
        "text_simplified": m.analysis_text,
        "tokens": m.tokens,
        "terms": _terms(m.tokens),
        "language": m.language,
        "script": m.script,
        "sentiment": m.sentiment or None,
        "sentiment_score": m.sentiment_score,
        "emotion": m.emotion or None,
        "emotion_score": m.emotion_score,
        "rules": list(m.matched_rules),
        "brands": list(m.matched_brands),
        "relation": m.relation or None,
        "parent_external_id": m.parent_external_id or None,
        "root_external_id": m.root_external_id or None,
        "published_at": m.published_at.isoformat(),
        "engagement": m.likes + m.reposts + m.comments,
        "likes": m.likes,
        "reposts": m.reposts,
        "comments": m.comments,
        "views": m.views,
    }


_FIELDS = [
    "id",
    "platform",
    "external_id",
    "url",
    "title",
    "text",
    "analysis_text",
    "tokens",
    "language",
    "script",
    "sentiment",
    "sentiment_score",
    "emotion",
    "emotion_score",
    "matched_rules",
    "matched_brands",
    "relation",
    "parent_external_id",
    "root_external_id",
    "published_at",
    "likes",
    "reposts",
    "comments",
    "views",
    "author__external_id",
    "author__name",
    "author__followers",
    "author__verified",
]


def documents_for(ids: Iterable[int]) -> list[dict[str, Any]]:
    mentions = Mention.objects.filter(pk__in=list(ids)).select_related("author").only(*_FIELDS)
    return [mention_document(m) for m in mentions]


def documents_build(ids: Iterable[int]) -> tuple[list[dict[str, Any]], dict[int, BaseException]]:
    """Documents of the mentions that still exist, and what went wrong for each mention that has none.

    A row can be stored yet unreadable (a timestamp before year 1 fails in the driver) or break the builder;
    one such row must not cost the batch its index, so a failing batch is halved until the bad rows are alone
    (a few dozen reads for a bad row among thousands, instead of one read per mention).
    """
    wanted = list(ids)
    try:
        with transaction.atomic():
            return documents_for(wanted), {}
    except TRANSIENT:
        raise
    except Exception as exc:
        if len(wanted) <= 1:
            return [], {mention_id: exc for mention_id in wanted}
    half = len(wanted) // 2
    documents, failures = documents_build(wanted[:half])
    more, more_failures = documents_build(wanted[half:])
    return documents + more, failures | more_failures


def iter_all_documents(
    batch: int = 2000, *, updated_since: Any = None
) -> Iterator[tuple[list[dict[str, Any]], dict[int, BaseException]]]:
    """Every stored mention as documents (with the failures of `documents_build`), in batches by primary key."""
    queryset = Mention.objects.order_by("pk")
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        if not ids:
            return
        last = ids[-1]
        yield documents_build(ids)
