"""The forecast of won value per month: a seeded Monte Carlo over the user's own history.

docs/forecast.md explains the model; in short:

- From the history, for each open level (and from an opportunity's creation): of the deals
  that reached it, how many were won and how many days later, day by day, counting the deals
  still open as far as they got (a survival estimate with competing outcomes: won, or out).
- Each open opportunity is then won, or not, on a day drawn from the deals that were at its
  level for as long as it has been, so an old deal is less likely to close than a fresh one.
- New prospects keep arriving at the rate of the last weeks and follow the history of deals
  from their creation, at the value of a won deal drawn from the past year.
- Each run draws the history again (a Poisson bootstrap) and the prospecting rate from its
  uncertainty, so the bands show how sure the history is, not only the luck of the draw.

Plain data in, plain data out: funnel.forecast.facts loads the paths and keeps the result.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from funnel.forecast.paths import (
    ABOVE,
    BEST_FEW,
    ENTRY,
    IN,
    OPEN,
    OPEN_CODES,
    FloatArray,
    History,
    IntArray,
    Path,
    Stays,
    add_months,
    month_number,
    month_starts,
    monthly_won,
    months_of,
    stays,
)

SOURCES = ("won", BEST_FEW, IN, ABOVE, "not_found")
HISTORY_DAYS = 730  # stays that began in the last two years, as for the normal sales cycle
MAX_AGE = 730  # days at a level beyond which age is not told apart
# The rate at which new prospects enter the funnel: the last weeks against the usual.
RECENT_WEEKS = 2
USUAL_WEEKS = 13
CLEARLY = 0.01
MIN_WON_DEALS = 5  # as funnel.sales.rules: fewer wins than this, and the defaults speak
MIN_AT_RISK = 3.0  # an age seen in fewer stays than this reads as the oldest well-seen age
RUNS = 400
REPLICATES = 10  # each a bootstrap of the history, shared by RUNS / REPLICATES runs
VALUE_WINDOW = 365  # won deals of the last year give the value of a new prospect's win

# The stated defaults, used until MIN_WON_DEALS deals were won in HISTORY_DAYS: the share
# of deals won from each level, and when they close, as fractions of the normal sales cycle.
# Best few closes within half the cycle by the method's definition (docs/method.md §1).
DEFAULT_WON_SHARE = {ENTRY: 0.2, ABOVE: 0.2, IN: 0.4, BEST_FEW: 0.7}
DEFAULT_CLOSE_WITHIN = {ENTRY: (0.5, 1.5), ABOVE: (0.5, 1.5), IN: (0.25, 1.0), BEST_FEW: (0.0, 0.5)}


@dataclass(frozen=True)
class Band:
    p10: float
    p50: float
    p90: float


@dataclass(frozen=True)
class Month:
    first: date
    total: Band
    sources: dict[str, Band]  # by SOURCES; "won" is what was already signed this month


@dataclass(frozen=True)
class Basis:
    """What the forecast was made from, to say so beside it."""

    measured: bool  # False: too few won deals, the stated defaults were used
    won_deals: int  # in the history window
    won_share: dict[str, float]  # of the deals reaching each level (and entry), how many won
    days_to_win: dict[str, float]  # median days from reaching the level to won
    prospects_per_week: float  # new opportunities entering the funnel lately
    won_value: float  # the mean value of a won deal in the last year
    open_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Forecast:
    as_of: date  # everything up to the end of this day is known
    months: list[Month]
    basis: Basis
    # Expected won value per new prospect entering in week k (from now) landing in each month:
    # how the dry-spell alert works out how many more prospects fill a gap.
    per_prospect: list[list[float]]


def forecast(
    paths: Sequence[Path] | History,
    *,
    as_of: date,
    months: int = 6,
    cycle_days: int = 90,
    seed: int = 0,
    runs: int = RUNS,
) -> Forecast:
    """Won value per month from the month after as_of's end on, with P10/P50/P90 bands.

    paths are the user's opportunities in their currency (or their History at as_of);
    cycle_days is the normal sales cycle (it places the default curves while there are too few
    won deals to measure).
    """
    history = paths if isinstance(paths, History) else History(paths, as_of)
    rng = np.random.default_rng(seed)
    start = as_of + timedelta(days=1)
    firsts = month_starts(start, months)
    horizon = (add_months(firsts[-1], 1) - start).days
    month_of_day = months_of(start.toordinal() + np.arange(horizon)) - month_number(firsts[0])
    found = stays(history, since=as_of - timedelta(days=HISTORY_DAYS))
    won_deals = int(found[ENTRY].won.sum())
    measured = won_deals >= MIN_WON_DEALS
    curves = (
        measured_curves(found, rng, horizon) if measured else default_curves(cycle_days, horizon)
    )
    won_values = worth_of_a_win(history)

    totals = np.zeros((runs, months, len(SOURCES)))  # runs x months x sources
    replicate_of_run = np.arange(runs) % curves[ENTRY].shape[0]
    totals[:, 0, 0] = won_before(history, firsts[0], start)
    fallback = float(np.mean(won_values))
    for source in (BEST_FEW, IN, ABOVE):
        group = history.open_paths(source)
        arrived = np.zeros(len(history.value), dtype=np.int64)
        reached, day = history.arrivals(source)
        arrived[reached] = day
        values = history.value[group]
        totals[:, :, SOURCES.index(source)] = draw_open_deals(
            rng,
            curves[source],
            replicate_of_run,
            ages=np.minimum(MAX_AGE, start.toordinal() - arrived[group]),
            values=np.where(values > 0, values, fallback),
            month_of_day=month_of_day,
        )
    rate, rate_shape, rate_weeks = prospect_rate(history)
    if rate_shape:
        weekly = rng.gamma(rate_shape, 1 / rate_weeks, size=runs)
        totals[:, :, SOURCES.index("not_found")] = draw_new_prospects(
            rng, curves[ENTRY], replicate_of_run, weekly, won_values, month_of_day
        )
    seasons = seasonal_factors(history, firsts[0])
    noise = month_noise(history, firsts[0], seasons)
    for m, first in enumerate(firsts):
        # One swing per run and month, shared by its sources: what moves a month moves it all.
        swing = np.exp(rng.normal(0.0, noise, size=runs)) * seasons[(first.month - 1) % 3]
        totals[:, m, 1:] *= swing[:, None]
    with_total = np.concatenate([totals.sum(axis=2, keepdims=True), totals], axis=2)
    bands = np.percentile(with_total, [10, 50, 90], axis=0)  # 3 x months x (1 + sources)
    return Forecast(
        as_of=as_of,
        months=[
            Month(
                first,
                Band(*(float(b) for b in bands[:, m, 0])),
                {
                    name: Band(*(float(b) for b in bands[:, m, s + 1]))
                    for s, name in enumerate(SOURCES)
                },
            )
            for m, first in enumerate(firsts)
        ],
        basis=Basis(
            measured=measured,
            won_deals=won_deals,
            won_share={level: won_share(curves[level]) for level in (ENTRY, *OPEN)},
            days_to_win={level: median_day(curves[level]) for level in (ENTRY, *OPEN)},
            prospects_per_week=rate,
            won_value=fallback,
            open_counts={level: len(history.open_paths(level)) for level in OPEN},
        ),
        per_prospect=per_prospect(curves[ENTRY], won_values, month_of_day, months),
    )


def worth_of_a_win(history: History) -> FloatArray:
    """What a won deal is worth: the deals won in the last year, else the open deals' values,
    else nothing."""
    year = history.won_paths(since=history.end - VALUE_WINDOW + 1, until=history.end + 1)
    values = history.value[year]
    if not (values > 0).any():
        values = history.value[np.isin(history.last_level, OPEN_CODES)]
    values = values[values > 0]
    return values if values.size else np.zeros(1)


def draw_open_deals(
    rng: np.random.Generator,
    curves: FloatArray,
    replicate_of_run: IntArray,
    *,
    ages: IntArray,
    values: FloatArray,
    month_of_day: IntArray,
) -> FloatArray:
    """Won value per run and month from these open deals (their ages at the level)."""
    months = int(month_of_day[-1]) + 1
    won = np.zeros((len(replicate_of_run), months))
    if not len(ages):
        return won
    for replicate, curve in enumerate(curves):
        chosen = np.flatnonzero(replicate_of_run == replicate)
        monthly = open_deal_months(curve, ages, month_of_day, months)
        run, deal, month = draw_wins(rng, monthly, len(chosen))
        cells = np.bincount(run * months + month, values[deal], minlength=len(chosen) * months)
        won[chosen] = cells.reshape(len(chosen), months)
    return won


def draw_new_prospects(
    rng: np.random.Generator,
    curves: FloatArray,
    replicate_of_run: IntArray,
    weekly: FloatArray,
    won_values: FloatArray,
    month_of_day: IntArray,
) -> FloatArray:
    """Won value per run and month from prospects not found yet, found at each run's weekly
    rate: the wins landing in a month are a Poisson count (thinning), so only the wins are
    drawn, each at the value of a deal won in the last year."""
    runs, months = len(replicate_of_run), int(month_of_day[-1]) + 1
    expected = np.stack([found_and_won(curve, month_of_day, months) for curve in curves])
    counts = rng.poisson(expected[replicate_of_run] * (weekly / 7)[:, None])
    worth = rng.choice(won_values, size=int(counts.sum()))
    cell = np.repeat(np.arange(runs * months), counts.ravel())
    won = np.bincount(cell, worth, minlength=runs * months).astype(np.float64)
    return won.reshape(runs, months)


def found_and_won(entry: np.ndarray, month_of_day: np.ndarray, months: int) -> np.ndarray:
    """Expected wins in each month from one prospect found each day from now on."""
    daily = conditional_won(entry, np.zeros(1, int), len(month_of_day))[0]
    return np.bincount(month_of_day, np.cumsum(daily), minlength=months)


def won_before(history: History, first: date, start: date) -> float:
    """What was won from first up to start (this month's signed deals, before the forecast)."""
    won = history.won_paths(since=first.toordinal(), until=start.toordinal())
    return float(history.value[won].sum())


def prospect_rate(history: History) -> tuple[float, float, float]:
    """New opportunities a week lately: (rate, gamma shape, weeks it weighs as).

    Lately is the last RECENT_WEEKS weeks when they differ clearly from the USUAL_WEEKS before
    them (a stop, or a new push: the chance of so few, or so many, at the usual pace is below
    CLEARLY); otherwise it is all of those weeks together, so that one quieter week among
    steady ones does not move the forecast, while a stop shows within days. Weeks that vary
    more than chance would make them (a campaign, a fair) widen what counts as clear, and the
    rate's uncertainty with it.
    """
    _paths, created = history.arrivals(ENTRY)
    back = (history.end - created) // 7
    counted = back[(back >= 0) & (back < RECENT_WEEKS + USUAL_WEEKS)]
    weekly = np.bincount(counted, minlength=RECENT_WEEKS + USUAL_WEEKS)
    recent, usual = int(weekly[:RECENT_WEEKS].sum()), [int(n) for n in weekly[RECENT_WEEKS:]]
    spread = max(1.0, statistics.pvariance(usual) / statistics.fmean(usual)) if any(usual) else 1.0
    expected = sum(usual) * RECENT_WEEKS / USUAL_WEEKS / spread
    seen = recent / spread
    if sum(usual) and (
        poisson_at_most(math.floor(seen), expected) < CLEARLY
        or 1 - poisson_at_most(math.ceil(seen) - 1, expected) < CLEARLY
    ):
        count, weeks = recent, RECENT_WEEKS
    else:
        count, weeks = recent + sum(usual), RECENT_WEEKS + USUAL_WEEKS
    return count / weeks, count / spread + 0.5 if count else 0.0, weeks / spread


def seasonal_factors(history: History, first: date) -> list[float]:
    """How much each month of a quarter wins against the average month, from the complete
    months of the year before first (from the first win on).

    Each month of the quarter starts from PRIOR_DEALS average deals won at the average month's
    pace, and the wins seen are added to them: a business that closes thousands of deals gets
    its quarterly shape almost as seen, one that closes a dozen a month keeps almost none of
    what chance alone would draw.
    """
    won_paths = history.won_paths(until=first.toordinal())
    if not won_paths.size:
        return [1.0, 1.0, 1.0]
    first_win = date.fromordinal(int(history.last_day[won_paths].min())).replace(day=1)
    since = max(add_months(first, -12), first_win)
    months = month_starts(since, month_number(first) - month_number(since))
    won = monthly_won(history, months)
    total = sum(won)
    counted = [0, 0, 0]
    seen = [0.0, 0.0, 0.0]
    for month, value in zip(months, won, strict=True):
        counted[(month.month - 1) % 3] += 1
        seen[(month.month - 1) % 3] += value
    deal = float(history.value[won_paths].mean())
    if total <= 0 or deal <= 0:
        return [1.0, 1.0, 1.0]
    prior = PRIOR_DEALS * deal
    factors = [
        (value + prior * n / len(months) * 3)
        / (total * n / len(months) + prior * n / len(months) * 3)
        if n
        else 1.0
        for value, n in zip(seen, counted, strict=True)
    ]
    # A shape of a few per cent is no shape to plan by: it would only blur the deals' values.
    return factors if max(abs(f - 1) for f in factors) >= MATERIAL else [1.0, 1.0, 1.0]


PRIOR_DEALS = 100  # per month of the quarter
MATERIAL = 0.1
PROSPECT_WEEKS = 12  # how far ahead one more prospect's worth is worked out


def month_noise(history: History, first: date, seasons: list[float]) -> float:
    """How much more the user's won value swings from month to month than the luck of which
    deals close explains (a common cause: a holiday, a price change, a busy month), as the
    standard deviation of a log factor; from the complete months of the year before first.

    The runs already draw which deals close; this widens the bands by what they leave out,
    and leaves the P50 where it is.
    """
    months = month_starts(add_months(first, -12), 12)
    won = [
        value / seasons[(month.month - 1) % 3]
        for month, value in zip(months, monthly_won(history, months), strict=True)
    ]
    won_paths = history.won_paths(since=months[0].toordinal(), until=first.toordinal())
    values = [float(v) for v in history.value[won_paths]]
    active = [value for value in won if value > 0]
    if len(active) < 6 or len(values) < 2:
        return 0.0
    observed = statistics.pvariance(active) / statistics.fmean(active) ** 2
    per_month = len(values) / len(active)
    spread = statistics.pvariance(values) / statistics.fmean(values) ** 2
    luck = (1 + spread) / per_month  # a compound Poisson sum's squared coefficient of variation
    return math.sqrt(math.log1p(max(0.0, observed - luck)))


def poisson_at_most(count: int, mean: float) -> float:
    """The chance of at most count events when mean are expected."""
    if count < 0:
        return 0.0
    if mean <= 0:
        return 1.0
    logs = [-mean + i * math.log(mean) - math.lgamma(i + 1) for i in range(count + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(value - top) for value in logs))


def measured_curves(
    found: dict[str, Stays], rng: np.random.Generator, horizon: int
) -> dict[str, FloatArray]:
    """For each level, per bootstrap replicate, its daily hazards (won, out) by days since
    reaching it, and the oldest age seen often enough: (replicates, 3, MAX_AGE + horizon + 1)."""
    curves = {}
    length = MAX_AGE + horizon + 1
    for level, seen in found.items():
        days = np.minimum(seen.days, length - 1)
        weights = rng.poisson(1.0, size=(REPLICATES, len(days))).astype(float)
        weights[0] = 1.0  # the first replicate is the history as it is
        curves[level] = np.stack([hazards(days, seen.won, seen.out, w, length) for w in weights])
    return curves


def hazards(
    days: np.ndarray, won: np.ndarray, out: np.ndarray, weights: np.ndarray, length: int
) -> np.ndarray:
    """The daily chance of being won, and of being out, d days after reaching a level, for a
    deal still open then; and the oldest age seen in enough stays to trust."""
    won_on = np.bincount(days[won], weights[won], minlength=length)
    out_on = np.bincount(days[out], weights[out], minlength=length)
    ended_or_seen = np.bincount(days, weights, minlength=length)
    censored = ended_or_seen - won_on - out_on
    # At risk on day d: every stay that lasted at least d days, less half those seen open on d.
    at_risk = np.cumsum(ended_or_seen[::-1])[::-1] - censored / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_won = np.where(at_risk > 0, won_on / at_risk, 0.0)
        hazard_out = np.where(at_risk > 0, out_on / at_risk, 0.0)
    well_seen = np.flatnonzero(at_risk >= MIN_AT_RISK)
    oldest = int(well_seen[-1]) if well_seen.size else 0
    return np.stack([hazard_won, hazard_out, np.full(length, oldest, dtype=float)])


def default_curves(cycle_days: int, horizon: int) -> dict[str, np.ndarray]:
    """The stated defaults as hazards: each level's share won, spread evenly over its window."""
    length = MAX_AGE + horizon + 1
    curves = {}
    for level, share in DEFAULT_WON_SHARE.items():
        low, high = DEFAULT_CLOSE_WITHIN[level]
        # A cycle longer than the curve (years) is cut at its end: such deals close beyond
        # any horizon shown anyway.
        first = min(int(low * cycle_days), length - 8)
        last = max(first + 7, int(high * cycle_days))
        density = np.zeros(length)
        density[first : min(last, length)] = 1.0
        density /= density.sum()
        won = share * density
        out = (1 - share) * density
        alive = 1 - np.concatenate([[0.0], np.cumsum(won + out)[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            hazard_won = np.where(alive > 1e-12, won / alive, 0.0)
            hazard_out = np.where(alive > 1e-12, out / alive, 0.0)
        # Age is not told apart under the defaults: every open deal reads as just arrived.
        oldest = np.full(length, -1.0)
        curves[level] = np.stack([np.stack([hazard_won, hazard_out, oldest])])
    return curves


def conditional_won(curve: np.ndarray, ages: np.ndarray, horizon: int) -> np.ndarray:
    """For deals aged ages days at their level, the chance of being won on each of the next
    horizon days: ages x horizon."""
    hazard_won, hazard_out, oldest = curve
    cap = int(oldest[0])
    ages = np.minimum(ages, cap) if cap >= 0 else np.zeros_like(ages)
    days = ages[:, None] + np.arange(horizon)[None, :]
    won, out = hazard_won[days], hazard_out[days]
    alive = np.cumprod(1 - won - out, axis=1)
    before = np.concatenate([np.ones((len(ages), 1)), alive[:, :-1]], axis=1)
    return np.asarray(before * won, dtype=np.float64)


def open_deal_months(
    curve: np.ndarray, ages: np.ndarray, month_of_day: np.ndarray, months: int
) -> np.ndarray:
    """For each deal (by age), the chance of being won in each month: deals x months."""
    unique, index = np.unique(ages, return_inverse=True)
    daily = conditional_won(curve, unique, len(month_of_day))
    return by_month(daily, month_of_day, months)[index]


def by_month(daily: FloatArray, month_of_day: IntArray, months: int) -> FloatArray:
    """Daily chances (rows x days) summed into months (rows x months)."""
    starts = np.searchsorted(month_of_day, np.arange(months))
    return np.asarray(np.add.reduceat(daily, starts, axis=1), dtype=np.float64)


def draw_wins(
    rng: np.random.Generator, monthly: FloatArray, runs: int
) -> tuple[IntArray, IntArray, IntArray]:
    """The deals won in the horizon in each run: (run, deal, month) of each win.

    Most draws win nothing in the horizon and are told apart by one comparison; a winning
    draw's month is the number of its deal's cumulative chances it passes.
    """
    # Single precision is plenty for a chance, and halves the memory the draws go through.
    cumulative = np.cumsum(monthly, axis=1).astype(np.float32)
    draws = rng.random((runs, monthly.shape[0]), dtype=np.float32)
    run, deal = np.nonzero(draws < cumulative[:, -1][None, :])
    month = (draws[run, deal][:, None] >= cumulative[deal]).sum(axis=1)
    return run, deal, month


def per_prospect(
    entry: np.ndarray, won_values: np.ndarray, month_of_day: np.ndarray, months: int
) -> list[list[float]]:
    """Expected won value, per month, of one more prospect found in each of the next weeks."""
    horizon = len(month_of_day)
    daily = conditional_won(entry[0], np.zeros(1, int), horizon)[0]
    worth = float(np.mean(won_values))
    rows = []
    for week in range(min(PROSPECT_WEEKS, horizon // 7)):
        shifted = np.zeros(horizon)
        shifted[7 * week + 3 :] = daily[: horizon - 7 * week - 3]
        rows.append(
            [float(v) * worth for v in np.bincount(month_of_day, shifted, minlength=months)]
        )
    return rows


def won_share(curve: np.ndarray) -> float:
    """Of the deals reaching the level, the share won (the history as it is)."""
    return float(conditional_won(curve[0], np.zeros(1, int), curve.shape[2] - 1).sum())


def median_day(curve: np.ndarray) -> float:
    daily = conditional_won(curve[0], np.zeros(1, int), curve.shape[2] - 1)[0]
    total = daily.sum()
    if total <= 0:
        return 0.0
    return float(np.searchsorted(np.cumsum(daily), total / 2))
