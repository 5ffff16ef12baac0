"""Single-pass clustering of short posts into topics (online event detection in the spirit of Allan et al. 1998):
a post joins the live topic whose TF-IDF centroid is most similar if the cosine reaches the threshold, and opens
a topic of its own otherwise. Replies and reposts follow their root's topic unless their own words clearly belong
to another one. Pure: the topics service loads this state from the database and stores it back."""

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# A centroid keeps its heaviest terms only, so a topic of a million posts costs what one of a thousand does.
MAX_CENTROID_TERMS = 200
# Candidates are the topics sharing one of a post's rarest terms, found through each topic's heaviest terms.
_INDEXED_TERMS = 40
_LOOKUP_TERMS = 8
# Replies need this many terms of their own before their text may say they are about something else, and their
# best other topic must be this many times closer than their root's.
_OWN_WORDS = 3
_CLEARLY_CLOSER = 2.0
# A topic's heaviest terms settle after its first posts: its index entries are redone after each of its first
# _REINDEX_EVERY posts and then every _REINDEX_EVERY posts, not on every post.
_REINDEX_EVERY = 8
_NORM_REFRESH = 64


@dataclass
class Vocabulary:
    """Document frequencies of the terms of every post clustered so far, which make the IDF."""

    documents: int = 0
    df: Counter[str] = field(default_factory=Counter)

    def idf(self, term: str) -> float:
        return math.log((1 + self.documents) / (1 + self.df.get(term, 0))) + 1.0

    def add(self, terms: Iterable[str]) -> None:
        self.documents += 1
        self.df.update(terms)


@dataclass
class TopicVector:
    topic_id: int
    counts: Counter[str]
    last_seen: float
    touched: bool = False
    # The squared norm under the IDF it was last computed with, kept up to date term by term as posts join; it is
    # computed afresh every _NORM_REFRESH posts, so the IDF's drift does not build up.
    _squared: float | None = None
    adds: int = 0
    indexed: set[str] = field(default_factory=set)

    def norm(self, vocabulary: Vocabulary) -> float:
        if self._squared is None:
            self._squared = sum((c * vocabulary.idf(t)) ** 2 for t, c in self.counts.items())
        return math.sqrt(self._squared) or 1.0

    def heaviest(self, n: int) -> list[str]:
        return [term for term, _ in self.counts.most_common(n)]


class Clusterer:
    def __init__(
        self,
        vocabulary: Vocabulary,
        topics: Iterable[TopicVector],
        *,
        threshold: float,
        active_seconds: float,
        new_topic: Callable[[float], int],
    ) -> None:
        self.vocabulary = vocabulary
        self.threshold = threshold
        self.active_seconds = active_seconds
        self._new_topic = new_topic
        self.topics: dict[int, TopicVector] = {}
        self._index: dict[str, set[int]] = {}
        for topic in topics:
            self.topics[topic.topic_id] = topic
            self._reindex(topic)

    def assign(self, counts: Counter[str], at: float) -> int:
        """The topic a post with these term counts, published at `at` (epoch seconds), joins; opens one if none
        is close enough."""
        self.vocabulary.add(counts)
        topic_id, similarity = self._best(counts, at, exclude=None)
        if topic_id is None or similarity < self.threshold:
            topic_id = self._new_topic(at)
            self.topics[topic_id] = TopicVector(topic_id, Counter(), at)
        self._add(self.topics[topic_id], counts, at)
        return topic_id

    def follow(self, root_topic: int, counts: Counter[str], at: float) -> int:
        """The topic of a reply or repost whose root is in `root_topic`: the root's, unless the post's own words
        are clearly about another live topic."""
        self.vocabulary.add(counts)
        chosen = root_topic
        root = self.topics.get(root_topic)
        if sum(counts.values()) >= _OWN_WORDS:
            other, similarity = self._best(counts, at, exclude=root_topic)
            own = self.similarity(counts, root) if root is not None else 0.0
            if other is not None and similarity >= self.threshold and similarity >= _CLEARLY_CLOSER * own:
                chosen = other
        topic = self.topics.get(chosen)
        if topic is None:
            # The root's topic is not live here (it went quiet): the reply wakes it with its own words.
            topic = self.topics[chosen] = TopicVector(chosen, Counter(), at)
        self._add(topic, counts, at)
        return chosen

    def similarity(self, counts: Counter[str], topic: TopicVector) -> float:
        idf = self.vocabulary.idf
        weights = {t: (1.0 + math.log(c)) * idf(t) for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if not norm:
            return 0.0
        dot = sum(w * topic.counts[t] * idf(t) for t, w in weights.items() if t in topic.counts)
        return dot / (norm * topic.norm(self.vocabulary))

    def close_pairs(self, threshold: float) -> list[tuple[int, int, float]]:
        """(larger, smaller, cosine) of live topics whose centroids came within `threshold` of a touched one,
        the closest first: the merges the service records."""
        seen: set[tuple[int, int]] = set()
        pairs: list[tuple[int, int, float]] = []
        for topic in [t for t in self.topics.values() if t.touched]:
            for other_id in self._candidates(topic.counts, topic.last_seen, exclude=topic.topic_id):
                key = (min(topic.topic_id, other_id), max(topic.topic_id, other_id))
                if key in seen:
                    continue
                seen.add(key)
                other = self.topics[other_id]
                cosine = self._centroid_cosine(topic, other)
                if cosine >= threshold:
                    big, small = sorted((topic, other), key=lambda t: (-sum(t.counts.values()), t.topic_id))
                    pairs.append((big.topic_id, small.topic_id, cosine))
        return sorted(pairs, key=lambda p: -p[2])

    def load(self, topic: TopicVector) -> None:
        """Take in a stored topic (one a reply's root belongs to, gone quiet before this refresh began)."""
        if topic.topic_id not in self.topics:
            self.topics[topic.topic_id] = topic
            self._reindex(topic)

    def rename(self, old: int, new: int) -> None:
        """Give a topic its stored id (new topics carry a temporary one until their rows exist)."""
        topic = self.topics.pop(old)
        self._unindex(topic)
        topic.topic_id = new
        self.topics[new] = topic
        self._reindex(topic)

    def evict(self, before: float) -> None:
        """Forget the topics no post joined since `before`: closed to new posts, they only cost lookups."""
        for topic in [t for t in self.topics.values() if t.last_seen < before]:
            self._unindex(self.topics.pop(topic.topic_id))

    def merge(self, into: int, gone: int) -> None:
        target, source = self.topics[into], self.topics.pop(gone)
        self._unindex(source)
        target.counts.update(source.counts)
        target.last_seen = max(target.last_seen, source.last_seen)
        target._squared = None
        self._trim(target)
        self._reindex(target)

    def _centroid_cosine(self, a: TopicVector, b: TopicVector) -> float:
        # Both norms afresh: a topic no post joined lately keeps the norm of an older IDF, which would hide a merge.
        a._squared = b._squared = None
        idf = self.vocabulary.idf
        dot = sum(c * b.counts[t] * idf(t) ** 2 for t, c in a.counts.items() if t in b.counts)
        return dot / (a.norm(self.vocabulary) * b.norm(self.vocabulary))

    def _best(self, counts: Counter[str], at: float, *, exclude: int | None) -> tuple[int | None, float]:
        best, best_similarity = None, 0.0
        for topic_id in self._candidates(counts, at, exclude=exclude):
            similarity = self.similarity(counts, self.topics[topic_id])
            if similarity > best_similarity:
                best, best_similarity = topic_id, similarity
        return best, best_similarity

    def _candidates(self, counts: Counter[str], at: float, *, exclude: int | None) -> set[int]:
        rarest = sorted(counts, key=lambda t: (-self.vocabulary.idf(t), t))[:_LOOKUP_TERMS]
        found: set[int] = set()
        for term in rarest:
            found |= self._index.get(term, set())
        found.discard(exclude)  # type: ignore[arg-type]
        return {t for t in found if at - self.topics[t].last_seen <= self.active_seconds}

    def _add(self, topic: TopicVector, counts: Counter[str], at: float) -> None:
        idf = self.vocabulary.idf
        for term, n in counts.items():
            old = topic.counts.get(term, 0)
            if topic._squared is not None:
                topic._squared += ((old + n) ** 2 - old**2) * idf(term) ** 2
            topic.counts[term] = old + n
        topic.last_seen = max(topic.last_seen, at)
        topic.touched = True
        topic.adds += 1
        if topic.adds % _NORM_REFRESH == 0:
            topic._squared = None
        self._trim(topic)
        if topic.adds <= _REINDEX_EVERY or topic.adds % _REINDEX_EVERY == 0:
            self._reindex(topic)

    def _trim(self, topic: TopicVector) -> None:
        if len(topic.counts) > MAX_CENTROID_TERMS * 2:
            topic.counts = Counter(dict(topic.counts.most_common(MAX_CENTROID_TERMS)))
            topic._squared = None

    def _reindex(self, topic: TopicVector) -> None:
        after = set(topic.heaviest(_INDEXED_TERMS))
        for term in topic.indexed - after:
            self._index.get(term, set()).discard(topic.topic_id)
        for term in after - topic.indexed:
            self._index.setdefault(term, set()).add(topic.topic_id)
        topic.indexed = after

    def _unindex(self, topic: TopicVector) -> None:
        for term in topic.indexed:
            self._index.get(term, set()).discard(topic.topic_id)
        topic.indexed = set()


def merges(clusterer: Clusterer, threshold: float) -> list[tuple[int, int]]:
    """Merge the live topics that came within `threshold` of each other; (into, gone) in the order done. Clears
    the touched marks, so the next round looks at what changed since."""
    done: list[tuple[int, int]] = []
    for into, gone, _ in clusterer.close_pairs(threshold):
        if into in clusterer.topics and gone in clusterer.topics:
            clusterer.merge(into, gone)
            done.append((into, gone))
    for topic in clusterer.topics.values():
        topic.touched = False
    return done
