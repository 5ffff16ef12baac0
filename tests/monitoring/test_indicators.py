"""Indicator arithmetic on controlled data: each type's value, score and explanation, and sane edge cases."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from config.errors import ErrorList
from monitoring.warning.indicators import read, validate_indicators
from monitoring.warning.sources import LiveSource
from tests.conftest import Api, key_auth

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class FakeSource:
    """Per-minute counts of one scope, given as {column: {minutes_ago: count}}."""

    def __init__(
        self,
        series: dict[str, dict[int, int]],
        history: list[int] | None = None,
        keywords: int = 0,
        terms: list[str] | None = None,
        burst: tuple[float, str] = (0.0, ""),
    ) -> None:
        self.series = series
        self._burst = burst
        self._history = history or []
        self._keywords = keywords
        self._terms = terms or []

    def total(self, scope, column, start, end):
        return sum(
            count for ago, count in self.series.get(column, {}).items() if start <= NOW - timedelta(minutes=ago) < end
        )

    def history(self, scope, column, end, window, days):
        return self._history[:days]

    def keyword_hits(self, scope, keywords, start, end):
        return self._keywords

    def new_terms(self, scope, start, end, baseline_days, min_count, baseline_max):
        return self._terms

    def topic_burst(self, scope, at, min_size):
        return self._burst


def indicator(kind: str, window: int = 15, **params):
    errors = ErrorList()
    [cleaned] = validate_indicators([{"type": kind, "window_minutes": window, "params": params}], errors)
    errors.raise_if_any()
    return cleaned


def test_volume_ramps_between_low_and_high():
    source = FakeSource({"mentions": {1: 30, 5: 20, 20: 1000}})

    reading = read(source, "tenant", NOW, indicator("volume", low=10, high=110), 1.0)

    assert (reading.value, reading.score) == (50, 0.4)
    assert reading.explanation == "50 mentions in 15 min"


def test_volume_anomaly_with_an_empty_baseline_stays_finite():
    quiet = read(FakeSource({"mentions": {}}, history=[0] * 7), "tenant", NOW, indicator("volume_anomaly"), 1)
    burst = read(FakeSource({"mentions": {1: 12}}, history=[0] * 7), "tenant", NOW, indicator("volume_anomaly"), 1)

    assert (quiet.value, quiet.score) == (0.0, 0.0)
    assert burst.value == 12.0 and burst.score == 1.0


def test_volume_anomaly_against_a_busy_baseline():
    reading = read(
        FakeSource({"mentions": {1: 130}}, history=[100, 110, 90, 100, 105, 95, 100]),
        "tenant",
        NOW,
        indicator("volume_anomaly"),
        1,
    )

    assert reading.details == {"expected": 100.0}
    assert reading.value == pytest.approx(3.0)
    assert reading.score == pytest.approx(2 / 3)


def test_volume_anomaly_ewma():
    series = {"mentions": {15 * k + 1: 10 for k in range(1, 13)} | {1: 40}}

    reading = read(FakeSource(series), "tenant", NOW, indicator("volume_anomaly", method="ewma", span=12), 1)

    assert reading.details["expected"] == pytest.approx(10.0)
    assert reading.score == 1.0
    assert "EWMA" in reading.explanation


def test_negative_ratio_needs_a_minimum_count():
    few = FakeSource({"mentions": {1: 4}, "negative": {1: 4}})
    many = FakeSource({"mentions": {1: 20}, "negative": {1: 11}})

    assert read(few, "tenant", NOW, indicator("negative_ratio", min_count=10), 1).score == 0.0
    reading = read(many, "tenant", NOW, indicator("negative_ratio", min_count=10, low=0.3, high=0.8), 1)
    assert reading.value == 0.55 and reading.score == pytest.approx(0.5)
    assert reading.explanation == "11/20 negative (55%)"


def test_negative_growth_against_the_previous_window():
    source = FakeSource({"negative": {3: 12, 20: 4}})

    reading = read(source, "tenant", NOW, indicator("negative_growth", min_count=5, low=0.5, high=3.0), 1)

    assert reading.value == 2.0 and reading.score == pytest.approx(0.6)


def test_spread_influencers_keywords_and_new_terms():
    source = FakeSource(
        {"reposts": {1: 100}, "influential": {2: 2}, "verified": {2: 5}}, keywords=7, terms=["自燃", "召回门"]
    )

    spread = read(source, "tenant", NOW, indicator("spread_velocity", window=10, low=0, high=20), 1)
    influential = read(source, "tenant", NOW, indicator("influential_involvement", low=0, high=4), 1)
    verified = read(source, "tenant", NOW, indicator("influential_involvement", who="verified", low=0, high=4), 1)
    keywords = read(source, "tenant", NOW, indicator("keyword_frequency", low=0, high=14), 1)
    terms = read(source, "tenant", NOW, indicator("new_terms", low=0, high=4), 1)

    assert (spread.value, spread.score) == (10.0, 0.5)
    assert (influential.value, influential.score) == (2, 0.5)
    assert verified.score == 1.0
    assert keywords.score == 0.5
    assert terms.value == 2 and terms.details == {"terms": ["自燃", "召回门"]}


def test_flatline_fires_when_usual_volume_vanishes():
    usual = [100] * 7
    silent = read(FakeSource({"mentions": {1: 5}}, history=usual), "tenant", NOW, indicator("flatline"), 1)
    normal = read(FakeSource({"mentions": {1: 90}}, history=usual), "tenant", NOW, indicator("flatline"), 1)
    sparse = read(FakeSource({"mentions": {}}, history=[1] * 7), "tenant", NOW, indicator("flatline"), 1)

    assert silent.score == 1.0
    assert normal.score == 0.0
    assert sparse.score == 0.0 and "too little usual volume" in sparse.explanation


def test_live_source_counts_keywords_and_history_from_the_database(alpha, item):
    api = Api("alpha", auth=key_auth(alpha.api_key))
    now = timezone.now()
    rule = api.post("/api/v1/rules", {"name": "phones", "expression": "手机"}).json()
    api.post(
        "/api/v1/mentions/batch",
        {
            "mentions": [
                item(text="手机爆炸了，我要投诉", published_at=(now - timedelta(minutes=2)).isoformat()),
                item(text="手机不错", published_at=(now - timedelta(minutes=3)).isoformat()),
                item(text="昨天这时候也有人投诉", published_at=(now - timedelta(days=1, minutes=5)).isoformat()),
            ]
        },
    )
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(slug="alpha")):
        scopes = ["tenant", f"rule:{rule['id']}"]
        source = LiveSource(scopes, now, timedelta(minutes=30))
        window = timedelta(minutes=15)
        assert source.keyword_hits("tenant", ["投诉", "召回"], now - window, now) == 1
        assert source.keyword_hits(f"rule:{rule['id']}", ["投诉"], now - window, now) == 1
        assert source.total(f"rule:{rule['id']}", "mentions", now - window, now) == 2
        assert source.history("tenant", "mentions", now, window, 3) == [1, 0, 0]


# One mention a minute for half an hour, then a climb to 11 a minute; and a noisy but level 6/10 alternation.
RISING = {"mentions": {ago: 1 if ago > 30 else 1 + (31 - ago) // 3 for ago in range(1, 61)}}
LEVEL = {"mentions": {ago: 6 if ago % 2 else 10 for ago in range(1, 61)}}


def test_forecast_size_runs_ahead_of_the_observed_volume_on_a_rise():
    volume = read(FakeSource(RISING), "tenant", NOW, indicator("volume", low=0, high=300), 1.0)
    forecast = read(FakeSource(RISING), "tenant", NOW, indicator("forecast_size", low=0, high=300), 1.0)

    assert volume.value == 125
    assert forecast.value == pytest.approx(178.7, abs=0.1)
    assert forecast.score > 0.5 > volume.score
    assert forecast.explanation == "179 mentions (forecast) in the next 15 min, 125 in the last"
    assert forecast.details["observed"] == 125
    assert forecast.details["forecast_low"] < forecast.value < forecast.details["forecast_high"]


def test_forecast_size_of_a_level_series_is_its_level():
    volume = read(FakeSource(LEVEL), "tenant", NOW, indicator("volume", low=0, high=300), 1.0)
    forecast = read(FakeSource(LEVEL), "tenant", NOW, indicator("forecast_size", low=0, high=300), 1.0)
    upper = read(FakeSource(LEVEL), "tenant", NOW, indicator("forecast_size", low=0, high=300, bound="high"), 1.0)

    assert volume.value == 118
    assert forecast.value == pytest.approx(120, abs=4)
    assert forecast.value < upper.value < 180
    assert "upper 80% bound" in upper.explanation


def test_forecast_size_below_min_count_is_the_observed_count():
    reading = read(FakeSource({"mentions": {1: 2, 3: 1}}), "tenant", NOW, indicator("forecast_size", low=0, high=10), 1)

    assert (reading.value, reading.score) == (3, 0.3)
    assert reading.explanation == "3 mentions in 15 min, too few to forecast"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"low": 50, "high": 20}, "indicators[0].params.high", "high must be above low (50)."),
        ({"low": -1}, "indicators[0].params.low", "low is a number of mentions ≥ 0."),
        ({"bin_minutes": 4}, "indicators[0].params.bin_minutes", "bin_minutes must divide window_minutes (15)."),
        ({"history_bins": 2}, "indicators[0].params.history_bins", "A whole number from 4 to 200."),
        ({"level": 1.5}, "indicators[0].params.level", "The interval level is between 0 and 1, e.g. 0.8."),
        ({"bound": "max"}, "indicators[0].params.bound", "Expected mean or high."),
    ],
)
def test_forecast_size_refuses_bad_params_naming_them(params, field, message):
    errors = ErrorList()

    validate_indicators([{"type": "forecast_size", "window_minutes": 15, "params": params}], errors)

    assert [(e.field, e.message) for e in errors.items] == [(field, message)]


def test_topic_burst_scores_the_most_bursting_topic_on_its_ramp_and_names_it():
    spec = indicator("topic_burst", low=2, high=6)
    source = FakeSource({}, burst=(5.0, "topic #7 (电池 爆炸, 40 mentions)"))

    reading = read(source, "tenant", NOW, spec, 1.0)

    assert (reading.value, reading.score) == (5.0, 0.75)
    assert reading.explanation == "burst 5.0 on topic #7 (电池 爆炸, 40 mentions)"
    quiet = read(FakeSource({}), "tenant", NOW, spec, 1.0)
    assert (quiet.value, quiet.score) == (0.0, 0.0) and "no topic of 10+ mentions" in quiet.explanation
