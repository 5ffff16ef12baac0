"""The topics refresh: mentions not yet taken in are assigned to topics, a batch per transaction, in ingest order.

Each batch locks the tenant's TopicState, so refreshes never interleave; the batch's assignments, merges, stats and
the state's watermark commit together, so a killed worker loses nothing and repeats nothing.
"""

import json
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config.errors import ErrorList
from config.timestamps import format_timestamp
from monitoring.models import Mention, Relation, Topic, TopicEvent, TopicEventKind, TopicSettings, TopicState
from monitoring.models import TopicStatus as Status
from monitoring.topics import stats
from monitoring.topics.clustering import MAX_CENTROID_TERMS, Clusterer, TopicVector, Vocabulary, merges
from monitoring.topics.defaults import ACTIVE_HOURS, MERGE_THRESHOLD, THRESHOLD
from monitoring.topics.selectors import topic_settings
from monitoring.topics.terms import EMOTICON, topic_terms
from tenants.identity.principals import Principal, check_permission
from tenants.notifications.services import notify

BATCH = 5000
# The stream's document frequencies grow with every new word; past this many terms the words seen once are dropped
# (their IDF barely differs from an unseen word's).
MAX_VOCABULARY = 400_000
REPRESENTATIVES = 5
FOLLOWING = (Relation.REPOST, Relation.REPLY, Relation.QUOTE)


@dataclass
class RefreshResult:
    mentions: int = 0
    assigned: int = 0
    topics_created: int = 0
    merged: int = 0
    emerging: list[int] = field(default_factory=list)
    batches: int = 0
    seconds: float = 0.0


def _vocabulary(state: TopicState) -> Vocabulary:
    if not state.vocabulary:
        return Vocabulary()
    return Vocabulary(documents=state.documents, df=Counter(json.loads(zlib.decompress(bytes(state.vocabulary)))))


def _store_vocabulary(state: TopicState, vocabulary: Vocabulary) -> None:
    if len(vocabulary.df) > MAX_VOCABULARY:
        vocabulary.df = Counter({t: n for t, n in vocabulary.df.items() if n > 1})
    state.documents = vocabulary.documents
    state.vocabulary = zlib.compress(json.dumps(vocabulary.df, ensure_ascii=False).encode(), 1)


def topics_refresh(
    *, batch: int = BATCH, budget_seconds: float | None = None, settle_seconds: int | None = None
) -> RefreshResult:
    """Take in every mention ingested since the last refresh (batches until none is left or the budget is spent).
    A refresh already under way in another worker makes this one return at once."""
    started = time.monotonic()
    result = RefreshResult()
    settle = timedelta(seconds=settings.VIGIL_TOPICS_SETTLE_SECONDS if settle_seconds is None else settle_seconds)
    TopicState.objects.get_or_create(pk=1)
    with _exclusive() as held:
        if held:
            session = _Session(settle)
            while budget_seconds is None or time.monotonic() - started < budget_seconds:
                if not session.batch(batch, result):
                    break
                result.batches += 1
    result.seconds = round(time.monotonic() - started, 3)
    return result


_LOCK = "SELECT {}(hashtext('vigil.topics.' || current_schema()))"


@contextmanager
def _exclusive() -> Iterator[bool]:
    """One refresh per tenant at a time, for its whole run: it keeps the vocabulary and the live topics in memory
    from batch to batch. A session lock, so a killed worker's goes with its connection."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK.format("pg_try_advisory_lock"))
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute(_LOCK.format("pg_advisory_unlock"))


_ROW = (
    "pk",
    "platform",
    "external_id",
    "root_external_id",
    "relation",
    "tokens",
    "published_at",
    "author_id",
    "sentiment",
    "emotion",
)
# A topic's cascade count scans all its mentions: past this size it is redone once the topic grew by a tenth.
CASCADES_EXACT_UP_TO = 1_000


class _Session:
    """What one refresh keeps between its batches. A batch that fails ends the refresh, so what it left in memory
    is never used: the next refresh starts from the stored state."""

    def __init__(self, settle: timedelta) -> None:
        self.settle = settle
        self.vocabulary: Vocabulary | None = None
        self.clusterer: Clusterer | None = None
        self.born: dict[int, float] = {}

    def new_topic(self, at: float) -> int:
        temporary = -(len(self.born) + 1)
        self.born[temporary] = at
        return temporary

    def batch(self, size: int, result: RefreshResult) -> bool:
        with transaction.atomic():
            state = TopicState.objects.select_for_update().get(pk=1)
            # Mentions ingested a moment ago may share the id range with ones whose transaction has not committed
            # yet: waiting them out keeps the watermark from stepping over a mention that shows up later.
            rows = list(
                Mention.objects.filter(pk__gt=state.watermark, ingested_at__lte=timezone.now() - self.settle)
                .order_by("pk")
                .values_list(*_ROW)[:size]
            )
            if not rows:
                return False
            if self.vocabulary is None:
                self.vocabulary = _vocabulary(state)
            self.born = {}
            real = _Batch(self, state, rows, result).run()
            state.watermark = rows[-1][0]
            state.refreshed_at = timezone.now()
            state.save()
            result.mentions += len(rows)
        assert self.clusterer is not None
        for temporary, pk in real.items():
            self.clusterer.rename(temporary, pk)
        return True


class _Batch:
    def __init__(
        self, session: _Session, state: TopicState, rows: list[tuple[Any, ...]], result: RefreshResult
    ) -> None:
        self.session = session
        self.state = state
        self.rows = rows
        self.result = result
        assert session.vocabulary is not None
        self.vocabulary = session.vocabulary
        self.born = session.born
        self.now = min(max(r[6] for r in rows), timezone.now())

    def _clusterer(self, roots: dict[tuple[str, str], int]) -> Clusterer:
        earliest = min(r[6] for r in self.rows) - timedelta(hours=ACTIVE_HOURS)
        clusterer = self.session.clusterer
        if clusterer is None:
            live = Topic.objects.filter(status=Status.LIVE, last_seen__gte=earliest)
            clusterer = self.session.clusterer = Clusterer(
                self.vocabulary,
                [_vector(t) for t in live],
                threshold=THRESHOLD,
                active_seconds=ACTIVE_HOURS * 3600,
                new_topic=self.session.new_topic,
            )
        else:
            clusterer.evict(earliest.timestamp())
        missing = set(roots.values()) - set(clusterer.topics)
        for topic in Topic.objects.filter(pk__in=missing):
            clusterer.load(_vector(topic))
        return clusterer

    def run(self) -> dict[int, int]:
        """Assign the batch, record merges, restat what changed; the stored ids of the topics born in it."""
        roots = self._root_topics()
        clusterer = self._clusterer(roots)
        assigned: dict[int, int] = {}
        by_key: dict[tuple[str, str], int] = {}
        emoticons: dict[int, Counter[str]] = defaultdict(Counter)
        counts_of: dict[int, Counter[str]] = {}
        for pk, platform, external_id, root, relation, tokens, published_at, *_ in self.rows:
            words = tokens.split()
            counts = topic_terms(words)
            root_topic = by_key.get((platform, root)) or roots.get((platform, root)) if root else None
            at = published_at.timestamp()
            if relation in FOLLOWING and root_topic is not None:
                topic_id = clusterer.follow(root_topic, counts, at)
            elif counts:
                topic_id = clusterer.assign(counts, at)
            else:
                continue
            assigned[pk] = topic_id
            by_key[(platform, external_id)] = topic_id
            counts_of[pk] = counts
            emoticons[topic_id].update(w for w in words if EMOTICON.match(w))
        done = merges(clusterer, MERGE_THRESHOLD)
        real = self._create_born(clusterer)
        final: dict[int, int] = {}
        for into, gone in done:
            final[gone] = into

        def resolve(topic_id: int) -> int:
            while topic_id in final:
                topic_id = final[topic_id]
            return real.get(topic_id, topic_id)

        updates = {pk: resolve(t) for pk, t in assigned.items()}
        self._write_assignments(updates)
        merged_real = [(resolve(into), gone) for into, gone in done if gone > 0]
        self._record_merges(merged_real, emoticons, resolve)
        touched = set(updates.values()) | {into for into, _ in merged_real}
        vectors = {resolve(t.topic_id): t for t in clusterer.topics.values()}
        merged_emoticons: dict[int, Counter[str]] = defaultdict(Counter)
        for topic_id, found in emoticons.items():
            merged_emoticons[resolve(topic_id)].update(found)
        self._restat(
            touched, {into for into, _ in merged_real}, updates, vectors, counts_of, clusterer, merged_emoticons
        )
        _store_vocabulary(self.state, self.vocabulary)
        self.result.assigned += len(updates)
        return real

    def _root_topics(self) -> dict[tuple[str, str], int]:
        """The topic of each root the batch's reposts and replies name, followed through merges."""
        wanted = {(r[1], r[3]) for r in self.rows if r[3] and r[4] in FOLLOWING}
        if not wanted:
            return {}
        platforms = [p for p, _ in wanted]
        ids = [e for _, e in wanted]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH RECURSIVE roots AS (
                    SELECT m.platform, m.external_id, t.id, t.merged_into_id
                    FROM unnest(%s::text[], %s::text[]) AS w(platform, external_id)
                    JOIN monitoring_mention m ON m.platform = w.platform AND m.external_id = w.external_id
                    JOIN monitoring_topic t ON t.id = m.topic_id
                  UNION ALL
                    SELECT r.platform, r.external_id, t.id, t.merged_into_id
                    FROM roots r JOIN monitoring_topic t ON t.id = r.merged_into_id
                )
                SELECT platform, external_id, id FROM roots WHERE merged_into_id IS NULL
                """,
                [platforms, ids],
            )
            return {(p, e): t for p, e, t in cursor.fetchall()}

    def _create_born(self, clusterer: Clusterer) -> dict[int, int]:
        alive = [t for t in self.born if t in clusterer.topics]
        created = Topic.objects.bulk_create(
            [Topic(first_seen=_at(self.born[t]), last_seen=_at(clusterer.topics[t].last_seen), size=0) for t in alive]
        )
        real = {temporary: topic.pk for temporary, topic in zip(alive, created, strict=True)}
        TopicEvent.objects.bulk_create(
            [TopicEvent(topic=topic, kind=TopicEventKind.BORN, at=topic.first_seen) for topic in created]
        )
        self.result.topics_created += len(created)
        return real

    def _write_assignments(self, updates: dict[int, int]) -> None:
        if not updates:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE monitoring_mention m SET topic_id = v.topic FROM unnest(%s::bigint[], %s::bigint[]) "
                "AS v(id, topic) WHERE m.id = v.id",
                [list(updates), list(updates.values())],
            )

    def _record_merges(self, merged: list[tuple[int, int]], emoticons: dict[int, Counter[str]], resolve: Any) -> None:
        for into, gone in merged:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE monitoring_mention SET topic_id = %s WHERE topic_id = %s", [into, gone])
            source = Topic.objects.get(pk=gone)
            emoticons[into].update(source.emoticons)
            Topic.objects.filter(pk=gone).update(status=Status.MERGED, merged_into_id=into, burst=0.0)
            details = {"size": source.size, "label_terms": source.label_terms[:5]}
            TopicEvent.objects.bulk_create(
                [
                    TopicEvent(topic_id=gone, kind=TopicEventKind.MERGED, other_id=into, at=self.now, details=details),
                    TopicEvent(
                        topic_id=into, kind=TopicEventKind.ABSORBED, other_id=gone, at=self.now, details=details
                    ),
                ]
            )
            self.result.merged += 1

    def _restat(
        self,
        touched: set[int],
        merged_into: set[int],
        updates: dict[int, int],
        vectors: dict[int, TopicVector],
        counts_of: dict[int, Counter[str]],
        clusterer: Clusterer,
        emoticons: dict[int, Counter[str]],
    ) -> None:
        """The stats of the topics the batch changed: the batch's mentions added to what each topic had (a merge
        target is counted afresh), so a refresh costs what the batch holds, not what its topics hold."""
        # Quiet topics that were bursting decay too, or an old storm would lead the list for ever.
        cooling = set(
            Topic.objects.filter(status=Status.LIVE, burst__gt=0, last_seen__lt=stats.hour_floor(self.now)).values_list(
                "pk", flat=True
            )
        )
        ids = sorted(touched | cooling)
        if not ids:
            return
        added = _batch_stats(self.rows, updates)
        recounted = _aggregates(sorted(merged_into))
        members: dict[int, list[int]] = defaultdict(list)
        for pk, topic_id in updates.items():
            members[topic_id].append(pk)
        topics = {t.pk: t for t in Topic.objects.filter(pk__in=ids)}
        for topic_id, topic in topics.items():
            if topic_id in recounted:
                _set_stats(topic, recounted[topic_id])
            elif topic_id in added:
                _add_stats(topic, added[topic_id])
            hourly = stats.trim_hourly({datetime.fromisoformat(h): n for h, n in topic.hourly.items()}, self.now)
            topic.burst = stats.burst_score(hourly, self.now)
            topic.growth = stats.growth(hourly, self.now)
            topic.hourly = {format_timestamp(h): n for h, n in sorted(hourly.items())}
            if topic_id not in touched:
                continue
            vector = vectors.get(topic_id)
            if vector is not None:
                topic.centroid = dict(vector.counts.most_common(MAX_CENTROID_TERMS))
            topic.label_terms = stats.label_terms(Counter(topic.centroid), self.vocabulary)
            topic.emoticons = stats.top(Counter(topic.emoticons) + emoticons.get(topic_id, Counter()), 20)
            topic.representatives = _representatives(topic, members.get(topic_id, []), counts_of, clusterer, vector)
        stale = [
            t.pk
            for t in topics.values()
            if t.pk in touched and (t.size <= CASCADES_EXACT_UP_TO or t.size >= 1.1 * int(t.cascades.get("at_size", 0)))
        ]
        for topic_id, cascades in _cascades(stale, {pk: topics[pk].size for pk in stale}).items():
            topics[topic_id].cascades = cascades
        now = timezone.now()
        for topic in topics.values():
            topic.updated_at = now
        _write_topics([t for t in topics.values() if t.pk in touched], _COLUMNS)
        _write_topics([t for t in topics.values() if t.pk not in touched], _DECAYING)
        self._announce_emerging(list(topics.values()), topic_settings())

    def _announce_emerging(self, topics: Iterable[Topic], config: TopicSettings) -> None:
        for topic in topics:
            hot = topic.burst >= config.emerging_burst and topic.size >= config.emerging_min_size
            if hot and topic.emerging_at is None:
                topic.emerging_at = self.now
                Topic.objects.filter(pk=topic.pk).update(emerging_at=self.now)
                TopicEvent.objects.create(
                    topic=topic, kind=TopicEventKind.EMERGING, at=self.now, details={"burst": topic.burst}
                )
                notify(
                    event_type="topic.emerging",
                    data=emerging_payload(topic, config),
                    title=f"Emerging topic #{topic.pk}: {' '.join(topic.label_terms[:4])}",
                    text=f"{topic.size} mentions, burst {topic.burst:.1f} (threshold {config.emerging_burst:g})",
                )
                self.result.emerging.append(topic.pk)
            elif not hot and topic.emerging_at is not None and topic.burst < config.emerging_burst / 2:
                # Cooled well below the threshold: a later storm on the same topic is news again.
                Topic.objects.filter(pk=topic.pk).update(emerging_at=None)


def emerging_payload(topic: Topic, config: TopicSettings) -> dict[str, Any]:
    return {
        "topic_id": topic.pk,
        "label_terms": list(topic.label_terms),
        "size": topic.size,
        "authors": topic.authors,
        "burst": topic.burst,
        "growth": topic.growth,
        "threshold": config.emerging_burst,
        "first_seen": format_timestamp(topic.first_seen),
        "last_seen": format_timestamp(topic.last_seen),
    }


def _vector(topic: Topic) -> TopicVector:
    return TopicVector(topic.pk, Counter(topic.centroid), topic.last_seen.timestamp())


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _representatives(
    topic: Topic,
    members: list[int],
    counts_of: dict[int, Counter[str]],
    clusterer: Clusterer,
    vector: TopicVector | None,
) -> list[dict[str, Any]]:
    """The mentions closest to the topic's centroid: the best of this batch's members beside the ones kept."""
    kept = {int(r["mention_id"]): float(r["similarity"]) for r in topic.representatives or []}
    if vector is not None:
        for pk in members:
            kept[pk] = round(clusterer.similarity(counts_of[pk], vector), 4)
    best = sorted(kept.items(), key=lambda item: (-item[1], item[0]))[:REPRESENTATIVES]
    return [{"mention_id": pk, "similarity": similarity} for pk, similarity in best]


_DECAYING = {"burst": "float8", "growth": "float8", "hourly": "jsonb", "updated_at": "timestamptz"}
_COLUMNS = _DECAYING | {
    "size": "int4",
    "authors": "int4",
    "first_seen": "timestamptz",
    "last_seen": "timestamptz",
    "platforms": "jsonb",
    "sentiment": "jsonb",
    "emotions": "jsonb",
    "centroid": "jsonb",
    "label_terms": "jsonb",
    "emoticons": "jsonb",
    "cascades": "jsonb",
    "representatives": "jsonb",
}


def _write_topics(topics: list[Topic], columns: dict[str, str]) -> None:
    """Store many topics' columns in one statement from one JSON document (bulk_update's CASE per row and column
    costs seconds for a thousand topics with their centroids)."""
    if not topics:
        return
    rows = [
        {
            name: getattr(t, name).isoformat() if kind == "timestamptz" else getattr(t, name)
            for name, kind in columns.items()
        }
        | {"id": t.pk}
        for t in topics
    ]
    assignments = ", ".join(f"{name} = x.{name}" for name in columns)
    record = ", ".join(f"{name} {kind}" for name, kind in {"id": "int8", **columns}.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE monitoring_topic t SET {assignments} FROM jsonb_to_recordset(%s::jsonb) AS x({record}) "
            "WHERE t.id = x.id",
            [json.dumps(rows, ensure_ascii=False)],
        )


def _batch_stats(rows: list[tuple[Any, ...]], updates: dict[int, int]) -> dict[int, dict[str, Any]]:
    """Per topic, what the batch's mentions add: their count, mix, hours, time span, and the authors among them who
    had no earlier mention in the topic."""
    out: dict[int, dict[str, Any]] = {}
    pairs: set[tuple[int, int]] = set()
    for pk, platform, *_, published_at, author_id, sentiment, emotion in rows:
        topic_id = updates.get(pk)
        if topic_id is None:
            continue
        agg = out.setdefault(
            topic_id,
            {
                "size": 0,
                "platforms": Counter(),
                "sentiment": Counter(),
                "emotions": Counter(),
                "hourly": Counter(),
                "first_seen": published_at,
                "last_seen": published_at,
                "authors": 0,
            },
        )
        agg["size"] += 1
        agg["platforms"][platform] += 1
        if sentiment:
            agg["sentiment"][sentiment] += 1
        if emotion:
            agg["emotions"][emotion] += 1
        agg["hourly"][stats.hour_floor(published_at)] += 1
        agg["first_seen"] = min(agg["first_seen"], published_at)
        agg["last_seen"] = max(agg["last_seen"], published_at)
        if author_id is not None:
            pairs.add((topic_id, author_id))
    if pairs:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT topic_id, author_id FROM monitoring_mention WHERE author_id = ANY(%s) "
                "AND topic_id = ANY(%s) AND NOT (id = ANY(%s))",
                [list({a for _, a in pairs}), list(out), list(updates)],
            )
            known = set(cursor.fetchall())
        for topic_id, _ in pairs - known:
            out[topic_id]["authors"] += 1
    return out


def _add_stats(topic: Topic, added: dict[str, Any]) -> None:
    topic.size += added["size"]
    topic.authors += added["authors"]
    topic.first_seen = min(topic.first_seen, added["first_seen"]) if topic.size > added["size"] else added["first_seen"]
    topic.last_seen = max(topic.last_seen, added["last_seen"])
    for name in ("platforms", "sentiment", "emotions"):
        setattr(topic, name, dict(Counter(getattr(topic, name)) + added[name]))
    hourly = Counter({datetime.fromisoformat(h): n for h, n in topic.hourly.items()}) + added["hourly"]
    topic.hourly = {format_timestamp(h): n for h, n in hourly.items()}


def _set_stats(topic: Topic, agg: dict[str, Any]) -> None:
    topic.size, topic.authors = agg["size"], agg["authors"]
    topic.first_seen, topic.last_seen = agg["first_seen"], agg["last_seen"]
    topic.platforms, topic.sentiment, topic.emotions = agg["platforms"], agg["sentiment"], agg["emotions"]
    topic.hourly = {format_timestamp(h): n for h, n in agg["hourly"].items()}


_AGGREGATES_SQL = """
SELECT topic_id, platform, sentiment, emotion, date_trunc('hour', published_at) AS hour,
       count(*), count(DISTINCT author_id), min(published_at), max(published_at), GROUPING(platform, sentiment, emotion,
       date_trunc('hour', published_at))
FROM monitoring_mention
WHERE topic_id = ANY(%s)
GROUP BY GROUPING SETS ((topic_id), (topic_id, platform), (topic_id, sentiment), (topic_id, emotion),
                        (topic_id, date_trunc('hour', published_at)))
"""


def _aggregates(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Size, authors, first and last post, and the mix by platform, sentiment, emotion and hour, in one scan."""
    out: dict[int, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_AGGREGATES_SQL, [ids])
        for topic_id, platform, sentiment, emotion, hour, n, authors, first, last, grouping in cursor.fetchall():
            agg = out.setdefault(
                topic_id, {"platforms": {}, "sentiment": {}, "emotions": {}, "hourly": {}, "size": 0, "authors": 0}
            )
            if grouping == 0b1111:
                agg.update(size=n, authors=authors, first_seen=first, last_seen=last)
            elif grouping == 0b0111:
                agg["platforms"][platform] = n
            elif grouping == 0b1011 and sentiment:
                agg["sentiment"][sentiment] = n
            elif grouping == 0b1101 and emotion:
                agg["emotions"][emotion] = n
            elif grouping == 0b1110:
                agg["hourly"][hour] = n
    return out


_CASCADES_SQL = """
WITH roots AS (
    SELECT topic_id, platform, coalesce(nullif(root_external_id, ''), external_id) AS root, count(*) AS n
    FROM monitoring_mention WHERE topic_id = ANY(%s) GROUP BY 1, 2, 3
), largest AS (
    SELECT DISTINCT ON (topic_id) topic_id, platform, root, n FROM roots ORDER BY topic_id, n DESC, root
)
SELECT l.topic_id, (SELECT count(*) FROM roots r WHERE r.topic_id = l.topic_id), l.n, m.id
FROM largest l LEFT JOIN monitoring_mention m ON m.platform = l.platform AND m.external_id = l.root
"""


def _cascades(ids: list[int], sizes: dict[int, int]) -> dict[int, dict[str, Any]]:
    """How many cascades (a post with its reposts and replies) the topic spans, and its largest one's root, whose
    structure and key nodes GET /mentions/{id}/cascade tells."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_CASCADES_SQL, [ids])
        return {
            topic_id: {
                "count": count,
                "largest_root_mention_id": root_id,
                "largest_size": size,
                "at_size": sizes.get(topic_id, 0),
            }
            for topic_id, count, size, root_id in cursor.fetchall()
        }


MAX_BURST = 1000.0


def topic_settings_update(
    *, actor: Principal, emerging_burst: float | None = None, emerging_min_size: int | None = None
) -> TopicSettings:
    """Set when a topic counts as emerging; what is not given stays."""
    check_permission(actor, "warning.manage")
    errors = ErrorList()
    if emerging_burst is not None and not 0 < emerging_burst <= MAX_BURST:
        errors.add("emerging_burst", f"A burst score above 0, at most {MAX_BURST:g}.")
    if emerging_min_size is not None and not 1 <= emerging_min_size <= 2**31 - 1:
        errors.add("emerging_min_size", "A number of mentions from 1.")
    errors.raise_if_any()
    with transaction.atomic():
        row = TopicSettings.objects.select_for_update().first() or TopicSettings()
        if emerging_burst is not None:
            row.emerging_burst = float(emerging_burst)
        if emerging_min_size is not None:
            row.emerging_min_size = emerging_min_size
        row.save()
    return row
