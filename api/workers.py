"""``newsdesk serve --workers N``: N server processes on one port.

Each worker is a whole server (its own model, store reader, job writer thread), so Python work
runs on every core instead of behind one interpreter lock. Each keeps a server's defaults (one
search slot per core, one inference thread per question): with fewer slots, a worker holding
more of the connections than the other could not use the core the other left idle, and two
workers answered fewer requests (benchmarks/README.md, ``bench_http.py``). What the processes
must agree on they share through files: the store (readers follow each write through its
catalog), the jobs (``jobs.sqlite3``), and the Prometheus counts, which ``/metrics`` sums over
the workers (prometheus-client's multiprocess mode, in ``PROMETHEUS_MULTIPROC_DIR``).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from uvicorn.supervisors import Multiprocess

from api.metrics import METRICS_DIR_ENV

HEALTHCHECK_TIMEOUT_S = 60
_log = logging.getLogger("uvicorn.error")  # where uvicorn logs its own start, configured alike


def _tcp_socket(
    host: str, port: int, reuse_port: bool = False, kind: type[socket.socket] = socket.socket
) -> socket.socket:
    """A bound TCP socket. IPPROTO_TCP spelled out: asyncio turns Nagle off (TCP_NODELAY) only on
    accepted sockets that say so, and uvicorn's own listener for workers does not (uvicorn issue
    #3149), so each keep-alive response would wait ~40 ms for an ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = kind(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class _PortForWorkers(socket.socket):
    """The port, held by the supervisor (bound, never listening), that becomes in each worker
    started with it a listening socket of the worker's own on that port (SO_REUSEPORT; uvicorn
    pickles a worker's sockets into it). The kernel then spreads new connections over the
    workers. On one shared socket, whichever worker's event loop woke first accepted a whole
    burst of connections: 16 keep-alive clients often all went to one worker, the other idle for
    the whole run (benchmarks/README.md, ``bench_http.py``)."""

    def __reduce__(self) -> tuple[Callable[..., socket.socket], tuple[str, int, bool]]:
        host, port = self.getsockname()[:2]
        return (_tcp_socket, (host, port, True))


def listening_socket(host: str, port: int) -> socket.socket:
    """What the workers listen on: on Linux, a socket of their own each on the port (see
    ``_PortForWorkers``); elsewhere, where SO_REUSEPORT does not spread connections, one socket
    they inherit and share."""
    if sys.platform != "linux":
        sock = _tcp_socket(host, port)
        sock.set_inheritable(True)
        return sock
    return _tcp_socket(host, port, reuse_port=True, kind=_PortForWorkers)


@contextmanager
def shared_metrics() -> Iterator[None]:
    """A fresh multiprocess metrics folder for the workers, unless the operator names one (theirs
    to wipe between runs, as prometheus-client requires)."""
    if os.environ.get(METRICS_DIR_ENV):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="newsdesk-metrics-") as folder:
        os.environ[METRICS_DIR_ENV] = folder
        try:
            yield
        finally:
            del os.environ[METRICS_DIR_ENV]


def serve_workers(host: str, port: int, workers: int) -> None:
    """Serve ``api.app:create_app`` (settings from the environment) in ``workers`` processes."""
    config = uvicorn.Config(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # The supervisor kills a worker that does not answer its ping in time, mid-request; a
        # worker loading its model, or busy on both cores, can miss uvicorn's 5 s.
        timeout_worker_healthcheck=HEALTHCHECK_TIMEOUT_S,
    )
    with shared_metrics(), listening_socket(host, port) as sock:
        # uvicorn logs the address when it binds; here it is bound already, maybe to port 0.
        shown = f"[{host}]" if ":" in host else host
        port = sock.getsockname()[1]
        _log.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", shown, port)
        Multiprocess(config, sockets=[sock]).run()
