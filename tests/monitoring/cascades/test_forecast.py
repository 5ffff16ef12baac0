import itertools
import math
import random

import numpy
import pytest

from monitoring.cascades.forecast import (
    KERNEL_CUTOFF_S,
    KERNEL_THETA,
    MIN_HISTORY,
    SEISMIC_MIN_REPOSTS,
    Forecast,
    LogLinearModel,
    fit_loglinear,
    forecast_cascade,
    forecast_series,
    loglinear,
    memory_ccdf,
    seismic,
    trend_state,
)

HOUR = 3600.0


def kernel_delay(rng: random.Random) -> float:
    """A reaction delay drawn from SEISMIC's memory kernel by inverting its CDF."""
    u = rng.random()
    head = KERNEL_THETA / (1 + KERNEL_THETA)  # the kernel's mass below the cutoff
    if u < head:
        return KERNEL_CUTOFF_S * u / head
    return KERNEL_CUTOFF_S * ((1 + KERNEL_THETA) * (1 - u)) ** (-1 / KERNEL_THETA)


def hawkes_cascade(rng: random.Random, root_offspring: float, branching: float) -> tuple[list[float], list[int]]:
    """A complete cascade of the model SEISMIC assumes: p = branching, root followers so that it draws
    root_offspring reposts, every reposter one follower (so n* = 1 and rho = p)."""
    np_rng = numpy.random.default_rng(rng.randrange(2**32))
    times = [0.0]
    followers = [max(1, round(root_offspring / branching))]
    queue = [0]
    while queue and len(times) < 20_000:
        parent = queue.pop()
        for _ in range(np_rng.poisson(branching * followers[parent])):
            times.append(times[parent] + kernel_delay(rng))
            followers.append(1)
            queue.append(len(times) - 1)
    order = sorted(range(len(times)), key=times.__getitem__)
    return [times[i] for i in order], [followers[i] for i in order]


def until(times: list[float], followers: list[int], at: float) -> tuple[list[float], list[int]]:
    keep = [i for i, t in enumerate(times) if t <= at]
    return [times[i] for i in keep], [followers[i] for i in keep]


def assert_consistent(forecast: Forecast) -> None:
    assert forecast.observed_size <= forecast.interval_low <= forecast.predicted_final_size
    assert forecast.predicted_final_size <= forecast.interval_high


def test_the_memory_kernel_is_a_distribution() -> None:
    ccdf = memory_ccdf(numpy.array([0.0, KERNEL_CUTOFF_S, HOUR, 1e12]))

    assert ccdf[0] == pytest.approx(1.0)
    assert ccdf[1] == pytest.approx(1 / (1 + KERNEL_THETA))
    assert ccdf[1] > ccdf[2] > ccdf[3] > 0
    assert ccdf[3] < 0.01


def test_a_cascade_that_stopped_long_ago_is_predicted_near_its_size() -> None:
    times = [0.0] + [10.0 * k for k in range(1, 101)]  # a hundred reposts in the first quarter hour, then nothing

    forecast = seismic(times, [200] * len(times), observed_until=7 * 24 * HOUR)

    assert forecast.method == "seismic"
    assert forecast.observed_size == 101
    assert forecast.predicted_final_size <= 110
    assert_consistent(forecast)


def test_a_cascade_in_full_flow_is_predicted_to_grow() -> None:
    rng = random.Random(3)
    times, followers = hawkes_cascade(rng, root_offspring=200, branching=0.5)
    seen, seen_followers = until(times, followers, HOUR)

    forecast = seismic(seen, seen_followers, HOUR)

    assert forecast.method == "seismic"
    assert forecast.predicted_final_size > 1.3 * len(seen)
    assert forecast.interval_high > forecast.predicted_final_size


def test_the_interval_holds_the_final_size_on_cascades_of_the_model() -> None:
    rng = random.Random(11)
    covered = answered = 0
    for _ in range(150):
        times, followers = hawkes_cascade(rng, root_offspring=rng.uniform(20, 200), branching=rng.uniform(0.2, 0.7))
        seen, seen_followers = until(times, followers, HOUR)
        forecast = seismic(seen, seen_followers, HOUR, level=0.9)
        assert_consistent(forecast)
        if forecast.method == "seismic":
            answered += 1
            covered += forecast.interval_low <= len(times) <= forecast.interval_high

    assert answered >= 120
    assert covered / answered >= 0.7


def test_a_lone_old_post_has_nothing_to_predict() -> None:
    forecast = seismic([0.0], [5000], observed_until=2 * 24 * HOUR)

    assert forecast == Forecast(1, 1, 1, 1, 0.9, "observed")


def test_a_supercritical_cascade_is_not_given_a_number() -> None:
    # Reposts arriving ever faster: each new post sets off more than one on average.
    times = sorted([0.0] + [HOUR * (1 - math.exp(-k / 40)) for k in range(1, 200)])

    forecast = seismic(times, [1] * len(times), observed_until=HOUR)

    assert forecast.method == "observed"
    assert forecast.predicted_final_size == len(times)


def test_fit_loglinear_recovers_a_known_relation() -> None:
    rng = random.Random(5)
    pairs = []
    for _ in range(400):
        size = rng.randint(1, 2000)
        final = max(size, round(math.exp(1.2 + 0.9 * math.log(size) + rng.gauss(0, 0.3))))
        pairs.append((size, final))

    model = fit_loglinear(pairs, HOUR)

    assert model is not None
    assert model.slope == pytest.approx(0.9, abs=0.05)
    assert model.intercept == pytest.approx(1.2, abs=0.25)
    assert model.residual_std == pytest.approx(0.3, abs=0.06)
    assert model.samples == 400
    assert model.observed_after_seconds == HOUR


def test_fit_loglinear_needs_min_history() -> None:
    pairs = [(k, 3 * k) for k in range(1, MIN_HISTORY)]

    assert fit_loglinear(pairs, HOUR) is None
    assert fit_loglinear([*pairs, (7, 21)], HOUR) is not None


def test_fit_loglinear_with_one_early_size_grows_proportionally() -> None:
    model = fit_loglinear([(10, 30)] * MIN_HISTORY, HOUR)

    assert model is not None
    assert model.slope == 1.0
    assert loglinear(model, 10).predicted_final_size == 30


def test_loglinear_interval_and_floor() -> None:
    shrinking = LogLinearModel(HOUR, intercept=-1.0, slope=1.0, residual_std=0.5, samples=200)
    tripling = LogLinearModel(HOUR, intercept=math.log(3), slope=1.0, residual_std=0.5, samples=200)

    small = loglinear(shrinking, 40)
    big = loglinear(tripling, 40, level=0.9)

    assert small.predicted_final_size == 40
    assert_consistent(small)
    assert big.predicted_final_size == 120
    assert big.interval_low == pytest.approx(120 * math.exp(-1.6527 * 0.5), abs=1)
    assert big.interval_high == pytest.approx(120 * math.exp(1.6527 * 0.5), abs=2)
    assert big.method == "loglinear"
    assert_consistent(big)


def test_forecast_cascade_prefers_history_then_seismic_then_observed() -> None:
    model = LogLinearModel(HOUR, intercept=math.log(2), slope=1.0, residual_std=0.4, samples=100)
    times, followers = hawkes_cascade(random.Random(3), root_offspring=200, branching=0.5)
    seen, seen_followers = until(times, followers, HOUR)
    assert len(seen) > SEISMIC_MIN_REPOSTS

    assert forecast_cascade(seen, seen_followers, HOUR, model).method == "loglinear"
    assert forecast_cascade(seen, seen_followers, HOUR, None).method == "seismic"
    assert forecast_cascade(seen[:5], seen_followers[:5], HOUR, None).method == "observed"


def test_forecasts_keep_their_invariants_on_random_cascades() -> None:
    rng = random.Random(23)
    model = LogLinearModel(HOUR, intercept=0.3, slope=1.05, residual_std=0.6, samples=50)
    for _ in range(200):
        size = rng.randint(1, 300)
        at = rng.uniform(60, 48 * HOUR)
        times = sorted([0.0] + [rng.uniform(0, at) for _ in range(size - 1)])
        followers = [rng.choice([0, 3, 50, 10_000]) for _ in times]
        for forecast in (
            seismic(times, followers, at),
            loglinear(model, size),
            forecast_cascade(times, followers, at, model),
            forecast_cascade(times, followers, at, None),
        ):
            assert forecast.observed_size == size
            assert_consistent(forecast)


def test_forecast_series_continues_a_rising_line() -> None:
    rng = random.Random(2)
    values = [10 + 2 * k + rng.gauss(0, 1.5) for k in range(60)]

    forecast = forecast_series(values, horizon=6)

    means = [m for m, _, _ in forecast]
    assert len(forecast) == 6
    assert means[0] > values[-5]
    assert all(b > a for a, b in itertools.pairwise(means))
    assert all(low <= mean <= high for mean, low, high in forecast)
    assert forecast[-1][2] - forecast[-1][1] > forecast[0][2] - forecast[0][1]


def test_forecast_series_of_a_steady_series_stays_flat() -> None:
    rng = random.Random(4)
    values = [max(0, round(rng.gauss(50, 5))) for _ in range(120)]

    forecast = forecast_series(values, horizon=12)

    assert all(45 <= mean <= 55 for mean, _, _ in forecast)
    assert all(low < 50 < high for _, low, high in forecast)


def test_forecast_series_on_short_and_empty_series() -> None:
    assert forecast_series([], horizon=3) == [(0.0, 0.0, 0.0)] * 3
    assert forecast_series([0, 0, 0, 0, 0, 0], horizon=2) == [(0.0, 0.0, 0.0)] * 2
    short = forecast_series([4, 6], horizon=2)
    assert short[0] == short[1]
    mean, low, high = short[0]
    assert mean == 5.0
    assert low < 5 < high
    assert forecast_series([3, 1], horizon=0) == []


def test_forecast_series_never_goes_negative() -> None:
    values = [200 - 9 * k for k in range(22)] + [0, 0, 1, 0]

    forecast = forecast_series(values, horizon=10, level=0.95)

    assert all(mean >= 0 and low >= 0 and high >= 0 for mean, low, high in forecast)


@pytest.mark.parametrize(
    ("history", "forecast", "state"),
    [
        ([0, 1, 0, 0, 2, 1, 0, 1], [0.5, 0.5], "calm"),
        ([40, 42, 39, 41, 40, 38, 41, 40], [40.0, 40.0], "calm"),
        ([2, 3, 5, 9, 15, 24, 38, 60], [85.0, 110.0], "rising"),
        ([2, 3, 5, 12, 30, 55, 70, 74, 75], [74.0, 72.0], "peaking"),
        ([2, 3, 10, 40, 80, 70, 50, 35, 25], [20.0, 16.0], "declining"),
    ],
)
def test_trend_state_on_clear_shapes(history: list[float], forecast: list[float], state: str) -> None:
    assert trend_state(history, forecast) == state


def test_trend_state_follows_forecast_series() -> None:
    rising = [3 * 1.3**k for k in range(16)]

    assert trend_state(rising, [m for m, _, _ in forecast_series(rising, 4)]) == "rising"
    assert trend_state([], []) == "calm"
