"""`manage.py st_simulator`: run the local ServiceTitan stand-in in the foreground until Ctrl-C / SIGTERM."""

import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError

from devtools.simulator import (
    DEMO_APP_KEY,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_TENANT_ID,
    FaultConfig,
    SimulatorServer,
)
from devtools.simulator.persistence import SnapshotKeeper


class Command(BaseCommand):
    help = "Run a local ServiceTitan simulator (token, list/get/export, pricebook and CRM writes, faults)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--scale", type=float, default=0.05, help="1.0 ≈ a mid-size tenant (default 0.05)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--tenant-id",
            type=int,
            default=DEMO_TENANT_ID,
            help=f"the ServiceTitan tenant id it answers for (default {DEMO_TENANT_ID}); several simulators on "
            "several ports stand for several tenants",
        )
        parser.add_argument(
            "--lazy",
            action="store_true",
            help="generate each collection when first asked for, not all at start (the benchmarks ask for a few "
            "collections at large scales)",
        )
        parser.add_argument("--error-rate", type=float, default=0.0, help="share of API requests answered 5xx")
        parser.add_argument("--rate-limit-rate", type=float, default=0.0, help="share answered 429")
        parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API request")
        parser.add_argument("--truncate-rate", type=float, default=0.0, help="share of 200s with a cut body")
        parser.add_argument("--token-lifetime", type=int, default=3600, help="seconds")
        parser.add_argument("--rate-per-second", type=int, default=None, help="request budget; 429 beyond it")
        parser.add_argument("--export-batch-size", type=int, default=500)
        parser.add_argument(
            "--count",
            action="append",
            default=[],
            metavar="RESOURCE=N",
            help="exact record count for a resource, e.g. --count pricebook.materials=500000 (repeatable)",
        )
        parser.add_argument(
            "--lines",
            action="append",
            default=[],
            metavar="RESOURCE=N",
            help="exact line count over a resource's records (invoices' or estimates' items), e.g. "
            "--lines accounting.invoices=500000 (repeatable)",
        )
        parser.add_argument(
            "--on-demand",
            action="append",
            default=[],
            metavar="RESOURCE",
            help="generate this resource's records when read, never all held in memory (large benchmark tenants; "
            "repeatable)",
        )
        parser.add_argument("--verbose-requests", action="store_true", help="log every request")
        parser.add_argument(
            "--write-price-file",
            metavar="PATH",
            help="write the demo distributor's price file (CSV, vendor 'Ferguson Supply') for this dataset and exit",
        )
        parser.add_argument(
            "--state-file",
            help="keep the data across restarts in this file: loaded at start (when written for the same scale, "
            "seed and counts), written again after every change and at stop (the demo uses var/simulator-state.pickle)",
        )

    def handle(self, *args, **options):
        stop = threading.Event()
        # SIGTERM (a supervisor, the demo's trap) and SIGHUP (its terminal closed) stop it cleanly: the state file,
        # when there is one, is written once more.
        previous = {
            sig: signal.signal(sig, lambda signum, frame: stop.set()) for sig in (signal.SIGTERM, signal.SIGHUP)
        }
        try:
            self._run(stop, options)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _run(self, stop: threading.Event, options: dict):
        faults = FaultConfig(
            error_rate=options["error_rate"],
            rate_limit_rate=options["rate_limit_rate"],
            latency=options["latency"],
            truncate_rate=options["truncate_rate"],
            token_lifetime=options["token_lifetime"],
            seed=options["seed"],
        )
        counts = _resource_numbers(options["count"], "--count")
        lines = _resource_numbers(options["lines"], "--lines")
        if options.get("write_price_file"):
            self._write_price_file(options, counts)
            return
        started = time.monotonic()
        try:
            server = self._server(options, faults, counts, lines)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        keeper = SnapshotKeeper(server, options["state_file"]) if options["state_file"] else None
        restored = keeper.load() if keeper else False
        # Generate everything before announcing the URL, so the first sync does not pay for it.
        if options["lazy"]:
            generated = "generated as asked for"
        else:
            server.dataset.generate_all()
            total = sum(len(server.dataset.records(key)) for key in server.dataset.simulated_keys())
            generated = f"{total:,} records {'restored from ' + options['state_file'] if restored else 'generated'}"
        url = server.url
        self.stdout.write(
            f"ServiceTitan simulator on {url} — scale {options['scale']}, seed {options['seed']}, "
            f"{generated} in {time.monotonic() - started:.1f}s\n"
            f"Demo credentials (not secrets): client id {DEMO_CLIENT_ID}, client secret {DEMO_CLIENT_SECRET}, "
            f"app key {DEMO_APP_KEY}, tenant {options['tenant_id']}\n"
            "Point LAZI at it:\n"
            f"  export SERVICE_TITAN_API_URL={url} SERVICE_TITAN_AUTH_URL={url}\n"
            f"  export SERVICE_TITAN_CLIENT_ID={DEMO_CLIENT_ID} SERVICE_TITAN_CLIENT_SECRET={DEMO_CLIENT_SECRET}\n"
            f"  export SERVICE_TITAN_APP_KEY={DEMO_APP_KEY} SERVICE_TITAN_TENANT_ID={options['tenant_id']}\n"
            f"Controls: GET {url}/_simulator/health | /_simulator/stats, POST /_simulator/mutate | /_simulator/faults"
            " | /_simulator/reset-stats. Ctrl-C stops it."
        )
        self.stdout.flush()
        server.start()
        if keeper:
            keeper.start()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            if keeper:
                keeper.stop()
                self.stdout.write(f"Simulator data kept in {options['state_file']}.")
            self.stdout.write("Simulator stopped.")

    def _write_price_file(self, options: dict, counts: dict) -> None:
        """The demo distributor's price file for the dataset this scale and seed generate (no server started)."""
        from pathlib import Path

        from devtools.simulator.dataset import Dataset
        from devtools.simulator.generators import DISTRIBUTOR
        from devtools.simulator.price_files import distributor_price_file

        dataset = Dataset(scale=options["scale"], seed=options["seed"], counts=counts)
        content = distributor_price_file(dataset)
        path = Path(options["write_price_file"])
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc}") from exc
        rows = content.count(b"\n") - 1
        self.stdout.write(f"Wrote {path}: {rows} rows from vendor {DISTRIBUTOR!r}.")

    @staticmethod
    def _server(options: dict, faults: FaultConfig, counts: dict, lines: dict) -> SimulatorServer:
        return SimulatorServer(
            port=options["port"],
            host=options["host"],
            scale=options["scale"],
            seed=options["seed"],
            faults=faults,
            rate_per_second=options["rate_per_second"],
            export_batch_size=options["export_batch_size"],
            counts=counts,
            lines=lines,
            on_demand=[key.strip() for key in options["on_demand"]],
            verbose=options["verbose_requests"],
            tenant_id=options["tenant_id"],
        )


def _resource_numbers(items: list[str], option: str) -> dict[str, int]:
    numbers = {}
    for item in items:
        key, _, number = item.partition("=")
        if not number.isdigit():
            raise CommandError(f"{option} takes RESOURCE=N, got {item!r}")
        numbers[key.strip()] = int(number)
    return numbers
