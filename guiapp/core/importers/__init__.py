"""Importers that turn other tools' files into guiapp collections (Postman, OpenAPI 3).

Every import is bounded by :class:`ImportLimits` and all-or-nothing; :func:`run_import` runs
one in a separate process with a time and memory budget (what the app uses).

Example::

    >>> from guiapp.core.importers import import_openapi, import_postman
    >>> callable(import_openapi) and callable(import_postman)
    True
"""

from guiapp.core.importers._common import ImportResult
from guiapp.core.importers._errors import ImportFailed
from guiapp.core.importers._limits import DEFAULT_LIMITS, ImportLimits
from guiapp.core.importers._sandbox import import_any, run_import
from guiapp.core.importers.openapi import import_openapi
from guiapp.core.importers.postman import import_postman

__all__ = [
    "DEFAULT_LIMITS",
    "ImportFailed",
    "ImportLimits",
    "ImportResult",
    "import_any",
    "import_openapi",
    "import_postman",
    "run_import",
]
