"""Backtest Funnel's forecast of won value on the Maven CRM data set, against four baselines.

    uv run python -m benchmarks.forecast_backtest [--data DIR] [--detail] [--json]

The data set is Maven Analytics' public "CRM + Sales + Opportunities" (8,800 opportunities of
2016-2017; benchmarks/README.md says where it comes from and which files it needs). It is not
in the repository: --data points at a copy, by default shared/datasets/maven-crm in the
folder that holds the checkout.

A rolling origin each month: at each cut-off C, the first day of a month, only what was known
at the end of the day before is used, and the won value of C's month and the two after it is
forecast (horizons 1, 2 and 3). How the data set becomes what Funnel would have known at C:

- A deal engaged before C is a Path created at level "in" on its engage date: engaged means a
  decision maker was reached, the method's "In the funnel". The data set has no stage
  history, so that is its only open level; a deal closed before C gets one more move, to
  "won" or "lost", on its close date. "Prospecting" deals have no engage date and cannot be
  placed in time: they are left out (500 of 8,800).
- Value: a deal won before C has its close value; any other (open at C, or lost before it)
  has its product's list price from products.csv, what a user would have typed. A close
  value or an outcome from on or after C never reaches the cut-off.
- Actuals: the close values of Won deals, summed by the month of their close date.

The five methods, each scored by its MAPE per horizon (mean |forecast - actual| / actual):

- Funnel: funnel.forecast.model.forecast's P50, with cycle_days the median days from
  engagement to won of the deals won before C (90 if none; the model only reads it while
  too few deals were won to measure, which never happens here). With a single open level,
  the model ages every open deal from its engagement, takes the rate of new prospects from
  recent engagements, and values their wins at the won deals of the last year.
- Weighted pipeline: each deal open at C counts win rate x value, where the win rate is
  won / (won + lost) among the deals closed before C, at its expected close: engage date plus
  the median engage-to-close days of those deals (in C's month if that is already past).
- Last month: the won value of the month before C, for every horizon.
- Trailing 3-month mean: the mean of the three months before C.
- Three months earlier: the target month's value one quarter before (the data set is
  strongly quarterly); for horizons 1-3 it is always known at C.

Origins are the months whose three previous months all had closes (the data set's closes
start in 2017-03, so before that the baselines are not defined), up to the last month with
actuals; a horizon whose target month is past it is not scored.
"""

import argparse
import csv
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path as FilePath
from typing import Any

from funnel.forecast.model import RUNS, forecast
from funnel.forecast.paths import IN, WON, Path, add_months, month_starts

DEFAULT_DATA = FilePath(__file__).resolve().parent.parent.parent / "shared/datasets/maven-crm"
FILES = ("sales_pipeline.csv", "products.csv")
HORIZONS = (1, 2, 3)
DEFAULT_CYCLE_DAYS = 90
METHODS = {
    "funnel": "Funnel (P50)",
    "weighted_pipeline": "Weighted pipeline",
    "last_month": "Last month",
    "trailing_mean": "Trailing 3-month mean",
    "three_months_earlier": "Three months earlier",
}


@dataclass(frozen=True)
class Deal:
    engaged: date
    closed: date | None  # None: still open when the data set was taken
    won: bool
    list_price: float
    close_value: float  # 0 unless won

    def closed_before(self, cutoff: date) -> bool:
        return self.closed is not None and self.closed < cutoff

    def days_to_close(self) -> int:
        assert self.closed is not None
        return (self.closed - self.engaged).days


@dataclass(frozen=True)
class Scored:
    """One origin's forecasts of one target month, by METHODS, and what was won in it."""

    origin: date
    horizon: int
    target: date
    actual: float
    forecasts: dict[str, float]
    funnel_band: tuple[float, float]  # Funnel's P10 and P90


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=FilePath, default=DEFAULT_DATA, help="the data set folder")
    parser.add_argument("--detail", action="store_true", help="print each origin's figures")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--runs", type=int, default=RUNS, help="Funnel's Monte Carlo runs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not all((args.data / name).is_file() for name in FILES):
        found = f"No Maven CRM data set in {args.data}: it needs {' and '.join(FILES)}"
        print(f"{found} (--data DIR points elsewhere).", file=sys.stderr)
        return 1
    scored, seconds = backtest(read_deals(args.data), runs=args.runs)
    if args.json:
        print(json.dumps(as_json(scored, seconds), indent=2))
        return 0
    if args.detail:
        print(detail(scored), end="\n\n")
    print(table(scored))
    inside = sum(1 for s in scored if s.funnel_band[0] <= s.actual <= s.funnel_band[1])
    print(f"Actual inside Funnel's P10-P90 band: {inside} of {len(scored)}.")
    origins = len({s.origin for s in scored})
    print(f"Funnel's forecasts: {seconds:.1f} s wall time for {origins} origins.")
    print(verdict(scored))
    return 0


def read_deals(folder: FilePath) -> list[Deal]:
    """The deals that can be placed in time: all but "Prospecting" ones (no engage date)."""
    with (folder / "products.csv").open(newline="", encoding="utf-8") as file:
        prices = {
            product_key(row["product"]): float(row["sales_price"]) for row in csv.DictReader(file)
        }
    deals = []
    with (folder / "sales_pipeline.csv").open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if not row["engage_date"]:
                continue
            won = row["deal_stage"] == "Won"
            deals.append(
                Deal(
                    engaged=date.fromisoformat(row["engage_date"]),
                    closed=date.fromisoformat(row["close_date"]) if row["close_date"] else None,
                    won=won,
                    list_price=prices[product_key(row["product"])],
                    close_value=float(row["close_value"]) if won else 0.0,
                )
            )
    return deals


def product_key(name: str) -> str:
    """The pipeline spells "GTX Pro" as "GTXPro": names compare without spaces."""
    return name.replace(" ", "").casefold()


def paths_at(deals: Sequence[Deal], cutoff: date) -> list[Path]:
    """What Funnel would have held at the end of the day before cutoff."""
    found = []
    for deal in deals:
        if deal.engaged >= cutoff:
            continue
        if deal.closed is not None and deal.closed < cutoff:
            outcome = WON if deal.won else "lost"
            value = deal.close_value if deal.won else deal.list_price
            found.append(Path(((deal.engaged, IN), (deal.closed, outcome)), value))
        else:
            # Open at the cut-off, whatever came later: its list price is all one knew.
            found.append(Path(((deal.engaged, IN),), deal.list_price))
    return found


def won_by_month(deals: Sequence[Deal]) -> dict[date, float]:
    totals: dict[date, float] = {}
    for deal in deals:
        if deal.won and deal.closed is not None:
            month = deal.closed.replace(day=1)
            totals[month] = totals.get(month, 0.0) + deal.close_value
    return totals


def closing_months(deals: Sequence[Deal]) -> set[date]:
    return {deal.closed.replace(day=1) for deal in deals if deal.closed is not None}


def origins(deals: Sequence[Deal]) -> list[date]:
    """The cut-offs whose three previous months all had closes, so that every baseline is
    defined, up to the last month with closes (the last with actuals)."""
    closing = closing_months(deals)
    if not closing:
        return []
    first, last = add_months(min(closing), 3), max(closing)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [
        month
        for month in month_starts(first, max(0, count))
        if all(add_months(month, -back) in closing for back in (1, 2, 3))
    ]


def cycle_days(deals: Sequence[Deal], cutoff: date) -> int:
    """The normal sales cycle as the user would state it: median days from engaged to won."""
    days = [d.days_to_close() for d in deals if d.won and d.closed_before(cutoff)]
    return max(1, round(statistics.median(days))) if days else DEFAULT_CYCLE_DAYS


def weighted_pipeline(deals: Sequence[Deal], cutoff: date, months: int) -> list[float]:
    """Win rate x list price of each deal open at cutoff, in the month of its expected close."""
    totals = [0.0] * months
    closed = [d for d in deals if d.closed_before(cutoff)]
    if not closed:
        return totals
    win_rate = sum(1 for d in closed if d.won) / len(closed)
    lag = timedelta(days=round(statistics.median(d.days_to_close() for d in closed)))
    for deal in deals:
        if deal.engaged < cutoff and not deal.closed_before(cutoff):
            # Overdue deals are expected now, in the cut-off's month.
            expected = max(cutoff, deal.engaged + lag)
            month = (expected.year - cutoff.year) * 12 + expected.month - cutoff.month
            if month < months:
                totals[month] += win_rate * deal.list_price
    return totals


def backtest(deals: Sequence[Deal], *, runs: int = 1000) -> tuple[list[Scored], float]:
    """Each origin's forecasts of the horizons with actuals; and the seconds Funnel's took."""
    actuals = won_by_month(deals)
    last = max(closing_months(deals), default=date.min)
    scored = []
    seconds = 0.0
    for origin in origins(deals):
        known, cycle = paths_at(deals, origin), cycle_days(deals, origin)
        started = time.perf_counter()
        funnel = forecast(
            known,
            as_of=origin - timedelta(days=1),
            months=len(HORIZONS),
            cycle_days=cycle,
            runs=runs,
        )
        seconds += time.perf_counter() - started
        pipeline = weighted_pipeline(deals, origin, len(HORIZONS))
        before = [actuals.get(add_months(origin, -back), 0.0) for back in (3, 2, 1)]
        for horizon, month in zip(HORIZONS, funnel.months, strict=True):
            if month.first > last:
                continue
            forecasts = {
                "funnel": month.total.p50,
                "weighted_pipeline": pipeline[horizon - 1],
                "last_month": before[-1],
                "trailing_mean": statistics.mean(before),
                "three_months_earlier": actuals.get(add_months(month.first, -3), 0.0),
            }
            actual = actuals.get(month.first, 0.0)
            band = (month.total.p10, month.total.p90)
            scored.append(Scored(origin, horizon, month.first, actual, forecasts, band))
    return scored, seconds


def mape(scored: Sequence[Scored], method: str, horizon: int) -> float | None:
    """Mean absolute percentage error; a month with nothing won can't be scored."""
    errors = [
        abs(s.forecasts[method] - s.actual) / s.actual
        for s in scored
        if s.horizon == horizon and s.actual > 0
    ]
    return round(100 * statistics.mean(errors), 1) if errors else None


def table(scored: Sequence[Scored]) -> str:
    def row(label: str, cells: Sequence[object]) -> str:
        return f"{label:<24}" + "".join(f"{cell:>10}" for cell in cells)

    lines = [
        row("MAPE by horizon", [f"{h} mo" for h in HORIZONS]),
        row("origins", [sum(1 for s in scored if s.horizon == h) for h in HORIZONS]),
    ]
    for method, label in METHODS.items():
        errors = [mape(scored, method, h) for h in HORIZONS]
        lines.append(row(label, ["-" if e is None else f"{e:.1f} %" for e in errors]))
    return "\n".join(lines)


def verdict(scored: Sequence[Scored]) -> str:
    """Per horizon, whether Funnel's forecast beats every baseline, or which ones beat it."""
    lines = []
    for horizon in HORIZONS:
        funnel = mape(scored, "funnel", horizon)
        if funnel is None:
            continue
        better = [
            label.lower()
            for method, label in METHODS.items()
            if method != "funnel" and (error := mape(scored, method, horizon)) is not None
            if error <= funnel
        ]
        beaten = f"does not beat {', '.join(better)}" if better else "beats every baseline"
        lines.append(f"{horizon} month{'s' if horizon > 1 else ''} ahead: Funnel {beaten}.")
    return "\n".join(lines)


def detail(scored: Sequence[Scored]) -> str:
    short = ["Funnel", "P10", "P90", "Pipeline", "Last", "Mean 3", "3 earlier"]
    lines = [
        f"{'origin':<8} {'h':>2} {'target':<8} {'actual':>10}" + "".join(f"{n:>11}" for n in short)
    ]
    for s in scored:
        figures = [s.forecasts["funnel"], *s.funnel_band]
        figures += [s.forecasts[method] for method in list(METHODS)[1:]]
        lines.append(
            f"{s.origin:%Y-%m} {s.horizon:>3} {s.target:%Y-%m} {s.actual:>10,.0f}"
            + "".join(f"{figure:>11,.0f}" for figure in figures)
        )
    return "\n".join(lines)


def as_json(scored: Sequence[Scored], seconds: float) -> dict[str, Any]:
    return {
        "mape": {method: {h: mape(scored, method, h) for h in HORIZONS} for method in METHODS},
        "origins": {h: sum(1 for s in scored if s.horizon == h) for h in HORIZONS},
        "funnel_seconds": round(seconds, 2),
        "detail": [
            {
                "origin": s.origin.isoformat(),
                "horizon": s.horizon,
                "target": s.target.isoformat(),
                "actual": s.actual,
                "forecasts": s.forecasts,
                "funnel_p10": s.funnel_band[0],
                "funnel_p90": s.funnel_band[1],
            }
            for s in scored
        ],
    }


if __name__ == "__main__":
    sys.exit(main())
