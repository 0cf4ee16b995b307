"""The Lab's inputs: which workload with which parameters, and which strategies to compare."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from guiapp.lab.strategies import STRATEGIES
from guiapp.lab.strategy import Strategy
from guiapp.lab.workloads import FLAG_PARAMS, WORKLOAD_NAMES, WORKLOADS, Workload

__all__ = ["StrategyForm", "WorkloadForm"]

# parameter -> (minimum, maximum, decimals, step)
_RANGES: dict[str, tuple[float, float, int, float]] = {
    "tasks": (1, 500, 0, 1),
    "delay": (0.0, 10.0, 2, 0.1),
    "mb": (0.1, 512, 1, 1),
    "iterations": (1_000, 50_000_000, 0, 100_000),
    "rows": (1, 100_000, 0, 100),
}


class WorkloadForm(QGroupBox):
    """A workload combo box (human names; the code name is the item's data) and one spin box
    per parameter, a check box per on/off one; :meth:`workload` reads them."""

    workloadChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Workload", parent)
        self.combo = QComboBox()
        for name, (title, _, _) in WORKLOADS.items():
            self.combo.addItem(WORKLOAD_NAMES[name], name)
            self.combo.setItemData(self.combo.count() - 1, title, Qt.ItemDataRole.ToolTipRole)
        self._form = QFormLayout(self)
        self._form.addRow(self.combo)
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.flags: dict[str, QCheckBox] = {}
        self.combo.currentIndexChanged.connect(self._on_combo_changed)
        self._rebuild()

    def set_workload(self, workload: Workload) -> None:
        """Show ``workload`` (its name and parameters) in the form."""
        self.combo.setCurrentIndex(self.combo.findData(workload.name))
        values = {"tasks": float(workload.tasks), **workload.params}
        for key, spin in self.spins.items():
            spin.setValue(values[key])
        for key, check in self.flags.items():
            check.setChecked(bool(values[key]))

    def workload(self) -> Workload:
        name = self.combo.currentData()
        values = {key: spin.value() for key, spin in self.spins.items()}
        values.update({key: float(check.isChecked()) for key, check in self.flags.items()})
        tasks = int(values.pop("tasks"))
        return Workload(name, tasks, **values)

    def _on_combo_changed(self, _index: int) -> None:
        self._rebuild()
        self.workloadChanged.emit()

    def _rebuild(self) -> None:
        while self._form.rowCount() > 1:
            self._form.removeRow(1)
        self.spins.clear()
        self.flags.clear()
        name = self.combo.currentData()
        self.combo.setToolTip(f"{name}: {WORKLOADS[name][0]}")
        for key, value in WORKLOADS[name][1].items():
            if key in FLAG_PARAMS:
                check = QCheckBox(key)
                check.setChecked(bool(value))
                check.setObjectName(f"param-{key}")
                self._form.addRow(check)
                self.flags[key] = check
                continue
            low, high, decimals, step = _RANGES.get(key, (0, 1e9, 2, 1))
            spin = QDoubleSpinBox()
            spin.setRange(low, high)
            spin.setDecimals(decimals)
            spin.setSingleStep(step)
            spin.setValue(value)
            spin.setObjectName(f"param-{key}")
            self._form.addRow(key, spin)
            self.spins[key] = spin


class StrategyForm(QGroupBox):
    """A check box per strategy (disabled where n/a) and a pool size where it has one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Strategies", parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.checks: dict[str, QCheckBox] = {}
        #: The user's choice for each strategy now n/a, given back when it applies again.
        self._chosen: dict[str, bool] = {}
        self.pools: dict[str, QSpinBox] = {}
        for name, cls in STRATEGIES.items():
            check = QCheckBox(name)
            check.setChecked(True)
            check.setToolTip(cls.title)
            self.checks[name] = check
            probe = cls()
            if probe.pool_size is not None:
                spin = QSpinBox()
                spin.setRange(1, 512)
                spin.setValue(probe.pool_size)
                spin.setPrefix("pool ")
                spin.setToolTip(f"{name}: number of worker threads / processes")
                self.pools[name] = spin
                form.addRow(check, spin)
            else:
                form.addRow(check)

    def update_for(self, workload: Workload) -> None:
        """Enable only the strategies that apply to ``workload`` (the others are n/a)."""
        for name, check in self.checks.items():
            applies = STRATEGIES[name]().applies(workload)
            if not applies and name not in self._chosen:
                self._chosen[name] = check.isChecked()
                check.setChecked(False)  # greyed and ticked read as "will run"
            elif applies and name in self._chosen:
                check.setChecked(self._chosen.pop(name))
            check.setEnabled(applies)
            check.setText(name if applies else f"{name} (n/a)")

    def set_checked(self, names: list[str]) -> None:
        for name, check in self.checks.items():
            if name in self._chosen:  # n/a now: remembered for when it applies again
                self._chosen[name] = name in names
            else:
                check.setChecked(name in names)

    def strategies(self, workload: Workload) -> list[Strategy]:
        """Fresh strategy objects for the checked, applicable strategies (for "Run all", a
        strategy n/a to the form's workload counts as the user left it)."""
        chosen: list[Strategy] = []
        for name, check in self.checks.items():
            if not self._chosen.get(name, check.isChecked()):
                continue
            spin = self.pools.get(name)
            strategy = STRATEGIES[name](spin.value() if spin is not None else None)
            if strategy.applies(workload):
                chosen.append(strategy)
        return chosen
