"""How big a cascade will get, and where a volume series is heading, from what has been seen so far.

Two cascade forecasters answer "how many posts will this reach in the end", with an interval:

- SEISMIC (Zhao, Erdogdu, He, Rajaraman, Leskovec, KDD 2015), a self-exciting point process needing no history:
  every post exposes its author's followers, who react after a power-law delay; the cascade's infectiousness is
  estimated from the recent reposts against the exposure the kernel predicts, and the final size follows from a
  branching-process sum. `_infectiousness` and the prediction port `get.infectiousness` and `pred.cascade` of the
  authors' R package `seismic` (1.1, http://snap.stanford.edu/seismic/) at a single time, with the kernel integrals
  written out in closed form instead of its piecewise helpers.
- Log-linear (Szabo & Huberman, CACM 2010): ln(final) = a + b ln(size at T), fitted on stored cascades of the same
  age. It knows nothing about this cascade but its size, which is also why it is hard to beat on average.

`forecast_cascade` picks between them (the rule and its numbers are in its docstring and `bench/cascade_forecast.py`).
`forecast_series` and `trend_state` forecast a volume series (posts per interval) with an additive damped-trend ETS
model and name its phase; `damped_trend_forecast` is the same model with fixed constants, cheap enough for every
warning tick. Nothing here reads the database: callers pass plain numbers.
"""

import math
import statistics
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

# The memory kernel: constant up to the cutoff, then a power law; c makes it a density (integral 1).
# theta is the paper's fitted exponent (the R package ships 0.2315 from another fit; the difference is immaterial).
KERNEL_THETA = 0.242
KERNEL_CUTOFF_S = 300.0
KERNEL_C = 1.0 / (KERNEL_CUTOFF_S * (1.0 + 1.0 / KERNEL_THETA))

# The triangular window of the infectiousness estimate: half the cascade's age, kept within these bounds, and widened
# back to the last MIN_WINDOW_COUNT reposts when fewer fall inside (the R package's defaults).
MAX_WINDOW_S = 2 * 60 * 60.0
MIN_WINDOW_S = 300.0
MIN_WINDOW_COUNT = 5

# SEISMIC answers only when the cascade is subcritical at this confidence: the upper bound of p n*, from the
# package's chi-square interval for p, must be below 1. Near 1 the factor 1 / (1 - p n*) turns the estimate's noise into
# predictions many times too large (bench/cascade_forecast.py: on both datasets the error for estimates of 0.85-1 is
# several times that of repeating the observed size, while below 0.85 SEISMIC beats it).
SUBCRITICAL_CONFIDENCE = 0.95

# forecast_cascade trusts SEISMIC only with this many reposts; below it the estimate rests on a handful of delays.
SEISMIC_MIN_REPOSTS = 20

MIN_HISTORY = 30

# forecast_series: below this many points no trend can be told from noise; beyond the window old regimes only
# slow the fit down and drag the level.
SERIES_MIN_POINTS = 4
SERIES_WINDOW = 200

# damped_trend_forecast's constants (alpha, beta, phi) for the warning engine's `forecast_size`: chosen, not fitted
# (not to CED either): a level that follows half of each surprise, a trend that takes a fifth of it, and damping that
# caps a trend's total push at phi / (1 - phi) = 9 intervals' worth, as in the usual ranges of damped Holt models.
WARNING_SMOOTHING = (0.5, 0.2, 0.9)

# trend_state: the last RECENT_POINTS are "now"; counts below CALM_FLOOR per interval are calm whatever their shape;
# a change is real beyond NOISE_SIGMAS Poisson standard deviations; "near the peak" is within PEAK_SHARE of the maximum.
RECENT_POINTS = 3
CALM_FLOOR = 3.0
NOISE_SIGMAS = 2.0
PEAK_SHARE = 0.8


@dataclass(frozen=True)
class Forecast:
    observed_size: int
    predicted_final_size: int
    interval_low: int
    interval_high: int
    interval_level: float
    method: str  # "seismic", "loglinear", or "observed" when nothing was predicted


@dataclass(frozen=True)
class LogLinearModel:
    observed_after_seconds: float
    intercept: float
    slope: float
    residual_std: float
    samples: int


def observed(size: int, level: float) -> Forecast:
    """No forecast: the size seen so far, with an interval that says nothing about the future."""
    return Forecast(size, size, size, size, level, "observed")


def _kernel_integrals(x: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Antiderivatives from 0 of phi(x) and of x * phi(x), for the weighted window integral."""
    c, s0, theta = KERNEL_C, KERNEL_CUTOFF_S, KERNEL_THETA
    x = numpy.maximum(x, 0.0)
    tail = numpy.maximum(x, s0)
    scale = c * s0 ** (1 + theta)
    g0 = numpy.where(x <= s0, c * x, c * s0 + scale * (s0**-theta - tail**-theta) / theta)
    g1 = numpy.where(
        x <= s0,
        c * x * x / 2,
        c * s0 * s0 / 2 + scale * (tail ** (1 - theta) - s0 ** (1 - theta)) / (1 - theta),
    )
    return g0, g1


def memory_ccdf(x: numpy.ndarray) -> numpy.ndarray:
    """The share of a post's eventual reactions still to come x seconds after it."""
    return 1.0 - _kernel_integrals(x)[0]


def _infectiousness(times: numpy.ndarray, followers: numpy.ndarray, at: float) -> tuple[float, int]:
    """SEISMIC's p_t at time `at` and the number of reposts it rests on (get.infectiousness at one time)."""
    window = min(max(at / 2, MIN_WINDOW_S), MAX_WINDOW_S)
    before = times[times < at]
    if numpy.count_nonzero(before >= at - window) < MIN_WINDOW_COUNT and before.size:
        # As in the package, counted over all posts (the root included) before the root is set aside.
        window = at - before[max(before.size - MIN_WINDOW_COUNT - 1, 0)]
    if window <= 0:
        return 0.0, 0
    reposts = times[1:]
    inside = reposts[(reposts >= at - window) & (reposts < at)]
    weighted = float(numpy.sum(1.0 + (inside - at) / window))
    if weighted <= 0:
        return 0.0, inside.size
    # Each post's expected reactions inside the window, weighted by the triangle 1 + (u - at) / window over
    # u in [max(t_i, at - window), at]; with x = u - t_i the weight is alpha + x / window.
    start = numpy.maximum(times, at - window) - times
    end = numpy.maximum(at - times, 0.0)
    alpha = 1.0 - (at - times) / window
    g0_end, g1_end = _kernel_integrals(end)
    g0_start, g1_start = _kernel_integrals(start)
    exposure = float(numpy.sum(followers * (alpha * (g0_end - g0_start) + (g1_end - g1_start) / window)))
    if exposure <= 0:
        return 0.0, inside.size
    return weighted / exposure, inside.size


def seismic(times: Sequence[float], followers: Sequence[int], observed_until: float, level: float = 0.9) -> Forecast:
    """SEISMIC's final size: the reposts seen, plus the expected reactions still owed to the posts seen, each
    multiplied by the branching factor 1 / (1 - p n*) of the reactions they will set off in turn.

    n* is the mean follower count of the reposters seen (the package leaves it to the caller, 100 in its example):
    the next generation is drawn from the same people. When p n* >= 1 the process is supercritical and the sum
    diverges; the paper answers infinity. We answer "observed" (and let the caller fall back) already when p n* could be
    1 or more at SUBCRITICAL_CONFIDENCE, since just below 1 the sum is all noise.

    The interval (not the paper's, which bounds p only) treats what is still to come as a compound Poisson sum:
    mu = p * sum n_i ccdf(t - t_i) direct reactions, each starting a Galton-Watson cluster of mean 1 / (1 - rho) and
    variance rho / (1 - rho)^3 (rho = p n*), so the remainder has mean mu / (1 - rho) and variance mu / (1 - rho)^3;
    the uncertainty of p (Gamma with the shape of the reposts counted, as in the package's chi-square interval) adds
    m^2 / (k (1 - rho)^2) by the delta method. The remainder is read off a negative binomial with that mean and
    variance.
    """
    size = len(times)
    if size < 2:
        return observed(size, level)
    t = numpy.asarray(times, dtype=float)
    n = numpy.maximum(numpy.asarray(followers, dtype=float), 0.0)
    p, counted = _infectiousness(t, n, observed_until)
    n_star = float(numpy.mean(n[1:]))
    rho = p * n_star
    if p <= 0 or counted == 0:
        return Forecast(size, size, size, size, level, "seismic")
    if rho * stats.chi2.ppf(SUBCRITICAL_CONFIDENCE, 2 * counted) / (2 * counted) >= 1:
        return observed(size, level)
    direct = p * float(numpy.sum(n * memory_ccdf(observed_until - t)))
    mean = direct / (1 - rho)
    variance = direct / (1 - rho) ** 3 + mean * mean / (counted * (1 - rho) ** 2)
    if not math.isfinite(mean) or not math.isfinite(variance):
        return observed(size, level)
    low, high = _remainder_interval(mean, variance, level)
    return Forecast(size, size + round(mean), size + low, size + high, level, "seismic")


def _remainder_interval(mean: float, variance: float, level: float) -> tuple[int, int]:
    if mean <= 0:
        return 0, 0
    tail = (1 - level) / 2
    if variance <= mean:
        distribution = stats.poisson(mean)
    else:
        distribution = stats.nbinom(mean * mean / (variance - mean), mean / variance)
    low, high = distribution.ppf([tail, 1 - tail])
    return int(low), max(int(high), round(mean))


def fit_loglinear(pairs: Sequence[tuple[int, int]], observed_after_seconds: float) -> LogLinearModel | None:
    """ln(final) = a + b ln(size at T) by least squares over stored cascades, with the residual standard deviation.

    Pairs whose final size is below the size at T are inconsistent records and are left out. When every cascade had
    the same size at T the slope cannot be told; it is then 1, Szabo and Huberman's own form (final proportional to
    early size).
    """
    usable = [(o, f) for o, f in pairs if o >= 1 and f >= o]
    if len(usable) < MIN_HISTORY:
        return None
    x = numpy.log([o for o, _ in usable])
    y = numpy.log([f for _, f in usable])
    spread = float(numpy.var(x))
    slope = float(numpy.cov(x, y, bias=True)[0, 1] / spread) if spread > 0 else 1.0
    intercept = float(numpy.mean(y) - slope * numpy.mean(x))
    residuals = y - (intercept + slope * x)
    residual_std = float(numpy.sqrt(numpy.sum(residuals**2) / (len(usable) - 2)))
    return LogLinearModel(observed_after_seconds, intercept, slope, residual_std, len(usable))


def loglinear(model: LogLinearModel, observed_size: int, level: float = 0.9) -> Forecast:
    """The fitted median final size with a normal interval on the log scale (Student t for the samples used)."""
    if observed_size < 1:
        return observed(observed_size, level)
    centre = model.intercept + model.slope * math.log(observed_size)
    spread = float(stats.t.ppf((1 + level) / 2, max(model.samples - 2, 1))) * model.residual_std
    predicted = max(observed_size, round(math.exp(centre)))
    low = max(observed_size, math.floor(math.exp(centre - spread)))
    high = max(predicted, math.ceil(math.exp(centre + spread)))
    return Forecast(observed_size, predicted, min(low, predicted), high, level, "loglinear")


def forecast_cascade(
    times: Sequence[float],
    followers: Sequence[int],
    observed_until: float,
    model: LogLinearModel | None,
    level: float = 0.9,
) -> Forecast:
    """The product's forecast: the log-linear model whenever the tenant has one for this age; without history, SEISMIC
    for a subcritical cascade with at least SEISMIC_MIN_REPOSTS reposts; otherwise the observed size.

    History first because it wins everywhere we measured (bench/cascade_forecast.py, T = 1 h, 5-fold CV, MSLE on
    log2(size + 1)): 0.71 against SEISMIC's 2.34 and the observed size's 2.39 on Twitter15, 0.80 against 7.34 and 7.39
    on CED, with intervals that hold (coverage 0.93 and 0.91 at 0.9). Without history SEISMIC answers only for a
    confidently subcritical cascade (18% of Twitter15's at one hour, 4% of CED's) and there beats the observed size
    (MSLE 1.74 against 2.02, 11.7 against 12.8), so a young tenant gets it where it can answer and the observed size
    elsewhere. SEISMIC_MIN_REPOSTS is a judgement, not a fit: below it the estimate rests on a handful of delays.
    """
    size = len(times)
    if model is not None:
        return loglinear(model, size, level)
    if size - 1 < SEISMIC_MIN_REPOSTS:
        return observed(size, level)
    return seismic(times, followers, observed_until, level)


def forecast_series(values: Sequence[float], horizon: int, level: float = 0.8) -> list[tuple[float, float, float]]:
    """(mean, low, high) for each of the next `horizon` intervals, clipped at 0.

    An ETS(A,Ad,N) model (additive errors, additive damped trend: a surge keeps rising for a while and then levels
    off instead of growing forever), fitted by statsmodels over the last SERIES_WINDOW points. The forecast and its
    variance sigma^2 (1 + sum_{j<h} (alpha + beta (phi + ... + phi^j))^2) are written out from the fitted state
    (Hyndman et al. 2008, class 1), which spares the results object's numerical Hessian (ten times the fit).
    Fewer than SERIES_MIN_POINTS points, or a fit that fails, give a flat forecast at the mean with a Poisson
    interval, the honest answer for a few counts.
    """
    if horizon <= 0:
        return []
    y = numpy.asarray(values[-SERIES_WINDOW:], dtype=float)
    if y.size == 0 or not numpy.any(y):
        return [(0.0, 0.0, 0.0)] * horizon
    if y.size < SERIES_MIN_POINTS or numpy.ptp(y) == 0:
        return _flat_forecast(float(numpy.mean(y)), horizon, level)
    try:
        model = ETSModel(y, error="add", trend="add", damped_trend=True, initialization_method="heuristic")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            alpha, beta, phi = model.fit(disp=False, return_params=True)
            fitted, states = model.smooth(numpy.array([alpha, beta, phi]), return_raw=True)
    except (ValueError, numpy.linalg.LinAlgError):
        return _flat_forecast(float(numpy.mean(y[-RECENT_POINTS:])), horizon, level)
    sigma2 = float(numpy.mean((y - numpy.asarray(fitted)) ** 2))
    return _project(float(states[-1][0]), float(states[-1][1]), sigma2, (alpha, beta, phi), horizon, level)


def damped_trend_forecast(
    values: Sequence[float],
    horizon: int,
    level: float = 0.8,
    constants: tuple[float, float, float] = WARNING_SMOOTHING,
) -> list[tuple[float, float, float]]:
    """forecast_series' model, ETS(A,Ad,N), with given smoothing constants (alpha, beta, phi) instead of fitted ones.

    One pass of the error-correction recursion over the points (level l0 = the first point, trend 0, so a series
    has to show its own rise): about 15 microseconds for 12 points where the fit takes about 100 ms, which is what
    lets the warning engine forecast every scope on every tick. Same short-series rules and interval as
    forecast_series.
    """
    if horizon <= 0:
        return []
    y = [float(v) for v in values[-SERIES_WINDOW:]]
    if not y or not any(y):
        return [(0.0, 0.0, 0.0)] * horizon
    if len(y) < SERIES_MIN_POINTS or max(y) == min(y):
        return _flat_forecast(statistics.fmean(y), horizon, level)
    alpha, beta, phi = constants
    level_state, trend, squares = y[0], 0.0, 0.0
    for value in y[1:]:
        error = value - (level_state + phi * trend)
        squares += error * error
        level_state += phi * trend + alpha * error
        trend = phi * trend + beta * error
    return _project(level_state, trend, squares / (len(y) - 1), constants, horizon, level)


def _project(
    level_state: float,
    trend: float,
    sigma2: float,
    constants: tuple[float, float, float],
    horizon: int,
    level: float,
) -> list[tuple[float, float, float]]:
    alpha, beta, phi = constants
    z = statistics.NormalDist().inv_cdf((1 + level) / 2)  # scipy's ppf costs more than the whole recursion
    answer = []
    damped_sum = 0.0
    variance_factor = 1.0
    for h in range(1, horizon + 1):
        damped_sum += phi**h
        mean = level_state + damped_sum * trend
        half = z * math.sqrt(sigma2 * variance_factor)
        answer.append((max(mean, 0.0), max(mean - half, 0.0), max(mean + half, 0.0)))
        variance_factor += (alpha + beta * damped_sum) ** 2
    return answer


def _flat_forecast(mean: float, horizon: int, level: float) -> list[tuple[float, float, float]]:
    tail = (1 - level) / 2
    low, high = stats.poisson(max(mean, 0.0)).ppf([tail, 1 - tail]) if mean > 0 else (0.0, 0.0)
    return [(mean, float(low), float(high))] * horizon


def trend_state(history: Sequence[float], forecast: Sequence[float]) -> str:
    """ "calm", "rising", "peaking" or "declining", judged on Poisson noise at the series' own scale.

    - calm: now and ahead are both below CALM_FLOOR, or both within noise of the series' median (a busy but steady
      scope is calm too);
    - rising: the forecast mean is above the recent level by more than noise;
    - peaking: not rising, and the recent level is within PEAK_SHARE of the series' maximum;
    - declining: not rising and already well below the peak.
    """
    if not history:
        return "calm"
    now = statistics.fmean(history[-RECENT_POINTS:])
    ahead = statistics.fmean(forecast) if forecast else now
    baseline = statistics.median(history)
    around_baseline = NOISE_SIGMAS * math.sqrt(max(baseline, 1.0))
    if max(now, ahead) < CALM_FLOOR or (
        abs(now - baseline) <= around_baseline and abs(ahead - baseline) <= around_baseline
    ):
        return "calm"
    if ahead > now + NOISE_SIGMAS * math.sqrt(max(now, 1.0)):
        return "rising"
    if now >= PEAK_SHARE * max(history):
        return "peaking"
    return "declining"
