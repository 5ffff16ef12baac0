"""What a topic shows besides its members: label terms, a burst score against its own history, and growth. Pure
arithmetic over what the refresh read, so tests can check it with exact numbers."""

import math
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta

from monitoring.topics.clustering import Vocabulary

LABEL_TERMS = 8
HISTORY_HOURS = 168
# EWMA of the hourly counts (SigniTrend, Schubert et al. 2014): a weight of 0.1 per hour remembers about the last
# day; the bias keeps a topic of two or three posts an hour from looking like a storm.
EWMA_ALPHA = 0.1
BURST_BIAS = 2.0
GROWTH_HOURS = 6


def label_terms(counts: Mapping[str, int], vocabulary: Vocabulary, n: int = LABEL_TERMS) -> list[str]:
    """Class-based TF-IDF (Grootendorst 2022): a term's share of the topic's words times log(1 + documents / the
    term's frequency over the whole stream), so words every topic uses sink and the topic's own rise."""
    total = sum(counts.values()) or 1
    documents = max(vocabulary.documents, 1)

    def weight(term: str) -> float:
        return counts[term] / total * math.log(1 + documents / max(vocabulary.df.get(term, 0), 1))

    return sorted(counts, key=lambda t: (-weight(t), t))[:n]


def hour_floor(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def burst_score(hourly: Mapping[datetime, int], now: datetime) -> float:
    """How far the hour under way at `now` stands above the EWMA of the topic's earlier hours, in EWMA standard
    deviations (plus a bias); 0 when it is not above. A topic's hours before its first post count as quiet."""
    if not hourly:
        return 0.0
    current = hour_floor(now)
    start = max(min(hourly), current - timedelta(hours=HISTORY_HOURS))
    mean = variance = 0.0
    hour = start
    while hour < current:
        x = hourly.get(hour, 0)
        delta = x - mean
        mean += EWMA_ALPHA * delta
        variance = (1 - EWMA_ALPHA) * (variance + EWMA_ALPHA * delta * delta)
        hour += timedelta(hours=1)
    z = (hourly.get(current, 0) - mean) / (math.sqrt(variance) + BURST_BIAS)
    return round(max(z, 0.0), 3)


def growth(hourly: Mapping[datetime, int], now: datetime) -> float:
    """Relative change of the last six hours' mentions against the six before: 1.0 is twice as many."""
    current = hour_floor(now)
    recent = sum(n for h, n in hourly.items() if current - timedelta(hours=GROWTH_HOURS) < h <= current)
    before = sum(
        n
        for h, n in hourly.items()
        if current - timedelta(hours=2 * GROWTH_HOURS) < h <= current - timedelta(hours=GROWTH_HOURS)
    )
    return round((recent - before) / max(before, 1), 3)


def trim_hourly(hourly: Mapping[datetime, int], now: datetime) -> dict[datetime, int]:
    edge = hour_floor(now) - timedelta(hours=HISTORY_HOURS)
    return {h: n for h, n in hourly.items() if h >= edge}


def top(counter: Counter[str], n: int) -> dict[str, int]:
    return dict(counter.most_common(n))
