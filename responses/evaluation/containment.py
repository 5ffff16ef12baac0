"""Spread containment: what followed a case's first statement against what was forecast at that moment, both the
scope's volume and the case's own cascades (the evidence's original posts and everything reposted below them)."""

from datetime import datetime
from statistics import fmean
from typing import Any

from config.errors import NotFoundError
from monitoring.cascades.selectors import cascade_forecast_at, cascade_load
from monitoring.models import Mention
from responses.models import CrisisCase

# 100 at half the forecast or less, 50 as forecast, 0 at one and a half times or more: the same for both parts.
CONTAINMENT_BEST_RATIO = 0.5
CONTAINMENT_WORST_RATIO = 1.5
# The case's largest cascades by reposts: a long tail of single posts says nothing about containment, and each
# cascade is one tree query.
CONTAINMENT_CASCADES = 3


def spread_containment(case: CrisisCase, effect: dict[str, Any] | None) -> tuple[float | None, dict[str, Any], str]:
    """(value, inputs, explanation) of the component; the value is the mean of the parts that could be judged."""
    if effect is None:
        return None, {}, "No statement has been published: nothing to judge."
    found = effect["inputs"]
    volume: dict[str, Any] = {
        "statement_id": effect["statement_id"],
        "published_at": effect["at"].isoformat(),
        "mentions_before": found["mentions_before"],
        "mentions_after": found["mentions_after"],
        "after_minutes": found["after_minutes_elapsed"],
        "forecast_mentions": found["forecast_mentions"],
        "volume_z": found["volume_z"],
        "ratio": None,
    }
    values: list[float] = []
    words: list[str] = []
    if found["volume_z"] is None:
        words.append(f"volume: {effect['explanation']}")
    else:
        volume["ratio"] = round(found["mentions_after"] / max(found["forecast_mentions"], 1.0), 4)
        values.append(_value(volume["ratio"]))
        words.append(
            f"{found['mentions_after']} mentions in the {found['after_minutes_elapsed']} min after the first "
            f"statement against {found['forecast_mentions']:g} forecast at that moment (ratio {volume['ratio']:g})"
        )
    cascades = _cascades(case, effect["at"])
    forecast = [c for c in cascades if c["method"] != "observed"]
    if forecast:
        observed = sum(c["size_now"] for c in forecast)
        predicted = sum(c["forecast_final_size"] for c in forecast)
        ratio = round(observed / max(predicted, 1), 4)
        values.append(_value(ratio))
        words.append(
            f"its {len(forecast)} largest cascade(s) hold {observed} posts against {predicted} forecast at the "
            f"statement (ratio {ratio:g})"
        )
    elif cascades:
        words.append("no cascade of the case had enough reposts or history to be forecast at the statement")
    inputs = {**volume, "cascades": cascades}
    if not values:
        return None, inputs, f"First statement: {'; '.join(words)}."
    text = "; ".join(words) + "; each part is 100 at half its forecast or less, 50 as forecast, 0 at 1.5 times it."
    return fmean(values), inputs, text[:1].upper() + text[1:]


def _value(ratio: float) -> float:
    # Clamped per part, so that one far-overshooting part cannot cancel the other in the mean.
    value = 100.0 * (CONTAINMENT_WORST_RATIO - ratio) / (CONTAINMENT_WORST_RATIO - CONTAINMENT_BEST_RATIO)
    return min(100.0, max(0.0, value))


def _cascades(case: CrisisCase, at: datetime) -> list[dict[str, Any]]:
    """The case's largest cascades already under way when its first statement was published: the size each was
    forecast to reach from what had been published by then, and its size now."""
    evidence = list(case.evidence.all())
    roots = {(m.platform, m.external_id) for m in evidence if not m.parent_external_id}
    roots |= {(m.platform, m.root_external_id) for m in evidence if m.root_external_id}
    if not roots:
        return []
    by_platform: dict[str, list[str]] = {}
    for platform, external_id in roots:
        by_platform.setdefault(platform, []).append(external_id)
    candidates = [
        m
        for platform, ids in sorted(by_platform.items())
        for m in Mention.objects.filter(platform=platform, external_id__in=ids, published_at__lt=at).only(
            "id", "reposts", "published_at"
        )
    ]
    candidates.sort(key=lambda m: (-m.reposts, m.published_at, m.pk))
    rows = []
    for root in candidates[:CONTAINMENT_CASCADES]:
        try:
            cascade, truncated = cascade_load(root.pk)
        except NotFoundError:
            continue
        forecast, _ = cascade_forecast_at(cascade, at)
        rows.append(
            {
                "mention_id": root.pk,
                "size_at_statement": forecast.observed_size,
                "forecast_final_size": forecast.predicted_final_size,
                "method": forecast.method,
                "size_now": cascade.size,
                "truncated": truncated,
            }
        )
    return rows
