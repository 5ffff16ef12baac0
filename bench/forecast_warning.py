"""Lead time of the `forecast_size` warning indicator over `volume` alone, on CED cascades replayed as a scope.

Each CED cascade (the source post and every repost with a readable date, read with the product's CED loader) becomes
one scope's per-minute mention series from the source post's minute; the real engine code (`engine.assess` and the
lifecycle `engine.step`, through a `SeriesSource` over that series) evaluates it every minute for the first
`--hours`, for four policies at the same threshold T mentions per 15 minutes:

- volume:   [volume]                       (ramp 0 → 2T, blue at index 50: fires at T observed)
- forecast: [forecast_size]                (same ramp: fires at T forecast for the next 15 minutes)
- both:     [volume, forecast_size], equal weights (fires when observed and forecast average T)
- forecast_high: [forecast_size, bound "high"] (the upper 80% bound instead of the mean), for comparison.

Rumour cascades are the positives: recall = rumours alerted / rumours, precision = rumours alerted / cascades
alerted; `followed_by_volume` is the share of a policy's alerted cascades on which volume alone alerts too, i.e.
whose observed volume did reach T (the others are alerts the forecast raised in vain). Lead time = minutes by which
a policy's first alert comes before volume's, on rumours both alert on.
No database: the policies are unsaved model instances. Time per call of the fixed-constant forecast and of the
fitted `forecast_series` is measured on the same bins.

    uv run --frozen python bench/forecast_warning.py [--hours 12] [--thresholds 20,50,100] [--workers 4]
"""

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _setup import ROOT, percentile, write_result  # type: ignore[import-not-found]

from config.errors import ErrorList
from monitoring.cascades.forecast import WARNING_SMOOTHING, damped_trend_forecast, forecast_series
from monitoring.ingest.sources import ced
from monitoring.models import WarningPolicy
from monitoring.warning.engine import AlertState, assess, step
from monitoring.warning.indicators import validate_indicators
from monitoring.warning.sources import SeriesSource

WINDOW = 15
ORIGIN = datetime(2013, 1, 1, tzinfo=UTC)  # any whole minute: the series carry their own offsets


def load(root: Path, hours: int) -> list[tuple[str, list[int]]]:
    """(label, mentions per minute from the source post's minute) per cascade, over the first `hours`."""
    size = hours * 60
    out = []
    for cascade in ced.cascades(root):
        stamps = [datetime.fromisoformat(i["published_at"]) for i in ced.items(cascade)]
        start = stamps[0].replace(second=0, microsecond=0)
        counts = [0] * size
        for at in stamps:
            minute = max(int((at - start).total_seconds() // 60), 0)
            if minute < size:
                counts[minute] += 1
        out.append((cascade.label, counts))
    return out


def policy(indicators: list[dict[str, Any]]) -> WarningPolicy:
    errors = ErrorList()
    cleaned = validate_indicators(indicators, errors)
    errors.raise_if_any()
    return WarningPolicy(
        name="bench",
        indicators=cleaned,
        thresholds={"blue": 50.0, "yellow": 65.0, "orange": 80.0, "red": 95.0},
        resolve_below=25.0,
        resolve_after=3,
        realert_minutes=30,
    )


def policies(threshold: int) -> dict[str, WarningPolicy]:
    ramp = {"low": 0, "high": 2 * threshold}
    volume = {"key": "volume", "type": "volume", "window_minutes": WINDOW, "params": ramp}
    forecast = {"key": "forecast", "type": "forecast_size", "window_minutes": WINDOW, "params": ramp}
    upper = {**forecast, "params": {**ramp, "bound": "high"}}
    return {
        "volume": policy([volume]),
        "forecast": policy([forecast]),
        "both": policy([volume, forecast]),
        "forecast_high": policy([upper]),
    }


def first_alert(counts: list[int], chosen: WarningPolicy) -> int | None:
    """The minute (after the source post) of the policy's first alert, or None."""
    source = SeriesSource("tenant", ORIGIN, len(counts) + 1, {"mentions": counts})
    prefix = [0]
    for c in counts:
        prefix.append(prefix[-1] + c)
    state: AlertState | None = None
    for minute in range(1, len(counts) + 1):
        # Below 5 mentions in the window neither indicator can reach T (>= 20): skip without evaluating.
        if prefix[minute] - prefix[max(minute - WINDOW, 0)] < 5:
            continue
        assessment = assess(chosen, "tenant", source, ORIGIN + timedelta(minutes=minute))
        state, kind, _ = step(state, assessment, chosen, silenced=False)
        if kind == "opened":
            return minute
    return None


def run_one(args: tuple[int, list[tuple[str, list[int]]]]) -> list[tuple[str, dict[str, int | None]]]:
    threshold, chunk = args
    chosen = policies(threshold)
    return [(label, {name: first_alert(counts, p) for name, p in chosen.items()}) for label, counts in chunk]


def summarise(results: list[tuple[str, dict[str, int | None]]]) -> dict[str, Any]:
    rumours = sum(label == "rumor" for label, _ in results)
    others = len(results) - rumours
    out: dict[str, Any] = {}
    for name in results[0][1]:
        hit_r = sum(label == "rumor" and r[name] is not None for label, r in results)
        hit_n = sum(label != "rumor" and r[name] is not None for label, r in results)
        entry: dict[str, Any] = {
            "rumours_alerted": hit_r,
            "non_rumours_alerted": hit_n,
            "recall": round(hit_r / rumours, 4) if rumours else None,
            "precision": round(hit_r / (hit_r + hit_n), 4) if hit_r + hit_n else None,
            "false_alert_rate": round(hit_n / others, 4) if others else None,
        }
        if name != "volume":
            leads = [
                r["volume"] - r[name]  # type: ignore[operator]
                for label, r in results
                if label == "rumor" and r["volume"] is not None and r[name] is not None
            ]
            entry |= {
                "lead_minutes_median": statistics.median(leads) if leads else None,
                "lead_minutes_mean": round(statistics.fmean(leads), 2) if leads else None,
                "lead_minutes_p25": percentile([float(x) for x in leads], 25) if leads else None,
                "lead_minutes_p75": percentile([float(x) for x in leads], 75) if leads else None,
                "share_earlier": round(sum(x > 0 for x in leads) / len(leads), 4) if leads else None,
                "share_later": round(sum(x < 0 for x in leads) / len(leads), 4) if leads else None,
                "rumours_only_this_alerted": sum(
                    label == "rumor" and r["volume"] is None and r[name] is not None for label, r in results
                ),
                # Of the cascades this policy alerted on, the share whose volume also reached T within the replay.
                "followed_by_volume": round(
                    sum(r[name] is not None and r["volume"] is not None for _, r in results)
                    / max(sum(r[name] is not None for _, r in results), 1),
                    4,
                ),
                "extra_false_alerts_vs_volume": hit_n
                - sum(label != "rumor" and r["volume"] is not None for label, r in results),
            }
        out[name] = entry
    return out


def forecast_cost() -> dict[str, float]:
    bins = [0, 1, 0, 2, 3, 5, 8, 12, 20, 30, 45, 60]
    forecast_series(bins, 3)  # warm statsmodels up
    timings = {}
    for name, call, repeat in (
        ("damped_trend_forecast_us", lambda: damped_trend_forecast(bins, 3), 5000),
        ("forecast_series_fitted_us", lambda: forecast_series(bins, 3), 50),
    ):
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        timings[name] = round((time.perf_counter() - started) / repeat * 1e6, 1)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=int, default=12)
    parser.add_argument("--thresholds", default="20,50,100")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    root = ROOT / ".services" / "datasets" / "CED_Dataset"
    started = time.perf_counter()
    cascades = load(root, args.hours)
    sizes = [sum(c) for _, c in cascades]
    report: dict[str, Any] = {
        "dataset": "CED",
        "cascades": len(cascades),
        "rumours": sum(label == "rumor" for label, _ in cascades),
        "hours_replayed": args.hours,
        "window_minutes": WINDOW,
        "median_size_in_hours": statistics.median(sizes),
        "forecast_constants_alpha_beta_phi": WARNING_SMOOTHING,
        "forecast_defaults": {"bin_minutes": 5, "history_bins": 12, "min_count": 5, "level": 0.8},
        "cost": forecast_cost(),
        "by_threshold": {},
    }
    chunks = [cascades[i :: args.workers * 4] for i in range(args.workers * 4)]
    for threshold in (int(t) for t in args.thresholds.split(",")):
        with ProcessPoolExecutor(args.workers) as pool:
            results = [row for part in pool.map(run_one, [(threshold, c) for c in chunks]) for row in part]
        report["by_threshold"][str(threshold)] = summarise(results)
        print(threshold, report["by_threshold"][str(threshold)])
    report["seconds"] = round(time.perf_counter() - started, 1)
    write_result("forecast_warning", report)


if __name__ == "__main__":
    main()
