"""The core never imports the dev tools: a production deployment leaves `devtools` out (LAZI_DEV_TOOLS=false).

Tests, scripts and devtools itself may import it; the integration core, the project and the module apps may not.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CORE_PACKAGES = ("lazi", *settings.LAZI_APPS)


def devtools_imports(source: str, filename: str = "<source>") -> list[str]:
    """`line: statement` for every import of devtools in this source (import, from-import, import_module("…"))."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        else:
            continue
        found += [f"{node.lineno}: {name}" for name in names if name == "devtools" or name.startswith("devtools.")]
    return found


def test_the_import_finder_sees_every_form_of_import():
    source = (
        "import devtools\n"
        "import devtools.simulator as sim\n"
        "from devtools.benchmarks import harness\n"
        "from importlib import import_module\n"
        "import_module('devtools.simulator.generate')\n"
        "import devtoolsy, servicetitan.devtools\n"  # not the dev app
        "from .devtools import x\n"  # relative: a module of the package itself
    )
    assert devtools_imports(source) == [
        "1: devtools",
        "2: devtools.simulator",
        "3: devtools.benchmarks",
        "5: devtools.simulator.generate",
    ]


def test_the_core_and_the_module_apps_never_import_devtools():
    offending = []
    files = [path for package in CORE_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(files) > 100  # the walk really reads the source tree
    for path in files:
        offending += [f"{path.relative_to(ROOT)}:{hit}" for hit in devtools_imports(path.read_text(), str(path))]
    assert offending == [], "the core imports the dev app (move the caller to devtools, or make it a setting)"


@pytest.mark.parametrize("value, installed", [("false", False), ("true", True)])
def test_django_starts_with_and_without_the_dev_tools(value, installed, tmp_path):
    """With LAZI_DEV_TOOLS=false: settings, every app, the admin and the URLs load, `check` passes, and nothing
    imported devtools on the way; the dev commands are gone."""
    program = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.apps import apps\n"
        "from django.core.management import call_command, get_commands\n"
        "import lazi.urls, lazi.celery\n"
        "call_command('check', fail_level='ERROR')\n"
        "loaded = sorted(m for m in sys.modules if m == 'devtools' or m.startswith('devtools.'))\n"
        "print('installed', apps.is_installed('devtools'))\n"
        "print('st_simulator', 'st_simulator' in get_commands())\n"
        "print('loaded', loaded[:1])\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "lazi.settings",
        "DJANGO_DEBUG": "true",
        "LAZI_DEV_TOOLS": value,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f"installed {installed}" in done.stdout
    assert f"st_simulator {installed}" in done.stdout
    if not installed:
        assert "loaded []" in done.stdout
