"""The Responsiveness Lab's engine, headless: workloads, strategies, measured runs, reports.

The Lab window (:mod:`guiapp.ui.lab`) and the benchmark command (``python -m guiapp.bench``)
both drive it; it draws nothing. Modules:

- :mod:`guiapp.lab.workloads`: what each task does (picklable blocking calls), and the one
  JSON document generator;
- :mod:`guiapp.lab.server`: the demo API in a child process, for the HTTP workloads;
- :mod:`guiapp.lab.strategy`: what a strategy is; :mod:`guiapp.lab.strategies`: the registry
  of every strategy (the Lab's ten, three of them the main window's Send strategies);
  :mod:`guiapp.lab.qt_strategies`: the ones built on Qt's threads;
  :mod:`guiapp.lab.django_strategies`: the ones for Django's ORM;
- :mod:`guiapp.lab.django_orm`: the "Django ORM ETL" workload's Django project, configured in
  code when it first runs (the app :mod:`guiapp.lab.django_app`; Django is an optional extra);
- :mod:`guiapp.lab.engine`: one measured run (:class:`~guiapp.lab.engine.CellRun`) and the
  matrix; :mod:`guiapp.lab.results`: what a run measured; :mod:`guiapp.lab.qt_probe`: the
  lag / threads / memory probe;
- :mod:`guiapp.lab.report`: CSV, JSON, Markdown, the strategies' colours.

Only the ``qt_*`` modules import Qt (timers, QThreads, qasync's executor; no widgets of
their own, no plots); an import-linter contract keeps it so. Importing the package itself
loads nothing.

Example::

    from guiapp.lab.engine import CellRun, LabSession
    from guiapp.lab.strategies import STRATEGIES
    from guiapp.lab.workloads import Workload

    session = LabSession().start()
    result = await CellRun(Workload("cpu_loop", tasks=2), STRATEGIES["process"](), session).run()
    print(result.row()["lag_max_ms"])
"""
