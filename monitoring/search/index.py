"""Per-tenant mention indices: an alias per tenant over a versioned backing index, all from one index template.

Names: alias `<prefix>-mentions-<slug>`, backing index `<alias>_v<version>_<timestamp>`. Slugs never contain `_`,
so one tenant's backing-index pattern can never match another tenant's indices.
"""

import logging

from django.conf import settings
from django.utils import timezone
from elasticsearch import ApiError, NotFoundError, TransportError

from monitoring.search.client import es_client

logger = logging.getLogger(__name__)

TEMPLATE_VERSION = 1

MENTION_MAPPINGS: dict[str, object] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "platform": {"type": "keyword"},
        "external_id": {"type": "keyword"},
        "url": {"type": "keyword", "index": False, "doc_values": False},
        "author_id": {"type": "keyword"},
        "author_name": {"type": "keyword"},
        "author_followers": {"type": "long"},
        "author_verified": {"type": "boolean"},
        "title": {"type": "text", "analyzer": "standard"},
        # Original text, shown and highlighted; the standard analyzer makes CJK phrases exact character runs.
        "text": {"type": "text", "analyzer": "standard"},
        # The Simplified form analysis ran on, so a phrase typed in either script finds both.
        "text_simplified": {"type": "text", "analyzer": "standard"},
        # Segmented in Python at ingest and joined by spaces: word search with no plugin.
        "tokens": {"type": "text", "analyzer": "whitespace"},
        # The same words as keywords, for top-terms aggregations.
        "terms": {"type": "keyword"},
        "language": {"type": "keyword"},
        "script": {"type": "keyword"},
        "sentiment": {"type": "keyword"},
        "sentiment_score": {"type": "float"},
        "emotion": {"type": "keyword"},
        "emotion_score": {"type": "float"},
        "rules": {"type": "long"},
        "brands": {"type": "long"},
        "relation": {"type": "keyword"},
        "parent_external_id": {"type": "keyword"},
        "root_external_id": {"type": "keyword"},
        "published_at": {"type": "date"},
        "engagement": {"type": "long"},
        "likes": {"type": "long"},
        "reposts": {"type": "long"},
        "comments": {"type": "long"},
        "views": {"type": "long"},
    },
}


def _prefix() -> str:
    return f"{settings.ES_INDEX_PREFIX}-mentions"


def template_name() -> str:
    return f"{_prefix()}-v{TEMPLATE_VERSION}"


def alias_name(slug: str) -> str:
    return f"{_prefix()}-{slug}"


def backing_pattern(slug: str) -> str:
    return f"{alias_name(slug)}_v*"


def index_template_ensure() -> None:
    es_client().indices.put_index_template(
        name=template_name(),
        index_patterns=[f"{_prefix()}-*"],
        priority=100 + TEMPLATE_VERSION,
        version=TEMPLATE_VERSION,
        template={
            "settings": {
                "number_of_shards": 1,
                "number_of_replicas": settings.ES_NUMBER_OF_REPLICAS,
                "refresh_interval": "1s",
            },
            "mappings": MENTION_MAPPINGS,
        },
    )


def backing_index_create(slug: str) -> str:
    """Create a new, empty backing index for the tenant (not yet behind its alias) and return its name."""
    index_template_ensure()
    name = f"{alias_name(slug)}_v{TEMPLATE_VERSION}_{timezone.now():%Y%m%d%H%M%S%f}"
    es_client().indices.create(index=name)
    return name


def alias_indices(slug: str) -> list[str]:
    try:
        return sorted(es_client().indices.get_alias(name=alias_name(slug)).keys())
    except NotFoundError:
        return []


def tenant_index_ensure(slug: str) -> str:
    """Make sure the tenant's alias points at a backing index; create both if missing. Returns the alias."""
    if alias_indices(slug):
        return alias_name(slug)
    index = backing_index_create(slug)
    es_client().indices.update_aliases(actions=[{"add": {"index": index, "alias": alias_name(slug)}}])
    logger.info("created search index %s behind alias %s", index, alias_name(slug))
    return alias_name(slug)


def tenant_index_ensure_or_later(slug: str) -> str | None:
    """tenant_index_ensure for a new tenant, whose signup must not depend on Elasticsearch: None if it is down.

    The beat task search_index_ensure creates the index later.
    """
    try:
        return tenant_index_ensure(slug)
    except (ApiError, TransportError) as exc:
        logger.warning("search index for tenant %s not created yet: %s", slug, exc)
        return None


def tenant_index_delete(slug: str) -> list[str]:
    """Delete every backing index of the tenant, which also removes its alias."""
    client = es_client()
    indices = sorted(client.indices.get(index=backing_pattern(slug), expand_wildcards="all").keys())
    if indices:
        client.indices.delete(index=",".join(indices))
    return indices
