"""Bulk writes of an ingest batch: one statement each for authors, mentions and outbox rows, never row by row."""

from dataclasses import dataclass

import orjson
from django.db import connection

from monitoring.ingest.validation import AuthorInput, MentionInput
from monitoring.nlp import TextAnalysis

_EXISTING_SQL = """
SELECT m.platform, m.external_id, m.content_hash
FROM monitoring_mention m
JOIN unnest(%s::text[], %s::text[]) AS k(platform, external_id)
  ON m.platform = k.platform AND m.external_id = k.external_id
"""

_AUTHORS_SQL = """
INSERT INTO monitoring_author (platform, external_id, name, followers, verified, created_at, updated_at)
SELECT p, e, n, f, v, now(), now()
FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[], %s::bool[]) AS t(p, e, n, f, v)
ON CONFLICT (platform, external_id) DO UPDATE
  SET name = EXCLUDED.name, followers = EXCLUDED.followers, verified = EXCLUDED.verified, updated_at = now()
RETURNING id, platform, external_id
"""

_MENTIONS_SQL = """
INSERT INTO monitoring_mention (
  platform, external_id, url, author_id, title, text, published_at, likes, reposts, comments, views,
  parent_external_id, relation, root_external_id, raw, analysis_text, tokens, language, script, sentiment,
  sentiment_score, emotion, emotion_score, matched_rules, matched_brands, content_hash, ingested_at, updated_at)
SELECT p, e, u, a, ti, tx, pa, li, re, co, vi, pe, rel, ro, raw::jsonb, an, tk, la, sc, se, ss, em, es,
       mr::bigint[], mb::bigint[], h, now(), now()
FROM unnest(
  %s::text[], %s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::timestamptz[], %s::bigint[],
  %s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
  %s::text[], %s::text[], %s::text[], %s::float8[], %s::text[], %s::float8[], %s::text[], %s::text[], %s::text[]
) AS t(p, e, u, a, ti, tx, pa, li, re, co, vi, pe, rel, ro, raw, an, tk, la, sc, se, ss, em, es, mr, mb, h)
ON CONFLICT (platform, external_id) DO UPDATE SET
  url = EXCLUDED.url, author_id = EXCLUDED.author_id, title = EXCLUDED.title, text = EXCLUDED.text,
  published_at = EXCLUDED.published_at, likes = EXCLUDED.likes, reposts = EXCLUDED.reposts,
  comments = EXCLUDED.comments, views = EXCLUDED.views, parent_external_id = EXCLUDED.parent_external_id,
  relation = EXCLUDED.relation, root_external_id = EXCLUDED.root_external_id, raw = EXCLUDED.raw,
  analysis_text = EXCLUDED.analysis_text,
  tokens = EXCLUDED.tokens, language = EXCLUDED.language, script = EXCLUDED.script,
  sentiment = EXCLUDED.sentiment, sentiment_score = EXCLUDED.sentiment_score, emotion = EXCLUDED.emotion,
  emotion_score = EXCLUDED.emotion_score, matched_rules = EXCLUDED.matched_rules,
  matched_brands = EXCLUDED.matched_brands, content_hash = EXCLUDED.content_hash, updated_at = now()
WHERE monitoring_mention.content_hash IS DISTINCT FROM EXCLUDED.content_hash
RETURNING id, (xmax = 0) AS inserted, platform, external_id
"""

_OUTBOX_SQL = "INSERT INTO monitoring_searchoutbox (mention_id, created_at) SELECT unnest(%s::bigint[]), now()"


@dataclass
class StoredBatch:
    inserted_ids: list[int]
    updated_ids: list[int]
    inserted_keys: set[tuple[str, str]]


def existing_hashes(keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_EXISTING_SQL, [[k[0] for k in keys], [k[1] for k in keys]])
        return {(platform, external_id): digest for platform, external_id, digest in cursor.fetchall()}


def upsert_authors(platform_authors: dict[tuple[str, str], AuthorInput]) -> dict[tuple[str, str], int]:
    if not platform_authors:
        return {}
    keys = list(platform_authors)
    authors = [platform_authors[k] for k in keys]
    with connection.cursor() as cursor:
        cursor.execute(
            _AUTHORS_SQL,
            [
                [k[0] for k in keys],
                [k[1] for k in keys],
                [a.name for a in authors],
                [a.followers for a in authors],
                [a.verified for a in authors],
            ],
        )
        return {(platform, external_id): pk for pk, platform, external_id in cursor.fetchall()}


def _pg_array(values: list[int]) -> str:
    return "{" + ",".join(str(v) for v in values) + "}"


def upsert_mentions(
    mentions: list[MentionInput],
    analyses: list[TextAnalysis],
    author_ids: list[object],
    rules: list[list[int]],
    brands: list[list[int]],
    digests: list[object],
) -> StoredBatch:
    columns: list[list[object]] = [
        [m.platform for m in mentions],
        [m.external_id for m in mentions],
        [m.url for m in mentions],
        author_ids,
        [m.title for m in mentions],
        [m.text for m in mentions],
        [m.published_at for m in mentions],
        [m.likes for m in mentions],
        [m.reposts for m in mentions],
        [m.comments for m in mentions],
        [m.views for m in mentions],
        [m.parent_external_id for m in mentions],
        [m.relation for m in mentions],
        [m.root_external_id for m in mentions],
        [orjson.dumps(m.raw).decode() for m in mentions],
        [a.analysis_text for a in analyses],
        [" ".join(a.tokens) for a in analyses],
        [a.language for a in analyses],
        [a.script for a in analyses],
        [a.sentiment for a in analyses],
        [a.sentiment_score for a in analyses],
        [a.emotion or "" for a in analyses],
        [a.emotion_score for a in analyses],
        [_pg_array(r) for r in rules],
        [_pg_array(b) for b in brands],
        digests,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_MENTIONS_SQL, columns)
        rows = cursor.fetchall()
        inserted = [pk for pk, is_new, _, _ in rows if is_new]
        updated = [pk for pk, is_new, _, _ in rows if not is_new]
        if rows:
            cursor.execute(_OUTBOX_SQL, [[row[0] for row in rows]])
    return StoredBatch(
        inserted_ids=inserted,
        updated_ids=updated,
        inserted_keys={(platform, external_id) for _, is_new, platform, external_id in rows if is_new},
    )
