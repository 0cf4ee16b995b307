"""The Lab's inputs: human workload names, switches as check boxes, n/a strategies unticked."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QCheckBox

from guiapp.lab.results import COLUMNS
from guiapp.lab.workloads import WORKLOAD_NAMES, WORKLOADS, Workload
from guiapp.ui.lab.controls import StrategyForm, WorkloadForm
from guiapp.ui.lab.results import COLUMN_TITLES, ResultsTable


def test_every_workload_is_listed_by_a_human_name(qapp: QApplication) -> None:
    assert set(WORKLOAD_NAMES) == set(WORKLOADS)
    assert Workload("django_etl").display_name == "Django ORM ETL"
    form = WorkloadForm()
    texts = [form.combo.itemText(i) for i in range(form.combo.count())]
    assert texts == [WORKLOAD_NAMES[name] for name in WORKLOADS]
    assert not any("_" in text for text in texts)
    form.set_workload(Workload("django_etl", tasks=3))
    assert form.combo.currentText() == "Django ORM ETL"
    assert form.workload().name == "django_etl"


def test_on_off_parameters_are_check_boxes(qapp: QApplication) -> None:
    form = WorkloadForm()
    form.set_workload(Workload("django_etl", tasks=2, rows=10))
    assert "async_unsafe" not in form.spins
    box = form.findChild(QCheckBox, "param-async_unsafe")
    assert box is form.flags["async_unsafe"]
    assert not box.isChecked()
    box.setChecked(True)
    assert form.workload().params["async_unsafe"] == 1.0
    form.set_workload(Workload("json_format", parse_only=1))
    assert form.flags["parse_only"].isChecked()
    assert form.workload().params["parse_only"] == 1.0


def test_a_strategy_that_does_not_apply_is_greyed_and_unticked(qapp: QApplication) -> None:
    form = StrategyForm()
    form.update_for(Workload("django_etl"))
    for name in ("process", "native_async"):
        assert not form.checks[name].isEnabled()
        assert not form.checks[name].isChecked()
    assert form.checks["serial_lane"].isChecked()
    # "Run all" still runs them where they apply: the user's choice is remembered...
    assert [s.name for s in form.strategies(Workload("cpu_loop"))].count("process") == 1
    form.update_for(Workload("cpu_loop"))  # ...and given back when they apply again
    assert form.checks["process"].isChecked()
    assert not form.checks["serial_lane"].isChecked()
    form.set_checked(["make_async"])  # unticks an n/a one for when it applies again
    form.update_for(Workload("django_etl"))
    assert not form.checks["process"].isChecked()
    form.update_for(Workload("cpu_loop"))
    assert not form.checks["process"].isChecked()


def test_the_results_table_titles_are_plain_and_fit(qapp: QApplication) -> None:
    table = ResultsTable()
    header = table.horizontalHeader()
    titles = [table.horizontalHeaderItem(i).text() for i in range(len(COLUMNS))]
    assert titles == [COLUMN_TITLES[c] for c in COLUMNS]
    assert "tasks/s" in titles
    assert all(title[0].isalnum() or title[0] in "+" for title in titles)
    assert not any("&" in title for title in titles)
    table.resizeColumnsToContents()
    metrics = header.fontMetrics()
    for i, title in enumerate(titles):
        assert header.sectionSize(i) >= metrics.horizontalAdvance(title), title
