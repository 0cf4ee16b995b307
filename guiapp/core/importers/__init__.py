"""Importers that turn other tools' files into guiapp collections (Postman, OpenAPI 3).

Example::

    >>> from guiapp.core.importers import import_openapi, import_postman
    >>> callable(import_openapi) and callable(import_postman)
    True
"""

from guiapp.core.importers._common import ImportFailed, ImportResult
from guiapp.core.importers.openapi import import_openapi
from guiapp.core.importers.postman import import_postman

__all__ = ["ImportFailed", "ImportResult", "import_openapi", "import_postman"]
