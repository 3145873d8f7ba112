"""`st_bench`: the sync benchmark (see devtools/benchmarks/harness.py). PostgreSQL only; writes bench-results/latest.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.module_loading import module_has_submodule

from devtools import benchmarks
from devtools.benchmarks import harness as bench


class Command(BaseCommand):
    help = (
        "Benchmark the sync engine against the simulator in PostgreSQL: records/s beside direct COPY, COPY through "
        "staging and a row-by-row loop, "
        "API calls versus the minimum, peak RSS at two sizes. Uses a database of its own (<name>_bench)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database-url", help="PostgreSQL to benchmark (default: DATABASE_URL)")
        parser.add_argument(
            "--records", type=int, default=27000, help="size of the comparison (default 27,000 ≈ scale 1.0)"
        )
        parser.add_argument(
            "--attempts", type=int, default=3, help="runs of every approach in the comparison; the best counts (3)"
        )
        parser.add_argument(
            "--rss-sizes",
            default="10000,100000,500000",
            help="record counts for the peak-RSS runs, comma-separated (from ~90,000 on every page is full)",
        )
        parser.add_argument("--push", type=int, default=1000, help="overrides for the push benchmark (0: skip)")
        parser.add_argument("--output", default="bench-results/latest.md")
        parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database for the next run")
        parser.add_argument("--rss-probe", type=int, help="(internal) one peak-RSS measurement, in a fresh process")
        parser.add_argument(
            "--sync-probe", help="(internal) full + quiet incremental sync of these streams (comma-separated), fresh"
        )
        parser.add_argument(
            "--only",
            help="run only these sections of the apps' benchmarks (comma-separated names, see --list), "
            "skipping the sync comparison",
        )
        parser.add_argument(
            "--sync-only", action="store_true", help="only the sync comparison (and RSS, push): no app sections"
        )
        parser.add_argument("--list", action="store_true", help="list the apps' benchmark sections and stop")

    def handle(self, *args, **options):
        if options["list"]:
            for name in app_sections():
                self.stdout.write(name)
            return
        if options["database_url"] and options["database_url"] != os.environ.get("DATABASE_URL"):
            return self._reexec(options["database_url"])
        if connection.vendor != "postgresql":
            raise CommandError(
                "st_bench measures PostgreSQL and refuses SQLite: pass --database-url postgres://user@host/db "
                "or set DATABASE_URL."
            )
        if options["rss_probe"]:
            self.stdout.write(json.dumps(bench.rss_probe(options["rss_probe"])))
            return
        if options["sync_probe"]:
            keys = [key.strip() for key in options["sync_probe"].split(",") if key.strip()]
            self.stdout.write(json.dumps(bench.sync_probe(keys)))
            return
        self._run(options)

    def _reexec(self, url: str):
        """Settings are read at start-up: run again with DATABASE_URL set to the chosen database."""
        argv, skip = [], False
        for arg in sys.argv[1:]:
            if skip:
                skip = False
            elif arg == "--database-url":
                skip = True
            elif not arg.startswith("--database-url="):
                argv.append(arg)
        command = [sys.executable, sys.argv[0], *argv]  # this very command again, with its own arguments
        done = subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, check=False)  # noqa: S603
        if done.returncode:
            raise CommandError("the benchmark failed", returncode=done.returncode)

    def log(self, message: str) -> None:
        self.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}")

    def _run(self, options):
        base_name = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{base_name}_bench"
        self.log(f"preparing the benchmark database {base_name}_bench …")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=options["keep_db"])
        try:
            self._measure(options)
        finally:
            if not options["keep_db"]:
                connection.creation.destroy_test_db(base_name, verbosity=0)

    def _measure(self, options):
        sections = app_sections()
        if options["only"]:
            wanted = [name.strip() for name in options["only"].split(",") if name.strip()]
            unknown = set(wanted) - set(sections)
            if unknown:
                raise CommandError(f"unknown benchmark sections {', '.join(sorted(unknown))}; see --list")
            report = "\n".join(self._sections({name: sections[name] for name in wanted}))
            self.stdout.write(report)
            return
        streams = bench.bench_streams()
        keys = [s.key for s in streams]
        page_size = settings.SERVICE_TITAN["PAGE_SIZE"]
        scale = bench.scale_for(options["records"], keys)
        self.log(f"simulator at scale {scale:.2f} for {', '.join(keys)} …")
        simulator = bench.RemoteSimulator(scale)
        push_rows = []
        try:
            simulator.warm_up(keys)
            simulator.point_settings_here()
            comparison = bench.compare(simulator, streams, page_size, self.log, attempts=options["attempts"])
            if options["push"]:
                push_rows = self._push(simulator, options["push"])
        finally:
            simulator.stop()
        url = bench.database_url_of_current_connection()
        # A size of 0 skips the peak-RSS runs (`--rss-probe 0` would read as no probe and start a whole benchmark).
        sizes = [int(n) for n in options["rss_sizes"].split(",") if n.strip() and int(n) > 0]
        rss = [bench.run_rss_probe_subprocess(n, url, self.log) for n in sizes]
        if options["sync_only"]:
            sections = {}
        report = render(comparison, rss, push_rows, keys, page_size) + "\n".join(self._sections(sections))
        self.stdout.write(report)
        path = Path(settings.BASE_DIR) / options["output"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report)
        self.log(f"written to {path}")

    def _sections(self, sections: dict) -> list[str]:
        lines = []
        for name, section in sections.items():
            self.log(f"section {name} …")
            lines += ["", *section(self.log)]
        return lines

    def _push(self, simulator, n: int) -> list[dict]:
        try:
            from devtools.benchmarks.pricebook import bench_push
        except ImportError:
            return []
        from servicetitan.sync.engine import sync_targets

        self.log(f"push: {n} overrides, bulk then one by one …")
        bench.truncate_mirror(bench.bench_streams())
        sync_targets(["pricebook"], full=True, triggered_by="bench")
        return bench_push(simulator, n)


def app_sections() -> dict:
    """name -> section callable, from every LAZI app's `devtools.benchmarks.<app>.BENCH_SECTIONS`.

    A section is `section(log) -> list[str]`: it prepares its own data (in the benchmark database, against a simulator
    of its own when it needs one), measures side by side, cleans up, and returns Markdown lines for the report.
    """
    sections = {}
    for app in settings.LAZI_APPS:
        config = apps.get_app_config(app.rsplit(".", 1)[-1])
        if module_has_submodule(benchmarks, config.name):
            sections.update(getattr(import_module(f"devtools.benchmarks.{config.name}"), "BENCH_SECTIONS", {}))
    return sections


def render(c: bench.Comparison, rss: list[dict], push_rows: list[dict], keys: list[str], page_size: int) -> str:
    write = c.engine_write_seconds
    rows = [(bench.APPROACHES[name], c.seconds.get(name, 0.0)) for name in bench.APPROACHES]
    lines = [
        "# Sync benchmark",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} CPUs · PostgreSQL "
        f"{connection.pg_version // 10000} · entities: {', '.join(keys)} · {c.records:,} records, each a raw and a "
        f"master row. Every figure: the best of {c.attempts} runs, the approaches taking turns, each into empty tables "
        "after a checkpoint. Every page was fetched and its raw and master rows prepared once beforehand "
        f"({c.prepare_fetch_seconds:.2f} s fetching, {c.prepare_rows_seconds:.2f} s building rows: hash + mapping), "
        "counted in no figure: the three loads get those rows ready-made, the engine's write part gets the pages "
        "from memory and does its own hashing, mapping (in SQL), existence lookup, relations and cursor.",
        "",
        "| approach | seconds | records/s |",
        "|---|---:|---:|",
        *(f"| {name} | {seconds:.2f} | {c.rate(seconds):,.0f} |" for name, seconds in rows),
        "",
        f"- engine write part vs direct COPY (the database's limit): **{_ratio(c.copy_seconds, write)}** "
        "(target: 0.7x or more)",
        f"- engine write part vs COPY through staging + merge: **{_ratio(c.staging_copy_seconds, write)}**",
        f"- engine write part vs row-by-row (one transaction per page): **{_ratio(c.row_by_row_seconds, write)}** "
        "(target: 8x or more)",
        f"- engine full sync vs fetch + row-by-row: {_ratio(c.fetch_seconds + c.row_by_row_seconds, c.engine_seconds)}"
        f"; vs fetch + direct COPY: {_ratio(c.fetch_seconds + c.copy_seconds, c.engine_seconds)}",
        "",
        f"## API calls (export batches of {bench.EXPORT_BATCH}, list pages of {page_size})",
        "",
        "| entity | records | calls | minimum | incremental, nothing changed |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {key} | {records:,} | {made} | {minimum} | {c.quiet_calls.get(key)} |"
            for key, (made, minimum, records) in c.calls.items()
        ),
        "",
        "## Peak RSS of a full sync (fresh process each)",
        "",
        "Memory is bounded by the page, not the collection: one page (up to 5,000 records) is held at a time. Below "
        "~90,000 records some entities' pages are not full yet, so the smallest size peaks lower.",
        "",
        "| records | seconds | records/s | peak RSS (MB) | RSS after start-up (MB) |",
        "|---:|---:|---:|---:|---:|",
        *(
            f"| {r['records']:,} | {r['seconds']:.1f} | {r['records'] / r['seconds']:,.0f} | "
            f"{r['peak_rss_mb']:.0f} | {r['baseline_mb']:.0f} |"
            for r in rss
        ),
    ]
    if push_rows:
        lines += [
            "",
            "## Push (pricebook overrides)",
            "",
            "| run | overrides | synced | requests | seconds | overrides/s |",
            "|---|---:|---:|---:|---:|---:|",
            *(
                f"| {r['name']} | {r['overrides']} | {r['synced']} | {r['requests']} | {r['seconds']} | "
                f"{r['per_second']} |"
                for r in push_rows
            ),
        ]
    return "\n".join(lines) + "\n"


def _ratio(slower: float, faster: float) -> str:
    return f"{slower / faster:.2f}x" if faster else "n/a"
