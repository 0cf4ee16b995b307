"""The embedded demo HTTP API: a local httpbin-like server for ``--demo``, the Lab and tests.

Pure standard library, served on 127.0.0.1 from daemon threads (one per connection, HTTP/1.1
keep-alive). ``GET /`` lists every endpoint; see docs/demo.md. :class:`DemoServer` runs in the
calling process (tests, the Lab); :class:`DemoProcess`, with the same API, in a child process
(the app: a flood of clients cannot starve the GUI thread).

Example::

    >>> import requests
    >>> with DemoServer() as server:
    ...     requests.get(server.url + "/status/418").status_code
    418
"""

from guiapp.demo._process import DemoProcess
from guiapp.demo._server import DemoServer, ServerLimits
from guiapp.demo.examples import DemoExample, sample_requests

__all__ = ["DemoExample", "DemoProcess", "DemoServer", "ServerLimits", "sample_requests"]
