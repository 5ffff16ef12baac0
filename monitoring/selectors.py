"""Reads of monitoring data: stored mentions (PostgreSQL), search (Elasticsearch), rules and brands."""

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from config.archive import archived_filter
from config.errors import ValidationError
from monitoring.filters import MentionFilter
from monitoring.models import Brand, Mention, MonitoringRule
from monitoring.search.query import SearchParams
from monitoring.search.query import mentions_search as _search
from tenants.context import current_tenant
from tenants.identity.principals import Principal, check_permission


def errors_to_validation(errors: dict[str, Any]) -> ValidationError:
    field, messages = next(iter(errors.items()))
    return ValidationError(str(messages[0]), field=field)


def mention_list(*, actor: Principal, filters: Mapping[str, Any]) -> QuerySet[Mention]:
    """Stored mentions that pass the filters, newest first (the (published_at, id) index serves either way)."""
    check_permission(actor, "mentions.read")
    filterset = MentionFilter(filters, queryset=Mention.objects.select_related("author"))
    if not filterset.is_valid():
        raise errors_to_validation(filterset.errors)
    queryset: QuerySet[Mention] = filterset.qs.order_by("-published_at", "-id")
    return queryset


def mention_page(
    *, actor: Principal, filters: Mapping[str, Any], first: int = 50, after: str = ""
) -> tuple[list[Mention], str | None]:
    """Newest first, keyset-paginated on (published_at, id): stable while new mentions arrive."""
    if not 1 <= first <= 200:
        raise ValidationError("Page size is between 1 and 200.", field="page_size")
    queryset = mention_list(actor=actor, filters=filters)
    if after:
        published_at, pk = _decode(after)
        queryset = queryset.filter(Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=pk))
    items = list(queryset[: first + 1])
    more = len(items) > first
    items = items[:first]
    return items, (_encode(items[-1]) if more and items else None)


def _encode(mention: Mention) -> str:
    return base64.urlsafe_b64encode(json.dumps([mention.published_at.isoformat(), mention.pk]).encode()).decode()


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        published_at, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(published_at), int(pk)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValidationError("Cursor is not one this API returned.", field="cursor") from exc


def mention_get(*, actor: Principal, mention_id: int) -> Mention | None:
    check_permission(actor, "mentions.read")
    return Mention.objects.select_related("author").filter(pk=mention_id).first()


def mentions_search(*, actor: Principal, params: SearchParams) -> dict[str, Any]:
    check_permission(actor, "mentions.read")
    tenant = current_tenant()
    assert tenant is not None, "search runs in a tenant schema"
    return _search(tenant.slug, params)


def rule_list(*, actor: Principal, archived: bool = False) -> QuerySet[MonitoringRule]:
    """Live rules; with `archived`, the archived ones too."""
    check_permission(actor, "rules.read")
    return archived_filter(MonitoringRule.objects.order_by("id"), archived)


def brand_list(*, actor: Principal, archived: bool = False) -> QuerySet[Brand]:
    """Live brands; with `archived`, the archived ones too."""
    check_permission(actor, "rules.read")
    return archived_filter(Brand.objects.order_by("id"), archived)


def mention_as_dict(m: Mention) -> dict[str, Any]:
    """The public shape of a stored mention, the same in REST and GraphQL."""
    author = m.author
    return {
        "id": m.pk,
        "platform": m.platform,
        "external_id": m.external_id,
        "url": m.url,
        "author": {
            "external_id": author.external_id,
            "name": author.name,
            "followers": author.followers,
            "verified": author.verified,
        }
        if author
        else None,
        "title": m.title,
        "text": m.text,
        "language": m.language,
        "script": m.script,
        "published_at": m.published_at,
        "metrics": {"likes": m.likes, "reposts": m.reposts, "comments": m.comments, "views": m.views},
        "engagement": m.engagement,
        "relation": m.relation or None,
        "parent_external_id": m.parent_external_id or None,
        "root_external_id": m.root_external_id or None,
        "sentiment": {"label": m.sentiment, "score": m.sentiment_score} if m.sentiment else None,
        "emotion": {"label": m.emotion, "score": m.emotion_score} if m.emotion else None,
        "matched_rules": list(m.matched_rules),
        "matched_brands": list(m.matched_brands),
        "topic": m.topic_id,
        "ingested_at": m.ingested_at,
        "updated_at": m.updated_at,
    }
