"""Full-text mention search with filters, highlights, deep paging (search_after) and aggregations."""

import base64
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import opencc
from elasticsearch import ApiError, TransportError

from config import jsonsafe
from config.errors import ServiceUnavailableError, ValidationError
from config.jsonsafe import INT_MAX, INT_MIN
from config.timestamps import format_timestamp
from monitoring.matching import tenant_matcher
from monitoring.models import Emotion
from monitoring.nlp import get_analyzer
from monitoring.search.client import es_client
from monitoring.search.index import alias_name

AGGREGATIONS = frozenset({"volume", "sentiment", "emotion", "authors", "platforms", "terms"})
EMOTIONS = tuple(Emotion.values)
SORTS = {
    "relevance": [{"_score": "desc"}, {"published_at": "desc"}, {"id": "desc"}],
    "time": [{"published_at": "desc"}, {"id": "desc"}],
    "engagement": [{"engagement": "desc"}, {"id": "desc"}],
}
INTERVAL = re.compile(r"^[1-9][0-9]{0,3}[mhd]$")
MAX_QUERY_CHARS = 500
MAX_PAGE_SIZE = 200
_PHRASE = re.compile(r'"([^"]+)"')
_to_traditional = opencc.OpenCC("s2t")


@dataclass
class SearchParams:
    q: str = ""
    platforms: list[str] = field(default_factory=list)
    sentiments: list[str] = field(default_factory=list)
    emotions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    rules: list[int] = field(default_factory=list)
    brands: list[int] = field(default_factory=list)
    author: str = ""
    since: datetime | None = None
    until: datetime | None = None
    min_engagement: int | None = None
    sort: str = ""
    page_size: int = 50
    cursor: str = ""
    aggregations: list[str] = field(default_factory=list)
    interval: str = "1h"


# A cursor is where a page ended ("n": the next page starts after it) or began ("p": the previous one ends before it).
_FORWARD, _BACKWARD = "n", "p"


def encode_cursor(values: list[Any], direction: str = _FORWARD) -> str:
    return base64.urlsafe_b64encode(json.dumps([direction, *values], separators=(",", ":")).encode()).decode()


def _sort_value_ok(value: Any, *, score: bool) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return score and math.isfinite(value)
    return isinstance(value, int) and INT_MIN <= value <= INT_MAX


def decode_cursor(cursor: str, sort: str) -> tuple[str, list[Any]]:
    """Direction and search_after values of a cursor made for `sort`: a score, then whole numbers, per sort key."""
    refused = ValidationError("Cursor is not one this API returned for this sort.", field="cursor")
    try:
        decoded = jsonsafe.loads(base64.urlsafe_b64decode(cursor.encode()), field="cursor")
    except (ValueError, ValidationError) as exc:
        raise refused from exc
    keys = SORTS[sort]
    if not isinstance(decoded, list) or not decoded or decoded[0] not in (_FORWARD, _BACKWARD):
        raise refused
    direction, values = decoded[0], decoded[1:]
    if len(values) != len(keys):
        raise refused
    # Elasticsearch answers a null or a string where it expects a number with a 500 of its own.
    if not all(_sort_value_ok(v, score="_score" in key) for v, key in zip(values, keys, strict=True)):
        raise refused
    return direction, values


def _reversed(sort: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{name: "asc" if order == "desc" else "desc" for name, order in key.items()} for key in sort]


def _validate(params: SearchParams) -> str:
    if len(params.q) > MAX_QUERY_CHARS:
        raise ValidationError(f"Query is at most {MAX_QUERY_CHARS} characters.", field="q")
    if params.q.count('"') % 2:
        raise ValidationError("Unbalanced quote in query.", field="q")
    sort = params.sort or ("relevance" if params.q.strip() else "time")
    if sort not in SORTS:
        raise ValidationError(f"Unknown sort '{sort}'; expected one of {', '.join(SORTS)}.", field="sort")
    unknown = set(params.aggregations) - AGGREGATIONS
    if unknown:
        raise ValidationError(
            f"Unknown aggregation '{sorted(unknown)[0]}'; expected any of {', '.join(sorted(AGGREGATIONS))}.",
            field="aggs",
        )
    if not INTERVAL.match(params.interval):
        raise ValidationError("Interval is a number and a unit m, h or d, e.g. 15m, 1h, 1d.", field="interval")
    if not 1 <= params.page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"page_size is between 1 and {MAX_PAGE_SIZE}.", field="page_size")
    if params.since and params.until and params.since > params.until:
        raise ValidationError("since is after until.", field="since")
    return sort


def _text_clauses(q: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Query clauses, and highlight clauses that find the same words in the original (possibly Traditional) text."""
    # Queries are segmented like the tenant's documents: with its brand names and keywords kept whole.
    analyzer = get_analyzer(tenant_matcher().user_words)
    must: list[dict[str, Any]] = []
    highlight: list[dict[str, Any]] = []
    for phrase in _PHRASE.findall(q):
        simplified = analyzer.analyze(phrase).analysis_text.strip()
        if simplified:
            must.append({"match_phrase": {"text_simplified": simplified}})
            for variant in {simplified, _to_traditional.convert(simplified), phrase}:
                highlight.append({"match_phrase": {"text": variant}})
    tokens = analyzer.query_tokens(_PHRASE.sub(" ", q))
    if tokens:
        must.append({"match": {"tokens": {"query": " ".join(tokens), "operator": "and"}}})
        for token in tokens:
            for variant in {token, _to_traditional.convert(token)}:
                highlight.append({"match_phrase": {"text": variant}})
    return must, highlight


def _filters(params: SearchParams) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    for name, values in [
        ("platform", params.platforms),
        ("sentiment", params.sentiments),
        ("emotion", params.emotions),
        ("language", params.languages),
        ("rules", params.rules),
        ("brands", params.brands),
    ]:
        if values:
            filters.append({"terms": {name: values}})
    if params.author:
        filters.append(
            {
                "bool": {
                    "should": [{"term": {"author_name": params.author}}, {"term": {"author_id": params.author}}],
                    "minimum_should_match": 1,
                }
            }
        )
    if params.since or params.until:
        bounds = {k: v.isoformat() for k, v in (("gte", params.since), ("lte", params.until)) if v}
        filters.append({"range": {"published_at": bounds}})
    if params.min_engagement:
        filters.append({"range": {"engagement": {"gte": params.min_engagement}}})
    return filters


def _aggregations(params: SearchParams) -> dict[str, Any]:
    wanted = set(params.aggregations)
    aggs: dict[str, Any] = {}
    histogram = {"field": "published_at", "fixed_interval": params.interval, "min_doc_count": 0}
    if "volume" in wanted:
        aggs["volume"] = {"date_histogram": histogram}
    if "sentiment" in wanted:
        aggs["sentiment"] = {"date_histogram": histogram, "aggs": {"by": {"terms": {"field": "sentiment", "size": 3}}}}
    if "emotion" in wanted:
        aggs["emotion"] = {
            "date_histogram": histogram,
            "aggs": {"by": {"terms": {"field": "emotion", "size": len(EMOTIONS)}}},
        }
    if "authors" in wanted:
        # By id: names are neither unique nor always there (CED's authors have none).
        aggs["authors"] = {
            "terms": {"field": "author_id", "size": 10, "order": [{"_count": "desc"}, {"engagement": "desc"}]},
            "aggs": {
                "engagement": {"sum": {"field": "engagement"}},
                "latest": {
                    "top_hits": {
                        "size": 1,
                        "sort": [{"published_at": "desc"}],
                        "_source": ["author_name", "author_followers", "author_verified", "platform"],
                    }
                },
            },
        }
    if "platforms" in wanted:
        aggs["platforms"] = {"terms": {"field": "platform", "size": 20}}
    if "terms" in wanted:
        # Sampling the best-matching documents keeps top terms fast on millions of mentions.
        aggs["terms"] = {"sampler": {"shard_size": 2000}, "aggs": {"top": {"terms": {"field": "terms", "size": 20}}}}
    return aggs


def _render_aggregations(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "volume" in raw:
        out["volume"] = [{"time": b["key_as_string"], "count": b["doc_count"]} for b in raw["volume"]["buckets"]]
    if "sentiment" in raw:
        out["sentiment"] = [
            {
                "time": b["key_as_string"],
                "count": b["doc_count"],
                **{s: 0 for s in ("negative", "neutral", "positive")},
                **{s["key"]: s["doc_count"] for s in b["by"]["buckets"]},
            }
            for b in raw["sentiment"]["buckets"]
        ]
    if "emotion" in raw:
        # Mentions without an emotion (not Chinese, or not classified) count in `count` and in no emotion.
        out["emotion"] = [
            {
                "time": b["key_as_string"],
                "count": b["doc_count"],
                **{e: 0 for e in EMOTIONS},
                **{e["key"]: e["doc_count"] for e in b["by"]["buckets"]},
            }
            for b in raw["emotion"]["buckets"]
        ]
    if "authors" in raw:
        out["authors"] = [_author_bucket(b) for b in raw["authors"]["buckets"]]
    if "platforms" in raw:
        out["platforms"] = [{"platform": b["key"], "count": b["doc_count"]} for b in raw["platforms"]["buckets"]]
    if "terms" in raw:
        out["terms"] = [{"term": b["key"], "count": b["doc_count"]} for b in raw["terms"]["top"]["buckets"]]
    return out


def _author_bucket(bucket: dict[str, Any]) -> dict[str, Any]:
    # As of the author's latest mention in the results: names and follower counts change.
    latest = bucket["latest"]["hits"]["hits"][0]["_source"]
    return {
        "author_id": bucket["key"],
        "name": latest.get("author_name") or "",
        "platform": latest["platform"],
        "followers": latest.get("author_followers") or 0,
        "verified": bool(latest.get("author_verified")),
        "count": bucket["doc_count"],
        "engagement": int(bucket["engagement"]["value"]),
    }


def _hit(hit: dict[str, Any]) -> dict[str, Any]:
    source = hit["_source"]
    return {
        "id": source["id"],
        "platform": source["platform"],
        "external_id": source["external_id"],
        "url": source["url"],
        "author": {
            "external_id": source["author_id"],
            "name": source["author_name"],
            "followers": source["author_followers"],
            "verified": source["author_verified"],
        }
        if source["author_id"]
        else None,
        "title": source["title"],
        "text": source["text"],
        "language": source["language"],
        "script": source["script"],
        "published_at": format_timestamp(datetime.fromisoformat(source["published_at"])),
        "metrics": {k: source[k] for k in ("likes", "reposts", "comments", "views")},
        "engagement": source["engagement"],
        "relation": source["relation"],
        "parent_external_id": source["parent_external_id"],
        "root_external_id": source.get("root_external_id"),
        "sentiment": {"label": source["sentiment"], "score": source["sentiment_score"]},
        "emotion": {"label": source["emotion"], "score": source["emotion_score"]} if source["emotion"] else None,
        "matched_rules": source["rules"],
        "matched_brands": source["brands"],
        "score": hit.get("_score"),
        # Where a page that starts right after this hit begins: any hit can be the place to go on from.
        "cursor": encode_cursor(hit["sort"]),
        # CJK is indexed a character at a time, so a word comes back as adjacent <em> runs: join them.
        "highlights": [f.replace("</em><em>", "") for f in hit.get("highlight", {}).get("text", [])],
    }


def _refusal(exc: ApiError) -> ValidationError:
    """Elasticsearch's 400 as ours, naming the parameter that caused it."""
    if "too_many_buckets" in json.dumps(exc.body, default=str):
        return ValidationError(
            "The interval makes too many buckets for this period; choose a longer interval or set since and until.",
            field="interval",
        )
    return ValidationError("The search could not run with these parameters.", field="q")


def mentions_search(slug: str, params: SearchParams) -> dict[str, Any]:
    sort = _validate(params)
    must, highlight = _text_clauses(params.q)
    if params.q.strip() and not must:
        # Matching everything would look like an answer to a query that asked for nothing searchable.
        raise ValidationError("The query has no searchable words.", field="q")
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": _filters(params)}},
        "sort": SORTS[sort],
        # One more than a page tells whether there is another page.
        "size": params.page_size + 1,
        "track_total_hits": 10_000,
        "_source": {"excludes": ["tokens", "terms", "text_simplified"]},
    }
    direction = ""
    if params.cursor:
        direction, body["search_after"] = decode_cursor(params.cursor, sort)
        if direction == _BACKWARD:
            body["sort"] = _reversed(SORTS[sort])
    if highlight:
        body["highlight"] = {
            "fields": {
                "text": {
                    "highlight_query": {"bool": {"should": highlight}},
                    "number_of_fragments": 3,
                    "fragment_size": 150,
                }
            },
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
        }
    if params.aggregations:
        body["aggs"] = _aggregations(params)
    try:
        response = es_client().search(index=alias_name(slug), **body)
    except ApiError as exc:
        if exc.status_code == 400:
            raise _refusal(exc) from exc
        raise ServiceUnavailableError("Search is unavailable right now; stored mentions are safe.") from exc
    except TransportError as exc:
        raise ServiceUnavailableError("Search is unavailable right now; stored mentions are safe.") from exc
    hits = response["hits"]["hits"]
    more = len(hits) > params.page_size
    hits = hits[: params.page_size]
    if direction == _BACKWARD:
        hits.reverse()
    last = encode_cursor(hits[-1]["sort"], _FORWARD) if hits else None
    first = encode_cursor(hits[0]["sort"], _BACKWARD) if hits else None
    total = response["hits"]["total"]
    return {
        "count": total["value"],
        "count_is_exact": total["relation"] == "eq",
        "results": [_hit(h) for h in hits],
        "next_cursor": last if more or direction == _BACKWARD else None,
        "previous_cursor": first if (more if direction == _BACKWARD else direction == _FORWARD) else None,
        "aggregations": _render_aggregations(response.get("aggregations", {})),
    }
