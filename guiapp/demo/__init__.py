"""The embedded demo HTTP API: a local httpbin-like server for ``--demo``, the Lab and tests.

Pure standard library, served on 127.0.0.1 from daemon threads (one per connection, HTTP/1.1
keep-alive). ``GET /`` lists every endpoint; see docs/demo.md.

Example::

    >>> import requests
    >>> with DemoServer() as server:
    ...     requests.get(server.url + "/status/418").status_code
    418
"""

from guiapp.demo._server import DemoServer
from guiapp.demo.examples import DemoExample, sample_requests

__all__ = ["DemoExample", "DemoServer", "sample_requests"]
