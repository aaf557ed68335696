"""The trend over many periods, from snapshots alone: what the report keeps and what it compares."""

from __future__ import annotations

from roadmap_office.history import Row, Snapshot
from roadmap_office.period import quarter
from roadmap_office.rendering.dynamics import _nice_max
from roadmap_office.trend import Trend, target_number


def snap(n: int, schools: dict, items: dict) -> Snapshot:
    period = quarter(2022 + (n - 1) // 4, (n - 1) % 4 + 1)
    return Snapshot(period, period.end, 3, sum(1 for s in schools.values() if s is not None), 50.0, 1,
                    [Row("1.", "Раздел", 50.0, 1)],
                    [Row(key, f"Мероприятие {key}", None, overdue, extra={"number": key, "deadline": "", "applicable": 3})
                     for key, overdue in items.items()],
                    [Row(code, f"Школа {code}", pct if pct is not None else None, 0, pct is not None)
                     for code, pct in schools.items()],
                    [Row("П1", "Доля", 40.0 + n, extra={"unit": "%", "target": "не менее 50 %", "kind": "percent",
                                                        "aggregation": "weighted_mean", "reported": 3})])


def test_changes_against_the_previous_period():
    trend = Trend([snap(1, {"A": 50.0, "B": 40.0, "C": 30.0}, {"1.1": 0, "1.2": 2}),
                   snap(2, {"A": 60.0, "B": 35.0, "C": None}, {"1.1": 1, "1.2": 2, "1.3": 4})])
    assert [f.code for f in trend.fell()] == ["B"]
    assert [r.key for r in trend.stopped()] == ["C"]
    assert [r.key for r in trend.newly_overdue()] == ["1.1", "1.3"]
    (indicator,) = trend.indicators()
    assert indicator.values == [41.0, 42.0] and indicator.gap == -8.0
    assert [s.change for s in trend.school_completion()] == [10.0, -5.0, None]


def test_many_periods_keep_the_last_four_for_print():
    trend = Trend([snap(n, {"A": 10.0 * n}, {}) for n in range(1, 7)])
    recent = trend.recent(4)
    assert recent.labels == ["3 квартал 2022 г.", "4 квартал 2022 г.", "1 квартал 2023 г.", "2 квартал 2023 г."]
    assert recent.school_completion()[0].values == [30.0, 40.0, 50.0, 60.0]


def test_one_period_compares_nothing():
    trend = Trend([snap(1, {"A": 50.0}, {"1.1": 3})])
    assert trend.previous is None and trend.fell() == [] and trend.stopped() == [] and trend.newly_overdue() == []


def test_targets_and_chart_scale():
    assert target_number("не менее 50 %") == 50 and target_number("100 % ОО") == 100
    assert target_number("") is None and target_number("по плану") is None
    assert [_nice_max(v) for v in (3, 10, 11, 49, 55, 240)] == [10, 10, 20, 50, 100, 250]
