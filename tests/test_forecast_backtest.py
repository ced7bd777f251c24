"""The forecast backtest reads the Maven CRM files and sets up each cut-off without leaks."""

from datetime import date
from pathlib import Path as FilePath

import pytest

from benchmarks.forecast_backtest import (
    Deal,
    Scored,
    main,
    mape,
    origins,
    paths_at,
    read_deals,
    weighted_pipeline,
    won_by_month,
)
from funnel.forecast.paths import IN, WON, Path

PRODUCTS = """product,series,sales_price
GTX Pro,GTX,4821
MG Special,MG,55
"""
PIPELINE = """\
opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
A,Ann,GTXPro,Acme,Won,2017-01-10,2017-03-05,4500
B,Ann,MG Special,Acme,Lost,2017-02-01,2017-04-20,0
C,Bob,MG Special,Beta,Engaging,2017-04-02,,
D,Bob,GTX Pro,Beta,Prospecting,,,
E,Bob,MG Special,Beta,Won,2017-05-01,2017-06-30,60
"""


@pytest.fixture
def folder(tmp_path: FilePath) -> FilePath:
    (tmp_path / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    (tmp_path / "sales_pipeline.csv").write_text(PIPELINE, encoding="utf-8")
    return tmp_path


def test_prospecting_deals_are_left_out_and_gtxpro_gets_gtx_pros_price(folder: FilePath) -> None:
    deals = read_deals(folder)
    assert len(deals) == 4
    assert deals[0] == Deal(date(2017, 1, 10), date(2017, 3, 5), True, 4821.0, 4500.0)
    assert deals[2].closed is None


def test_a_cut_off_knows_no_outcome_or_close_value_from_on_or_after_it(folder: FilePath) -> None:
    paths = paths_at(read_deals(folder), date(2017, 4, 20))
    assert paths == [
        Path(((date(2017, 1, 10), IN), (date(2017, 3, 5), WON)), 4500.0),
        Path(((date(2017, 2, 1), IN),), 55.0),  # lost on the cut-off day: still open
        Path(((date(2017, 4, 2), IN),), 55.0),
    ]


def test_a_deal_lost_before_the_cut_off_keeps_its_list_price(folder: FilePath) -> None:
    lost = paths_at(read_deals(folder), date(2017, 4, 21))[1]
    assert lost == Path(((date(2017, 2, 1), IN), (date(2017, 4, 20), "lost")), 55.0)


def test_actuals_are_close_values_of_won_deals_by_close_month(folder: FilePath) -> None:
    assert won_by_month(read_deals(folder)) == {date(2017, 3, 1): 4500.0, date(2017, 6, 1): 60.0}


def test_origins_need_closes_in_each_of_the_three_months_before() -> None:
    closes = [date(2017, 3, 5), date(2017, 4, 5), date(2017, 5, 5), date(2017, 7, 5)]
    deals = [Deal(date(2017, 1, 1), day, True, 10.0, 10.0) for day in closes]
    assert origins(deals) == [date(2017, 6, 1)]


def test_the_weighted_pipeline_puts_overdue_deals_in_the_cut_off_month() -> None:
    deals = [
        Deal(date(2017, 1, 1), date(2017, 1, 31), True, 100.0, 100.0),  # 30 days
        Deal(date(2017, 1, 1), date(2017, 2, 10), False, 100.0, 0.0),  # 40: median 35, rate 1/2
        Deal(date(2017, 1, 15), None, False, 1000.0, 0.0),  # due 2017-02-19: overdue
        Deal(date(2017, 3, 31), date(2017, 9, 1), True, 200.0, 190.0),  # due 2017-05-05
    ]
    assert weighted_pipeline(deals, date(2017, 4, 1), 3) == [500.0, 100.0, 0.0]


def test_mape_is_a_percentage_over_the_origins_of_one_horizon() -> None:
    def scored(horizon: int, actual: float, forecast: float) -> Scored:
        return Scored(date(2017, 6, 1), horizon, date(2017, 6, 1), actual, {"x": forecast}, (0, 0))

    rows = [scored(1, 100.0, 110.0), scored(1, 200.0, 100.0), scored(2, 100.0, 0.0)]
    assert mape(rows, "x", 1) == 30.0
    assert mape(rows, "x", 2) == 100.0
    assert mape(rows, "x", 3) is None


def test_a_missing_data_set_fails_with_one_line(
    tmp_path: FilePath, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data", str(tmp_path / "nowhere")]) == 1
    assert len(capsys.readouterr().err.splitlines()) == 1
