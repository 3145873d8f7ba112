"""`st_bench` finds every app's sections in devtools/benchmarks/<app>.py (`--list`, `--only NAME`)."""

import io
import pkgutil
from importlib import import_module

from django.conf import settings
from django.core.management import call_command

from devtools import benchmarks
from devtools.management.commands.st_bench import app_sections

HARNESS_MODULES = {"harness"}  # the sync comparison itself, not a section module


def test_every_section_module_is_named_after_an_app_and_is_listed():
    listed = io.StringIO()
    call_command("st_bench", "--list", stdout=listed)
    names = listed.getvalue().split()

    expected = []
    for module in pkgutil.iter_modules(benchmarks.__path__):
        if module.name in HARNESS_MODULES:
            continue
        assert module.name in settings.LAZI_APPS, f"devtools/benchmarks/{module.name}: st_bench looks for app names"
        sections = import_module(f"devtools.benchmarks.{module.name}").BENCH_SECTIONS
        assert sections and all(callable(section) for section in sections.values())
        expected += sections
    assert sorted(names) == sorted(expected) == sorted(app_sections())
    # The core's sections and the pricebook's, as the README's benchmark headings name them.
    assert {"serving", "record_problems", "reprice", "push-batch", "health", "vendor-import", "margin-lists"} <= set(
        names
    )
