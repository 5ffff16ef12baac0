"""New-term emergence: frequent words of a window that were rare in the days before (two Elasticsearch
aggregations on the tenant's index; core features only)."""

from datetime import datetime, timedelta
from typing import Any

from elasticsearch import ApiError, TransportError

from monitoring.search.client import es_client
from monitoring.search.index import alias_name
from tenants.context import current_tenant


def _scope_filter(scope: str) -> list[dict[str, Any]]:
    if scope.startswith("rule:"):
        return [{"term": {"rules": int(scope.split(":")[1])}}]
    if scope.startswith("brand:"):
        return [{"term": {"brands": int(scope.split(":")[1])}}]
    return []


def new_terms(
    scope: str, start: datetime, end: datetime, baseline_days: int, min_count: int, baseline_max: int
) -> list[str]:
    tenant = current_tenant()
    if tenant is None:
        return []
    index = alias_name(tenant.slug)
    client = es_client().options(request_timeout=5)
    try:
        recent = client.search(
            index=index,
            size=0,
            query={
                "bool": {
                    "filter": [
                        *_scope_filter(scope),
                        {"range": {"published_at": {"gte": start.isoformat(), "lt": end.isoformat()}}},
                    ]
                }
            },
            aggs={"top": {"terms": {"field": "terms", "size": 30, "min_doc_count": min_count}}},
        )
        candidates = [b["key"] for b in recent["aggregations"]["top"]["buckets"]]
        if not candidates:
            return []
        before = client.search(
            index=index,
            size=0,
            query={
                "bool": {
                    "filter": [
                        *_scope_filter(scope),
                        {
                            "range": {
                                "published_at": {
                                    "gte": (start - timedelta(days=baseline_days)).isoformat(),
                                    "lt": start.isoformat(),
                                }
                            }
                        },
                    ]
                }
            },
            aggs={"seen": {"terms": {"field": "terms", "size": len(candidates), "include": candidates}}},
        )
    except (ApiError, TransportError):
        # Search being down must not stop the other indicators; this one reads as "nothing new".
        return []
    seen = {b["key"]: b["doc_count"] for b in before["aggregations"]["seen"]["buckets"]}
    return [term for term in candidates if seen.get(term, 0) <= baseline_max]
