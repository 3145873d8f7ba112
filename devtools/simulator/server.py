"""The threaded HTTP server around `SimulatorApp`, runnable in a background thread (tests) or the foreground."""

from __future__ import annotations

import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from devtools.simulator.app import Request, SimulatorApp, problem
from devtools.simulator.dataset import Dataset
from devtools.simulator.faults import FaultConfig


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections as they would with ServiceTitan
    server_version = "LaziServiceTitanSimulator/1.0"
    # Headers and body go out in separate writes; without TCP_NODELAY each keep-alive response waits on a delayed ACK.
    disable_nagle_algorithm = True

    def _serve(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.app.handle(request)
        except Exception:  # a simulator bug must answer 500, not hang the client; tests check app_errors
            self.server.app_errors += 1
            traceback.print_exc()
            response = problem(500, "Simulator error")
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class SimulatorServer:
    """A ServiceTitan stand-in on `http://host:port` (port 0 picks a free one), serving a generated `Dataset`.

    `with SimulatorServer(scale=0.01) as server: ...` starts it in a background thread and stops it afterwards.
    """

    def __init__(
        self,
        port: int = 0,
        scale: float = 0.01,
        seed: int = 1,
        faults: FaultConfig | None = None,
        rate_per_second: int | None = None,
        *,
        host: str = "127.0.0.1",
        dataset: Dataset | None = None,
        export_batch_size: int = 500,
        counts: dict[str, int] | None = None,
        lines: dict[str, int] | None = None,
        on_demand=(),
        verbose: bool = False,
        tenant_id: int | None = None,
    ):
        self.dataset = dataset or Dataset(
            scale=scale,
            seed=seed,
            export_batch_size=export_batch_size,
            counts=counts,
            lines=lines,
            on_demand=on_demand,
        )
        self.faults = faults or FaultConfig(seed=seed)
        # `tenant_id`: the tenant this simulator answers for (several simulators stand for several tenants).
        self.app = SimulatorApp(self.dataset, self.faults, rate_per_second=rate_per_second, tenant_id=tenant_id)
        self._httpd = _Server((host, port), _Handler)
        self._httpd.app = self.app
        self._httpd.app_errors = 0
        self._httpd.verbose = verbose
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def stats(self):
        return self.app.stats

    @property
    def app_errors(self) -> int:
        """Requests that crashed inside the simulator (answered 500); tests assert it stays 0."""
        return self._httpd.app_errors

    def reset_stats(self) -> None:
        self.app.stats.reset()

    def expire_tokens(self) -> None:
        self.app.expire_tokens()

    def start(self) -> SimulatorServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="st-simulator", daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
