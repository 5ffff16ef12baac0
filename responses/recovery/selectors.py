"""Reputation recovery (危機後續處理): the case's talk, hour by hour from the time it reached `recovering`, against
its baseline, the same scope over the days before detection (README, "Reputation recovery").

The scope and the reads are the response effects' (the case's brands' mentions and its evidence, through monitoring's
trends selector), per whole hour. An hour is within tolerance when its volume is at most the baseline's hourly mean
plus the relative tolerance (of at least one mention) and its negative share at most the baseline's plus the share
tolerance (an hour without mentions has nothing negative); the case has recovered at the first hour of the first run of
such hours as long as the sustained window.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from monitoring.analytics.trends import EMOTIONS, scope_trends
from monitoring.analytics.volume import floor_to
from responses.cases.selectors import case_get
from responses.models import CrisisCase
from tenants.identity.principals import Principal

_HOUR = timedelta(hours=1)
# Hours read after the start, at most: a month of recovery is long past the question (and one trends read).
MAX_TRACK_HOURS = 30 * 24


@dataclass(frozen=True)
class RecoveryConfig:
    baseline_days: int
    volume_tolerance: float
    negative_share_tolerance: float
    sustained_hours: int


def recovery_config() -> RecoveryConfig:
    return RecoveryConfig(
        baseline_days=settings.RECOVERY_BASELINE_DAYS,
        volume_tolerance=settings.RECOVERY_VOLUME_TOLERANCE,
        negative_share_tolerance=settings.RECOVERY_NEGATIVE_TOLERANCE,
        sustained_hours=settings.RECOVERY_SUSTAINED_HOURS,
    )


def recovery_start(case: CrisisCase) -> datetime | None:
    """When recovery is tracked from: reaching `recovering`, or the resolution of a case resolved without it."""
    return case.recovering_at or case.resolved_at


def case_recovery(*, actor: Principal, case_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The baseline, each whole hour since the case reached `recovering` with its distance from the baseline, and
    whether and when the talk recovered."""
    return recovery_of(actor, case_get(actor=actor, case_id=case_id), now or timezone.now())


def recovery_of(actor: Principal, case: CrisisCase, now: datetime) -> dict[str, Any]:
    config = recovery_config()
    detected = floor_to(case.created_at, _HOUR)
    baseline = _summary(_read(actor, case, detected - timedelta(days=config.baseline_days), detected))
    start = recovery_start(case)
    found: dict[str, Any] = {
        "case_id": case.pk,
        "scope": f"case:{case.pk}",
        "settings": {
            "baseline_days": config.baseline_days,
            "volume_tolerance": config.volume_tolerance,
            "negative_share_tolerance": config.negative_share_tolerance,
            "sustained_hours": config.sustained_hours,
        },
        "baseline": {"since": detected - timedelta(days=config.baseline_days), "until": detected, **baseline},
        "since": start,
        "intervals": [],
        "recovered": False,
        "recovered_at": None,
        "hours_to_recovery": None,
    }
    if start is None:
        found["explanation"] = "The case has not reached recovering: nothing to track yet."
        return found
    begin = floor_to(start, _HOUR)
    end = min(floor_to(now, _HOUR), begin + MAX_TRACK_HOURS * _HOUR)
    points = _read(actor, case, begin, end)
    found["intervals"] = [_interval(point, baseline, config) for point in points]
    run: list[dict[str, Any]] = []
    for interval in found["intervals"]:
        run = [*run, interval] if interval["within"] else []
        if len(run) == config.sustained_hours:
            found["recovered"], found["recovered_at"] = True, run[0]["at"]
            # The first hour may begin before the start (it is the start's hour): no negative time.
            found["hours_to_recovery"] = round(max(0.0, (run[0]["at"] - start) / _HOUR), 2)
            break
    found["explanation"] = _explain(found, config)
    return found


def _read(actor: Principal, case: CrisisCase, since: datetime, until: datetime) -> list[dict[str, Any]]:
    if since >= until:
        return []
    trends = scope_trends(
        actor=actor,
        scope=f"case:{case.pk}",
        interval="1h",
        since=since,
        until=until,
        case_brands=[b.pk for b in case.brands.all()],
        case_mentions=[m.pk for m in case.evidence.all()],
    )
    return list(trends["series"])


def _summary(points: list[dict[str, Any]]) -> dict[str, Any]:
    mentions = sum(p["mentions"] for p in points)
    negative = sum(p["sentiment"]["negative"] for p in points)
    emotions = {e: sum(p["emotions"][e] for p in points) for e in EMOTIONS}
    labelled = sum(emotions.values())
    return {
        "hours": len(points),
        "mentions": mentions,
        "per_hour": round(mentions / len(points), 4) if points else 0.0,
        "negative": negative,
        "negative_share": round(negative / mentions, 4) if mentions else None,
        "emotion_mix": {e: round(n / labelled, 4) for e, n in emotions.items()} if labelled else None,
    }


def _interval(point: dict[str, Any], baseline: dict[str, Any], config: RecoveryConfig) -> dict[str, Any]:
    mentions, negative = point["mentions"], point["sentiment"]["negative"]
    per_hour, base_share = baseline["per_hour"], baseline["negative_share"] or 0.0
    share = negative / mentions if mentions else None
    labelled = sum(point["emotions"].values())
    base_mix = baseline["emotion_mix"] or dict.fromkeys(EMOTIONS, 0.0)
    volume_ok = mentions - per_hour <= config.volume_tolerance * max(per_hour, 1.0)
    negative_ok = share is None or share - base_share <= config.negative_share_tolerance
    return {
        "at": point["at"],
        "mentions": mentions,
        "negative": negative,
        "negative_share": None if share is None else round(share, 4),
        "volume_distance": round((mentions - per_hour) / per_hour, 4) if per_hour else None,
        "negative_share_distance": None if share is None else round(share - base_share, 4),
        "emotion_distance": (
            {e: round(point["emotions"][e] / labelled - base_mix[e], 4) for e in EMOTIONS} if labelled else None
        ),
        "within": volume_ok and negative_ok,
    }


def _explain(found: dict[str, Any], config: RecoveryConfig) -> str:
    baseline = found["baseline"]
    share = baseline["negative_share"]
    base = (
        f"Baseline over the {config.baseline_days} days before detection: {baseline['per_hour']:g} mentions an hour, "
        + (f"{share:.1%} negative" if share is not None else "no mentions to give a negative share (taken as 0)")
    )
    hours = len(found["intervals"])
    if found["recovered"]:
        return (
            f"{base}. Recovered at {found['recovered_at']:%Y-%m-%d %H:%M} UTC, {found['hours_to_recovery']:g} h after "
            f"recovery began: from then on {config.sustained_hours} whole hours in a row within "
            f"{config.volume_tolerance:.0%} of the volume and {config.negative_share_tolerance * 100:g} points of the "
            "negative share."
        )
    return (
        f"{base}. Not recovered in the {hours} whole hours since recovery began: no run of {config.sustained_hours} "
        f"hours within {config.volume_tolerance:.0%} of the volume and {config.negative_share_tolerance * 100:g} "
        "points of the negative share yet."
    )
